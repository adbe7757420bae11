import XCTest
import Glibc
@testable import Kernels

final class BLASKernelsTests: XCTestCase {
    /// After the choice OpenBLAS must run kernels at least as wide as the CPU's AVX2/AVX-512 (unless the user
    /// pinned them), and a GEMM through the switched kernel table must still be exact.
    func testChosenKernelsMatchTheCPUAndComputeExactly() throws {
        let setting = chooseBLASKernels()
        let core = blasCoreName().lowercased()
        switch setting {
        case .userSet(let pinned):
            XCTAssertNotNil(getenv("OPENBLAS_CORETYPE"), "userSet(\(pinned)) without the variable")
        case .unsupported(let name):
            throw XCTSkip("this BLAS cannot switch kernels (runs \(name))")
        case .kept, .upgraded:
            if bestBLASCoreForThisCPU() != nil {
                XCTAssertTrue(modernBLASCores.contains(core), "\(setting): OpenBLAS runs \(core) on an AVX2 CPU")
            }
            if case .upgraded(_, let to) = setting {
                XCTAssertEqual(to.lowercased(), bestBLASCoreForThisCPU()?.lowercased())
                XCTAssertEqual(chooseBLASKernels(), .userSet(to), "a second call must leave the choice alone")
            }
        }

        // Odd sizes, large enough for the packed kernels and both threads.
        let m = 263, n = 191, k = 157
        let a = (0..<(m * k)).map { Float(($0 * 7) % 13) - 6 }
        let b = (0..<(k * n)).map { Float(($0 * 5) % 11) - 5 }
        var c = [Float](repeating: 1, count: m * n)
        sgemm(m: m, n: n, k: k, alpha: 1, a: a, lda: k, b: b, ldb: n, beta: 0.5, c: &c, ldc: n)
        for i in stride(from: 0, to: m, by: 23) {
            for j in stride(from: 0, to: n, by: 17) {
                var expected: Float = 0.5
                for p in 0..<k { expected += a[i * k + p] * b[p * n + j] }
                XCTAssertEqual(c[i * n + j], expected, "C[\(i), \(j)]")
            }
        }
    }

    /// The cpuid/XCR0 probe agrees with the kernel's own reading of the CPU (/proc/cpuinfo lists only the
    /// features the OS enabled).
    func testFeatureProbeAgreesWithProcCpuinfo() throws {
        #if arch(x86_64)
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") })
        else { throw XCTSkip("no /proc/cpuinfo flags line") }
        let flags = Set(line.split(separator: ":").last!.split(separator: " ").map(String.init))
        let expected: String?
        if ["avx512f", "avx512dq", "avx512bw", "avx512vl", "avx2", "fma"].allSatisfy(flags.contains) {
            expected = "SkylakeX"
        } else if flags.contains("avx2") && flags.contains("fma") {
            expected = "Haswell"
        } else {
            expected = nil
        }
        XCTAssertEqual(bestBLASCoreForThisCPU(), expected, "flags: \(flags.filter { $0.hasPrefix("avx") || $0 == "fma" }.sorted())")
        #else
        XCTAssertNil(bestBLASCoreForThisCPU())
        #endif
    }
}
