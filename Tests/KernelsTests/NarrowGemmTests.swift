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
                checkProduct("narrowGemm m\(m) n\(n) k\(k) acc \(accumulate)", a: a, b: b, rows: m, columns: n,
                             ld: ldc, seed: 3, {
                    narrowGemm(m: m, n: n, k: k, a: $0, lda: lda, b: $1, ldb: ldb, c: $2, ldc: ldc, accumulate: accumulate)
                }) { i, j, old in ref[i * n + j] + (accumulate ? old : 0) }
            }
        }
    }

    func testTransposedProduct() {
        // ct[j, i] = Σ_l x[l, j] · w[l, i]: here m is w's (wide) column count, so widen the shapes' rows.
        for (rows, n, k) in shapes {
            let m = rows * 7 + 1, ldx = n + 2, ldw = m + 5, ldct = m + 3
            let x = values(k * ldx, seed: 4), w = values(k * ldw, seed: 5)
            let ref = reference(m: n, n: m, k: k, { x[$1 * ldx + $0] }, { w[$0 * ldw + $1] })
            checkProduct("narrowGemmTransposed m\(m) n\(n) k\(k)", a: x, b: w, rows: n, columns: m, ld: ldct, seed: 6, {
                narrowGemmTransposed(m: m, n: n, k: k, x: $0, ldx: ldx, w: $1, ldw: ldw, ct: $2, ldct: ldct)
            }) { j, i, _ in ref[j * m + i] }
        }
    }

    func testRankUpdate() {
        // c[i, l] += Σ_j a[i, j] · bt[j, l]: the shapes' k is c's long side.
        for (m, n, k) in shapes {
            let lda = n + 1, ldbt = k + 3, ldc = k + 2
            let a = values(m * lda, seed: 7), bt = values(n * ldbt, seed: 8)
            let ref = reference(m: m, n: k, k: n, { a[$0 * lda + $1] }, { bt[$0 * ldbt + $1] })
            checkProduct("narrowRankUpdate m\(m) n\(n) k\(k)", a: a, b: bt, rows: m, columns: k, ld: ldc, seed: 9, {
                narrowRankUpdate(m: m, n: n, k: k, a: $0, lda: lda, bt: $1, ldbt: ldbt, c: $2, ldc: ldc)
            }) { i, l, old in ref[i * k + l] + old }
        }
    }
}
