import XCTest
@testable import TensorCore

final class RNGTests: XCTestCase {
    /// The bulk fill takes the same uniforms as `normal()`: its even elements are `normal()`'s values, its odd
    /// ones the sine branch of the same pairs, and the generator ends in the same state as after `normal()`
    /// was called once per pair.
    func testFillNormalSharesNormalsPairsAndState() {
        for count in [0, 1, 2, 7, 64] {
            var bulk = RNG(seed: 42), single = RNG(seed: 42)
            var values = [Float](repeating: .nan, count: count)
            values.withUnsafeMutableBufferPointer { bulk.fillNormal($0.baseAddress!, count: count, mean: 0, std: 1) }
            for pair in 0..<((count + 1) / 2) {
                XCTAssertEqual(values[2 * pair], single.normal(), "count \(count), element \(2 * pair)")
            }
            XCTAssertEqual(bulk, single, "count \(count): state after the fill")
            XCTAssertFalse(values.contains { $0.isNaN }, "count \(count): every element written")
        }
    }

    /// Mean, variance, skew and tails of 2^20 draws (both branches) match N(mean, std²) within a few standard
    /// errors, and the two halves of each pair are uncorrelated.
    func testFillNormalDistribution() {
        var rng = RNG(seed: 7)
        let n = 1 << 20, mean: Float = 0.5, std: Float = 2
        var values = [Float](repeating: 0, count: n)
        values.withUnsafeMutableBufferPointer { rng.fillNormal($0.baseAddress!, count: n, mean: mean, std: std) }
        let z = values.map { (Double($0) - Double(mean)) / Double(std) }
        let m1 = z.reduce(0, +) / Double(n)
        let m2 = z.reduce(0) { $0 + $1 * $1 } / Double(n)
        let m3 = z.reduce(0) { $0 + $1 * $1 * $1 } / Double(n)
        XCTAssertEqual(m1, 0, accuracy: 5 / Double(n).squareRoot())
        XCTAssertEqual(m2, 1, accuracy: 5 * 2.0.squareRoot() / Double(n).squareRoot())
        XCTAssertEqual(m3, 0, accuracy: 5 * 15.0.squareRoot() / Double(n).squareRoot())
        let beyond2 = Double(z.filter { abs($0) > 2 }.count) / Double(n)  // 4.55% for a normal
        XCTAssertEqual(beyond2, 0.0455, accuracy: 0.002)
        var pairProduct = 0.0
        for i in stride(from: 0, to: n, by: 2) { pairProduct += z[i] * z[i + 1] }
        XCTAssertEqual(pairProduct / Double(n / 2), 0, accuracy: 5 / Double(n / 2).squareRoot())
    }
}
