import XCTest
import Kernels

/// Shapes around the narrow products' edges: 1-64 columns (a partial last vector, one to four vectors), row
/// counts that leave partial register tiles (6, 8, 12 and 14 rows), column ranges that leave partial 48-column
/// tiles, and long sides that cross the 256 KB panels (1024 rows at 64 columns, 4096 at 16, 1024 columns of the
/// rank update at 64 rows).
private let shapes: [(m: Int, n: Int, k: Int)] = [
    (1, 1, 1), (5, 2, 17), (13, 5, 70), (29, 15, 33), (15, 16, 100), (50, 17, 31), (7, 31, 129), (3, 33, 64),
    (20, 48, 5), (13, 63, 1100), (29, 64, 1030), (7, 16, 4200), (100, 9, 300), (47, 4, 49),
]

final class NarrowGemmTests: XCTestCase {
    override func setUpWithError() throws {
        try XCTSkipUnless(narrowProductsAvailable, "the narrow products need AVX-512")
    }

    func testProduct() {
        for (m, n, k) in shapes {
            let lda = k + 3, ldb = n + 1, ldc = n + 2
            let a = values(m * lda, seed: 1), b = values(k * ldb, seed: 2)
            let ref = reference(m: m, n: n, k: k, { a[$0 * lda + $1] }, { b[$0 * ldb + $1] })
            for accumulate in [false, true] {
                var c = values(m * ldc, seed: 3)
                let before = c
                a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in c.withUnsafeMutableBufferPointer { cp in
                    narrowGemm(m: m, n: n, k: k, a: ap.baseAddress!, lda: lda, b: bp.baseAddress!, ldb: ldb,
                               c: cp.baseAddress!, ldc: ldc, accumulate: accumulate)
                } } }
                assertMatrix(c, before: before, rows: m, columns: n, ld: ldc,
                             "narrowGemm m\(m) n\(n) k\(k) acc \(accumulate)") { i, j, old in
                    ref[i * n + j] + (accumulate ? old : 0)
                }
            }
        }
    }

    func testTransposedProduct() {
        // ct[j, i] = Σ_l x[l, j] · w[l, i]: here m is w's (wide) column count, so widen the shapes' rows.
        for (rows, n, k) in shapes {
            let m = rows * 7 + 1, ldx = n + 2, ldw = m + 5, ldct = m + 3
            let x = values(k * ldx, seed: 4), w = values(k * ldw, seed: 5)
            let ref = reference(m: n, n: m, k: k, { x[$1 * ldx + $0] }, { w[$0 * ldw + $1] })
            var ct = values(n * ldct, seed: 6)
            let before = ct
            x.withUnsafeBufferPointer { xp in w.withUnsafeBufferPointer { wp in ct.withUnsafeMutableBufferPointer { cp in
                narrowGemmTransposed(m: m, n: n, k: k, x: xp.baseAddress!, ldx: ldx, w: wp.baseAddress!, ldw: ldw,
                                     ct: cp.baseAddress!, ldct: ldct)
            } } }
            assertMatrix(ct, before: before, rows: n, columns: m, ld: ldct, "narrowGemmTransposed m\(m) n\(n) k\(k)") {
                j, i, _ in ref[j * m + i]
            }
        }
    }

    func testRankUpdate() {
        // c[i, l] += Σ_j a[i, j] · bt[j, l]: the shapes' k is c's long side.
        for (m, n, k) in shapes {
            let lda = n + 1, ldbt = k + 3, ldc = k + 2
            let a = values(m * lda, seed: 7), bt = values(n * ldbt, seed: 8)
            let ref = reference(m: m, n: k, k: n, { a[$0 * lda + $1] }, { bt[$0 * ldbt + $1] })
            var c = values(m * ldc, seed: 9)
            let before = c
            a.withUnsafeBufferPointer { ap in bt.withUnsafeBufferPointer { bp in c.withUnsafeMutableBufferPointer { cp in
                narrowRankUpdate(m: m, n: n, k: k, a: ap.baseAddress!, lda: lda, bt: bp.baseAddress!, ldbt: ldbt,
                                 c: cp.baseAddress!, ldc: ldc)
            } } }
            assertMatrix(c, before: before, rows: m, columns: k, ld: ldc, "narrowRankUpdate m\(m) n\(n) k\(k)") {
                i, l, old in ref[i * k + l] + old
            }
        }
    }
}
