import XCTest
@testable import Kernels

/// The normalisations' statistics, their backward sums and the flat sum, under every vector variant (the C AVX-512 and AVX2 sums in
/// double and the portable Swift ones), against sums in Double taken one element at a time.
final class NormStatisticsTests: XCTestCase {
    /// Lengths around the vector widths (8, 16, 32 floats a step) and a long plane; values with a large mean, so a
    /// one-pass or float variance would be visibly wrong.
    private let lengths = [0, 1, 7, 15, 16, 31, 32, 33, 63, 65, 1000, 4096, 100_003]

    func testSumsMatchSequentialDoubleSums() {
        forEachVectorLevel { level in
            for n in lengths {
                let x = randomValues(max(n, 1), seed: UInt64(n + 1)).map { 1000 + $0 }
                var sum = 0.0, squares = 0.0
                for i in 0..<n { sum += Double(x[i]) }
                let mean = n > 0 ? sum / Double(n) : 0
                for i in 0..<n { squares += (Double(x[i]) - mean) * (Double(x[i]) - mean) }
                x.withUnsafeBufferPointer { p in
                    let base = p.baseAddress!
                    XCTAssertEqual(sumInDouble(base, n), sum, accuracy: 1e-9 * max(1, abs(sum)), "sum, level \(level) n \(n)")
                    XCTAssertEqual(sumSquaredDeviations(base, n, mean: mean), squares, accuracy: 1e-9 * max(1, squares),
                                   "squared deviations, level \(level) n \(n)")
                    XCTAssertEqual(sumAll(base, n), sum, accuracy: 1e-9 * max(1, abs(sum)), "sumAll, level \(level) n \(n)")
                }
            }
        }
    }

    func testBackwardSumsMatchSequentialDoubleSums() {
        forEachVectorLevel { level in
            for n in lengths {
                let g = randomValues(max(n, 1), seed: UInt64(n + 7)), x = randomValues(max(n, 1), seed: UInt64(n + 8))
                let mean: Float = 0.25
                var sum = 0.0, dot = 0.0
                for i in 0..<n { sum += Double(g[i]); dot += Double(g[i] * (x[i] - mean)) }
                let got = g.withUnsafeBufferPointer { gp in x.withUnsafeBufferPointer { xp in
                    sumAndCenteredDot(gp.baseAddress!, xp.baseAddress!, n, mean: mean)
                } }
                XCTAssertEqual(got.sum, sum, accuracy: 1e-9 * max(1, abs(sum)), "sum, level \(level) n \(n)")
                XCTAssertEqual(got.dot, dot, accuracy: 1e-9 * max(1, abs(dot)), "dot, level \(level) n \(n)")
            }
        }
    }

    func testInstanceStatisticsOfSeveralGroups() {
        forEachVectorLevel { level in
            // InstanceNorm's layout (groups = N·C, one run each) and BatchNorm's (groups = C, N runs apart).
            for (groups, segments, length) in [(6, 1, 37), (3, 4, 70), (2, 2, 1)] {
                let x = randomValues(groups * segments * length, seed: 9).map { 3 + 2 * $0 }
                var mean = [Double](repeating: .nan, count: groups), variance = mean
                x.withUnsafeBufferPointer { p in
                    normStatistics(p.baseAddress!, groups: groups, segments: segments, length: length,
                                   mean: &mean, variance: &variance)
                }
                for g in 0..<groups {
                    var values: [Double] = []
                    for s in 0..<segments { for i in 0..<length { values.append(Double(x[(s * groups + g) * length + i])) } }
                    let mu = values.reduce(0, +) / Double(values.count)
                    let v = values.map { ($0 - mu) * ($0 - mu) }.reduce(0, +) / Double(values.count)
                    XCTAssertEqual(mean[g], mu, accuracy: 1e-12, "mean, level \(level) group \(g) of \(groups)x\(segments)x\(length)")
                    XCTAssertEqual(variance[g], v, accuracy: 1e-12, "variance, level \(level) group \(g)")
                }
            }
        }
    }
}
