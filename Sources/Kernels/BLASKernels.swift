import CSIMD
#if canImport(Glibc)
import Glibc
#endif

/// What `chooseBLASKernels` found and did.
public enum BLASKernelSetting: Equatable, Sendable {
    /// OpenBLAS's own pick already uses the CPU's widest vectors we know kernels for.
    case kept(String)
    /// The user set OPENBLAS_CORETYPE; OpenBLAS read it at load time and we left it alone.
    case userSet(String)
    /// OpenBLAS did not recognise the CPU and fell back to old kernels; we switched it to these.
    case upgraded(from: String, to: String)
    /// This BLAS cannot switch kernels after loading (not OpenBLAS with DYNAMIC_ARCH), or switching failed.
    case unsupported(String)
}

/// The process's one kernel choice, made on first use: `main` touches it before any GEMM, and benchmark headers
/// read it to say when the kernels are ours rather than OpenBLAS's pick.
public let blasKernelChoice: BLASKernelSetting = chooseBLASKernels()

/// OpenBLAS's kernel sets that use AVX2/FMA or wider; anything else is an SSE-era fallback.
let modernBLASCores: Set<String> = ["haswell", "zen", "skylakex", "cooperlake", "sapphirerapids"]

/// The OpenBLAS kernel set this CPU can run best, or nil when it has no AVX2/FMA.
public func bestBLASCoreForThisCPU() -> String? {
    let features = translate_x86_vector_features()
    if features & 2 != 0 { return "SkylakeX" }
    if features & 1 != 0 { return "Haswell" }
    return nil
}

/// A DYNAMIC_ARCH OpenBLAS (Debian's) picks its kernels from the CPU model number, and a model newer than the
/// library gets the SSE3 "Prescott" fallback: on a 2026 Xeon with AVX-512, Debian's OpenBLAS 0.3.21 ran sgemm at
/// 41 GFLOP/s on two cores instead of 155-296 with its AVX-512 kernels, and training steps ran ~3x slower. This
/// asks the CPU what it supports (cpuid) and, when OpenBLAS fell back below AVX2 on a CPU that has it, re-runs
/// OpenBLAS's kernel selection with OPENBLAS_CORETYPE set to the matching kernels ("SkylakeX" for AVX-512, else
/// "Haswell"). It leaves a user's OPENBLAS_CORETYPE alone (tested pinning is theirs to choose) and never
/// downgrades. Call it first thing in `main`, before any GEMM: the switch swaps OpenBLAS's kernel table. Child
/// processes inherit the variable and start with the same kernels.
@discardableResult
public func chooseBLASKernels() -> BLASKernelSetting {
    let name = "OPENBLAS_CORETYPE"
    if let current = getenv(name) { return .userSet(String(cString: current)) }
    let before = blasCoreName()
    guard let best = bestBLASCoreForThisCPU(), !modernBLASCores.contains(before.lowercased()) else {
        return .kept(before)
    }
    guard let quit = loadedSymbol("gotoblas_dynamic_quit"), let initialize = loadedSymbol("gotoblas_dynamic_init")
    else { return .unsupported(before) }
    typealias Call = @convention(c) () -> Void
    setenv(name, best, 1)
    unsafeBitCast(quit, to: Call.self)()
    unsafeBitCast(initialize, to: Call.self)()
    let after = blasCoreName()
    guard after.lowercased() == best.lowercased() else {
        // This OpenBLAS does not know that name; it chose again by itself, so say what it runs.
        unsetenv(name)
        return .unsupported(after)
    }
    return .upgraded(from: before, to: after)
}
