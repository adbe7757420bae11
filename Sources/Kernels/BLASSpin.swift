#if canImport(Glibc)
import Glibc
#endif

/// How OpenBLAS's idle worker threads behaved when `shortenBLASSpin` returned.
public enum BLASSpinSetting: Equatable, Sendable {
    /// We set OPENBLAS_THREAD_TIMEOUT and restarted OpenBLAS's thread pool with it.
    case shortened(exponent: Int)
    /// The user set OPENBLAS_THREAD_TIMEOUT; OpenBLAS read it at load time and we left it alone.
    case userSet(String)
    /// This BLAS does not export the pthread-server entry points (an OpenMP or non-OpenBLAS build).
    case unsupported
}

/// After each GEMM, OpenBLAS's worker threads spin on `sched_yield` for 2^28 cycles (~0.1 s) before they
/// sleep. Between GEMMs our own `parallelFor` loops need both cores, and a spinning BLAS worker takes one of
/// them: on a pix2pix unet_256 step that cost 15-40% of the step (issue 7's profile, ~10% of samples in
/// sched_yield). OpenBLAS reads OPENBLAS_THREAD_TIMEOUT only in its library constructor, before `main`, so
/// this sets the variable, has OpenBLAS re-read its environment, and restarts its thread pool, which reads
/// the timeout when it starts. Call it once, first thing in `main`, before any GEMM runs: it joins the
/// pool's threads. The exponent is clamped by OpenBLAS to 4...30 (2^4 cycles: sleep almost at once).
/// Child processes inherit the variable and so start with the short spin directly.
@discardableResult
public func shortenBLASSpin(exponent: Int = 4) -> BLASSpinSetting {
    let name = "OPENBLAS_THREAD_TIMEOUT"
    if let current = getenv(name) { return .userSet(String(cString: current)) }
    guard let readEnvironment = loadedSymbol("openblas_read_env"),
          let shutdownPool = loadedSymbol("blas_thread_shutdown_"),
          let startPool = loadedSymbol("blas_thread_init")
    else { return .unsupported }
    typealias Call = @convention(c) () -> Void
    typealias StatusCall = @convention(c) () -> Int32
    setenv(name, String(exponent), 0)
    unsafeBitCast(readEnvironment, to: Call.self)()
    _ = unsafeBitCast(shutdownPool, to: StatusCall.self)()
    _ = unsafeBitCast(startPool, to: StatusCall.self)()
    return .shortened(exponent: exponent)
}

/// The address of `name` in the process's loaded libraries, nil when none exports it: OpenBLAS's internal entry
/// points, which its header does not declare and other BLAS builds lack.
func loadedSymbol(_ name: String) -> UnsafeMutableRawPointer? {
    guard let program = dlopen(nil, RTLD_NOW) else { return nil }
    return dlsym(program, name)
}
