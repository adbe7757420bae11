import XCTest
import Kernels

final class SgemmBatchTests: XCTestCase {
    /// Independent GEMMs run across threads give what one-by-one GEMMs give, and OpenBLAS gets its thread
    /// count back.
    func testMatchesSequentialGemmsAndRestoresThreads() {
        let savedKernel = kernelThreadCount, savedBLAS = blasThreads()
        defer { kernelThreadCount = savedKernel; setBLASThreads(savedBLAS) }
        kernelThreadCount = 2
        setBLASThreads(2)
        let count = 7, m = 13, n = 21, k = 17
        var state: UInt64 = 5
        func next() -> Float {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(Int(state >> 41) % 2001 - 1000) / 1000
        }
        let a = (0..<(count * m * k)).map { _ in next() }, b = (0..<(count * k * n)).map { _ in next() }
        var batched = [Float](repeating: .nan, count: count * m * n)
        batched.withUnsafeMutableBufferPointer { c in
            let out = c.baseAddress!
            sgemmBatch(count) { i in
                sgemm(m: m, n: n, k: k, a: a.withUnsafeBufferPointer { $0.baseAddress! } + i * m * k, lda: k,
                      b: b.withUnsafeBufferPointer { $0.baseAddress! } + i * k * n, ldb: n, c: out + i * m * n, ldc: n)
            }
        }
        XCTAssertEqual(blasThreads(), 2)
        for i in 0..<count { for r in 0..<m { for j in 0..<n {
            var sum = 0.0
            for t in 0..<k { sum += Double(a[i * m * k + r * k + t]) * Double(b[i * k * n + t * n + j]) }
            XCTAssertEqual(Double(batched[i * m * n + r * n + j]), sum, accuracy: 1e-5, "GEMM \(i) [\(r), \(j)]")
        } } }
    }
}
