import XCTest
import Glibc
@testable import Kernels

final class BLASSpinTests: XCTestCase {
    /// Restarting OpenBLAS's thread pool with the short spin must leave a multi-threaded GEMM exact, and a
    /// second call must see the variable and leave the pool alone.
    func testShortenedSpinKeepsGemmCorrectAndIsIdempotent() throws {
        let first = shortenBLASSpin()
        if getenv("OPENBLAS_THREAD_TIMEOUT") == nil {
            XCTFail("shortenBLASSpin returned \(first) without setting OPENBLAS_THREAD_TIMEOUT")
        }
        if case .unsupported = first { throw XCTSkip("this BLAS has no pthread server to configure") }
        XCTAssertEqual(shortenBLASSpin(), .userSet(String(cString: getenv("OPENBLAS_THREAD_TIMEOUT"))))

        // Big enough for OpenBLAS to split it across its threads.
        let m = 301, n = 257, k = 129
        let a = (0..<(m * k)).map { Float(($0 * 7) % 13) - 6 }
        let b = (0..<(k * n)).map { Float(($0 * 5) % 11) - 5 }
        var c = [Float](repeating: 0, count: m * n)
        setBLASThreads(2)
        sgemm(m: m, n: n, k: k, a: a, lda: k, b: b, ldb: n, c: &c, ldc: n)
        for i in stride(from: 0, to: m, by: 37) {
            for j in stride(from: 0, to: n, by: 29) {
                var expected: Float = 0
                for p in 0..<k { expected += a[i * k + p] * b[p * n + j] }
                XCTAssertEqual(c[i * n + j], expected, "C[\(i), \(j)]")
            }
        }
    }
}
