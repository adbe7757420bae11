import XCTest
import Kernels

/// Shapes with the small side 1..16 (not multiples of 4), long sides that are not multiples of 8 or of the
/// 512-column block, and leading dimensions wider than the matrices.
private let shapes: [(m: Int, n: Int, k: Int)] = [
    (1, 1, 1), (3, 1, 9), (5, 2, 17), (7, 3, 33), (9, 4, 8), (13, 5, 70), (4, 7, 129), (11, 8, 31),
    (6, 13, 64), (2, 16, 100), (1100, 3, 37), (37, 4, 1100), (700, 16, 12),
]

final class SkinnyGemmTests: XCTestCase {
    func testRowDot() {
        forEachVectorLevel { level in
            for (m, n, k) in shapes {
                let lda = k + 3, ldbt = k + 1, ldc = n + 2
                let a = values(m * lda, seed: 1), bt = values(n * ldbt, seed: 2)
                let ref = reference(m: m, n: n, k: k, { a[$0 * lda + $1] }, { bt[$1 * ldbt + $0] })
                for accumulate in [false, true] {
                    checkProduct("level \(level) rowDot m\(m) n\(n) k\(k) acc \(accumulate)", a: a, b: bt, rows: m,
                                 columns: n, ld: ldc, seed: 3, {
                        skinnyRowDot(m: m, n: n, k: k, a: $0, lda: lda, bt: $1, ldbt: ldbt, c: $2, ldc: ldc,
                                     accumulate: accumulate)
                    }) { i, j, old in ref[i * n + j] + (accumulate ? old : 0) }
                }
            }
        }
    }

    func testStreamRows() {
        forEachVectorLevel { level in
            for (m, n, k) in shapes {
                let ldx = n + 1, ldw = m + 5, ldct = m + 2
                let x = values(k * ldx, seed: 4), w = values(k * ldw, seed: 5)
                // ct[j, i] = Σ_l x[l, j] w[l, i]
                let ref = reference(m: n, n: m, k: k, { x[$1 * ldx + $0] }, { w[$0 * ldw + $1] })
                checkProduct("level \(level) streamRows m\(m) n\(n) k\(k)", a: x, b: w, rows: n, columns: m, ld: ldct,
                             seed: 6, {
                    skinnyStreamRows(m: m, n: n, k: k, x: $0, ldx: ldx, w: $1, ldw: ldw, ct: $2, ldct: ldct)
                }) { j, i, _ in ref[j * m + i] }
            }
        }
    }

    func testRankUpdate() {
        forEachVectorLevel { level in
            for (m, n, k) in shapes {
                let lda = n + 2, ldbt = k + 3, ldc = k + 1
                let a = values(m * lda, seed: 7), bt = values(n * ldbt, seed: 8)
                let ref = reference(m: m, n: k, k: n, { a[$0 * lda + $1] }, { bt[$0 * ldbt + $1] })
                checkProduct("level \(level) rankUpdate m\(m) n\(n) k\(k)", a: a, b: bt, rows: m, columns: k, ld: ldc,
                             seed: 9, {
                    skinnyRankUpdate(m: m, n: n, k: k, a: $0, lda: lda, bt: $1, ldbt: ldbt, c: $2, ldc: ldc)
                }) { i, j, old in old + ref[i * k + j] }
            }
        }
    }

    func testTransposeMatrix() {
        let src: [Float] = [1, 2, 3, 9, 4, 5, 6, 9]  // 2x3 with row stride 4
        var dst = [Float](repeating: 10, count: 6)
        transposeMatrix(src, rows: 2, cols: 3, lds: 4, &dst, ldd: 2, accumulate: false)
        XCTAssertEqual(dst, [1, 4, 2, 5, 3, 6])
        transposeMatrix(src, rows: 2, cols: 3, lds: 4, &dst, ldd: 2, accumulate: true)
        XCTAssertEqual(dst, [2, 8, 4, 10, 6, 12])
        // Larger than a tile in both directions, odd sizes, big enough to run in parallel.
        let rows = 530, cols = 517, lds = 520, ldd = 533
        let big = values(rows * lds, seed: 11)
        var out = [Float](repeating: -7, count: cols * ldd)
        transposeMatrix(big, rows: rows, cols: cols, lds: lds, &out, ldd: ldd, accumulate: false)
        for j in 0..<cols { for i in 0..<ldd {
            XCTAssertEqual(out[j * ldd + i], i < rows ? big[i * lds + j] : -7, "(\(j),\(i))")
        } }
    }

    /// aᵀ·b in both orientations (direct, and through the scratch), plain and accumulating.
    func testGemmTransposedA() {
        let saved = transposedProductMaxColumns
        defer { transposedProductMaxColumns = saved }
        for (m, n, k) in [(37, 5, 11), (300, 64, 40), (9, 600, 17)] {
            let lda = m + 3, ldb = n + 1, ldc = n + 2
            let a = values(k * lda, seed: 12), b = values(k * ldb, seed: 13)
            let ref = reference(m: m, n: n, k: k, { a[$1 * lda + $0] }, { b[$0 * ldb + $1] })
            for threshold in [0, 1024] {
                transposedProductMaxColumns = threshold
                for accumulate in [false, true] {
                    var c = values(m * ldc, seed: 14)
                    let before = c
                    var scratch = [Float](repeating: .nan, count: m * n)
                    gemmTransposedA(m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb, c: &c, ldc: ldc,
                                    accumulate: accumulate, scratch: &scratch)
                    for i in 0..<m { for j in 0..<ldc {
                        let expected = j < n ? ref[i * n + j] + (accumulate ? Double(before[i * ldc + j]) : 0)
                                             : Double(before[i * ldc + j])
                        XCTAssertEqual(Double(c[i * ldc + j]), expected, accuracy: 1e-4 * max(1, abs(expected)),
                                       "m\(m) n\(n) k\(k) threshold \(threshold) acc \(accumulate) at (\(i),\(j))")
                    } }
                }
            }
        }
    }
}
