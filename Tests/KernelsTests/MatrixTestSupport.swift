import XCTest

// Operands and checks shared by the matrix-product tests (SkinnyGemmTests, NarrowGemmTests).

/// Naive c[i,j] = Σ_k a(i,k) b(k,j) in Double, from closures that index the operands however they are stored.
func reference(m: Int, n: Int, k: Int, _ a: (Int, Int) -> Float, _ b: (Int, Int) -> Float) -> [Double] {
    var c = [Double](repeating: 0, count: m * n)
    for i in 0..<m { for j in 0..<n { for l in 0..<k { c[i * n + j] += Double(a(i, l)) * Double(b(l, j)) } } }
    return c
}

func values(_ count: Int, seed: Int) -> [Float] {
    (0..<count).map { Float(((($0 + 1) * 7919 + seed * 104_729) % 2003) - 1001) / 1001 }
}

/// Checks a [rows, ld] result: columns below `columns` equal `expected(row, column, value before)` to 1e-4
/// relative, the padding columns past them are untouched.
func assertMatrix(_ got: [Float], before: [Float], rows: Int, columns: Int, ld: Int, _ label: String,
                  file: StaticString = #filePath, line: UInt = #line,
                  expected: (Int, Int, Double) -> Double) {
    for r in 0..<rows { for col in 0..<ld {
        let old = Double(before[r * ld + col])
        let want = col < columns ? expected(r, col, old) : old
        XCTAssertEqual(Double(got[r * ld + col]), want, accuracy: 1e-4 * max(1, abs(want)), "\(label) at (\(r),\(col))",
                       file: file, line: line)
    } }
}


/// Runs `product(a, b, c)` with c a [rows, ld] matrix that starts as `values(rows · ld, seed: seed)`, then checks
/// it with `assertMatrix` (`expected(row, column, value before)`).
func checkProduct(_ label: String, a: [Float], b: [Float], rows: Int, columns: Int, ld: Int, seed: Int,
                  file: StaticString = #filePath, line: UInt = #line,
                  _ product: (UnsafePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>) -> Void,
                  expected: (Int, Int, Double) -> Double) {
    var c = values(rows * ld, seed: seed)
    let before = c
    a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in c.withUnsafeMutableBufferPointer { cp in
        product(ap.baseAddress!, bp.baseAddress!, cp.baseAddress!)
    } } }
    assertMatrix(c, before: before, rows: rows, columns: columns, ld: ld, label, file: file, line: line,
                 expected: expected)
}
