// GEMM helpers shared by the conv kernels: the product with a transposed weight in the orientation OpenBLAS
// runs fastest, and a cache-blocked transpose.

/// Largest column count for which `gemmTransposedA` computes (bᵀ·a)ᵀ instead of aᵀ·b. Measured with
/// OpenBLAS 0.3.21 on Zen 3 (M 8192, K 1024): 2x faster at 16 columns, 1.5x at 64, 1.1x at 256, even at 1024.
nonisolated(unsafe) public var transposedProductMaxColumns = 512

/// c[m, n] (+)= aᵀ·b, a: [k, m] (lda), b: [k, n] (ldb), c: [m, n] (ldc): a transposed weight times a few
/// columns. With n ≤ `transposedProductMaxColumns` and a scratch of m*n floats, it computes bᵀ·a into the
/// scratch and transposes it into c.
@inlinable
public func gemmTransposedA(m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int,
                            b: UnsafePointer<Float>, ldb: Int,
                            c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool,
                            scratch: UnsafeMutablePointer<Float>?) {
    if let scratch, n <= transposedProductMaxColumns {
        sgemm(transA: true, m: n, n: m, k: k, a: b, lda: ldb, b: a, ldb: lda, c: scratch, ldc: m)
        transposeMatrix(scratch, rows: n, cols: m, lds: m, c, ldd: ldc, accumulate: accumulate)
    } else {
        sgemm(transA: true, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb, beta: accumulate ? 1 : 0,
              c: c, ldc: ldc)
    }
}

/// Scratch floats `gemmTransposedA` uses for an m x n product (0 when it would not use one).
@inlinable
public func transposedProductScratch(m: Int, n: Int) -> Int { n <= transposedProductMaxColumns ? m &* n : 0 }

/// dst[j, i] (+)= src[i, j]. src: [rows, cols] (lds), dst: [cols, rows] (ldd). 16x16 tiles so both sides
/// are read and written a cache line at a time; tile rows run in parallel when large.
public func transposeMatrix(_ src: UnsafePointer<Float>, rows: Int, cols: Int, lds: Int,
                            _ dst: UnsafeMutablePointer<Float>, ldd: Int, accumulate: Bool) {
    let s = SendablePointer(UnsafeMutablePointer(mutating: src)), d = SendablePointer(dst)
    forEachBlock(rows: rows, columns: cols, costPerRowOfBlocks: 16 &* cols) { i0, i1, j0, j1 in
        for j in j0..<j1 {
            let out = d.pointer + j &* ldd
            if accumulate {
                for i in i0..<i1 { out[i] += s.pointer[i &* lds &+ j] }
            } else {
                for i in i0..<i1 { out[i] = s.pointer[i &* lds &+ j] }
            }
        }
    }
}
