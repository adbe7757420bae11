import CVectorKernels

// Products of a big weight matrix with a narrow one: the U-Net layers at 4x4 to 8x8 pixels (16-64 columns),
// between the streaming products of SkinnyGemm.swift (1-4 columns) and OpenBLAS. OpenBLAS packs the big matrix
// before multiplying, which for these shapes costs about as much as the arithmetic; the AVX-512 loops of
// CVectorKernels/narrow_gemm.c read it where it lies, once. Row-major throughout. AVX-512 only: elsewhere the
// conv kernels keep OpenBLAS for these shapes.

/// Largest pixel count per sample for which the conv kernels use the narrow products (when
/// `narrowProductsAvailable`); 0 turns them off, so tests and the benchmark can compare with OpenBLAS.
nonisolated(unsafe) public var narrowGemmMaxColumns = 64

/// Whether the narrow products run on this machine (AVX-512: `vectorKernelLevel` 2).
@inlinable
public var narrowProductsAvailable: Bool { vectorKernelLevel >= 2 }

/// Whether a conv (or the conv adjoint to a transposed conv) with geometry `g` takes the narrow path: more pixels
/// than the skinny path takes, at most `narrowGemmMaxColumns`, on an AVX-512 machine.
@inlinable
public func convUsesNarrowProducts(_ g: ConvGeometry) -> Bool {
    narrowProductsAvailable && g.outputPlane > skinnyGemmMaxColumns && g.outputPlane <= narrowGemmMaxColumns
}

/// c[i, j] (+)= Σ_l a[i, l] · b[l, j]. a: [m, k] (lda, big), b: [k, n] (ldb, n ≤ 64), c: [m, n] (ldc).
public func narrowGemm(m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                       c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool) {
    precondition(n >= 1 && n <= 64 && narrowProductsAvailable, "narrowGemm: n \(n)")
    let ap = SendablePointer(UnsafeMutablePointer(mutating: a)), bp = SendablePointer(UnsafeMutablePointer(mutating: b))
    let cp = SendablePointer(c)
    parallelFor(m, costPerItem: k &* n) { start, end in
        translate_narrow_gemm(start, end, n, k, ap.pointer, lda, bp.pointer, ldb, cp.pointer, ldc, accumulate ? 1 : 0)
    }
}

/// ct[j, i] = Σ_l x[l, j] · w[l, i] (overwritten): xᵀ·w with the big matrix w read once.
/// x: [k, n] (ldx, n ≤ 64), w: [k, m] (ldw, big), ct: [n, m] (ldct).
public func narrowGemmTransposed(m: Int, n: Int, k: Int, x: UnsafePointer<Float>, ldx: Int,
                                 w: UnsafePointer<Float>, ldw: Int, ct: UnsafeMutablePointer<Float>, ldct: Int) {
    precondition(n >= 1 && n <= 64 && narrowProductsAvailable, "narrowGemmTransposed: n \(n)")
    let xp = SendablePointer(UnsafeMutablePointer(mutating: x)), wp = SendablePointer(UnsafeMutablePointer(mutating: w))
    let cp = SendablePointer(ct)
    let tile = 48, tiles = (m &+ tile &- 1) / tile  // the C loop's column tile: ranges split between tiles
    parallelFor(tiles, costPerItem: tile &* k &* n) { start, end in
        let i0 = start &* tile, width = min(end &* tile, m) &- i0
        translate_narrow_gemm_transposed(i0, width, n, k, xp.pointer, ldx, wp.pointer, ldw, cp.pointer, ldct)
    }
}

/// c[i, l] += Σ_j a[i, j] · bt[j, l]: a rank-n update of the big matrix c.
/// a: [m, n] (lda, n ≤ 64), bt: [n, k] (ldbt), c: [m, k] (ldc, big).
public func narrowRankUpdate(m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, bt: UnsafePointer<Float>,
                             ldbt: Int, c: UnsafeMutablePointer<Float>, ldc: Int) {
    precondition(n >= 1 && n <= 64 && narrowProductsAvailable, "narrowRankUpdate: n \(n)")
    let ap = SendablePointer(UnsafeMutablePointer(mutating: a)), bp = SendablePointer(UnsafeMutablePointer(mutating: bt))
    let cp = SendablePointer(c)
    parallelFor(m, costPerItem: k &* n) { start, end in
        translate_narrow_rank_update(start, end, n, k, ap.pointer, lda, bp.pointer, ldbt, cp.pointer, ldc)
    }
}

// MARK: the products of a conv with few output pixels

/// Most columns for which the narrow transposed product and rank update beat OpenBLAS (a conv's gradients); the
/// forward product wins up to `narrowGemmMaxColumns`.
@usableFromInline let narrowGradientMaxColumns = 16

/// Whether a conv (or the conv adjoint to a transposed conv) with geometry `g` runs its products through
/// `fewColumns…` below (im2col columns of at most 4 pixels, or 64 where the narrow products run), not in bands.
@inlinable
public func convUsesFewColumnProducts(_ g: ConvGeometry) -> Bool {
    g.outputPlane <= skinnyGemmMaxColumns || convUsesNarrowProducts(g)
}

/// c[i, j] (+)= Σ_l w[i, l] · cols[l, j]: a conv's forward product (w: [m, k], cols: [k, p], c: [m, p] with row
/// stride ldc). `colsT` is scratch for p·k floats. Measured on an AVX-512 Xeon, best of 9 (512 x 8192 weights):
/// 1.1-1.2 ms against OpenBLAS's 1.8-1.9 at 16 columns, 2.1-3.0 against 3.0-3.6 at 64; at 1-4 columns the
/// streaming dot products stay (0.5-0.8 ms against 1.1-1.2).
public func fewColumnsProduct(m: Int, p: Int, k: Int, w: UnsafePointer<Float>, cols: UnsafePointer<Float>,
                              colsT: UnsafeMutablePointer<Float>, c: UnsafeMutablePointer<Float>, ldc: Int,
                              accumulate: Bool) {
    if p > skinnyGemmMaxColumns {
        narrowGemm(m: m, n: p, k: k, a: w, lda: k, b: cols, ldb: p, c: c, ldc: ldc, accumulate: accumulate)
        return
    }
    transposeMatrix(cols, rows: k, cols: p, lds: p, colsT, ldd: k, accumulate: false)
    skinnyRowDot(m: m, n: p, k: k, a: w, lda: k, bt: colsT, ldbt: k, c: c, ldc: ldc, accumulate: accumulate)
}

/// c[i, l] += Σ_j a[i, j] · cols[l, j]: a conv's weight gradient (a: [m, p] with row stride lda, cols: [k, p],
/// c: [m, k]). `colsT` is scratch for p·k floats. At AVX-512 the narrow rank update up to 16 columns (0.43-0.88
/// ms against the streaming loop's 0.85 at 4 columns, 512 x 8192; level with OpenBLAS at 16), OpenBLAS above.
public func fewColumnsRankUpdate(m: Int, p: Int, k: Int, a: UnsafePointer<Float>, lda: Int,
                                 cols: UnsafePointer<Float>, colsT: UnsafeMutablePointer<Float>,
                                 c: UnsafeMutablePointer<Float>) {
    if p > narrowGradientMaxColumns && p > skinnyGemmMaxColumns {
        sgemm(transB: true, m: m, n: k, k: p, a: a, lda: lda, b: cols, ldb: p, beta: 1, c: c, ldc: k)
        return
    }
    transposeMatrix(cols, rows: k, cols: p, lds: p, colsT, ldd: k, accumulate: false)
    if narrowProductsAvailable && p <= narrowGemmMaxColumns {
        narrowRankUpdate(m: m, n: p, k: k, a: a, lda: lda, bt: colsT, ldbt: k, c: c, ldc: k)
    } else {
        skinnyRankUpdate(m: m, n: p, k: k, a: a, lda: lda, bt: colsT, ldbt: k, c: c, ldc: k)
    }
}

/// cols[l, j] (+)= Σ_i w[i, l] · x[i, j] with row stride ldCols: wᵀ·x, a conv's input-gradient columns or a
/// transposed conv's forward ones (w: [m, k], x: [m, p] with row stride ldx). `colsT` is scratch for p·k floats.
/// At AVX-512 the narrow transposed product from 2 to 16 columns (1.3-2.4 ms against the streaming loop's
/// 2.8 at 4 columns of 1024 x 8192 weights; 1.0-1.5 against OpenBLAS's 1.4-1.6 at 16 of 512 x 8192); OpenBLAS
/// above 16, where its packed copy of w pays off (5 against 9-10 ms at 64).
public func fewColumnsTransposedProduct(m: Int, p: Int, k: Int, w: UnsafePointer<Float>, x: UnsafePointer<Float>,
                                        ldx: Int, colsT: UnsafeMutablePointer<Float>,
                                        cols: UnsafeMutablePointer<Float>, ldCols: Int, accumulate: Bool) {
    let narrow = narrowProductsAvailable && p >= 2 && p <= min(narrowGradientMaxColumns, narrowGemmMaxColumns)
    if !narrow && p > skinnyGemmMaxColumns {
        sgemm(transA: true, m: k, n: p, k: m, a: w, lda: k, b: x, ldb: ldx, beta: accumulate ? 1 : 0, c: cols,
              ldc: ldCols)
        return
    }
    if narrow {
        narrowGemmTransposed(m: k, n: p, k: m, x: x, ldx: ldx, w: w, ldw: k, ct: colsT, ldct: k)
    } else {
        skinnyStreamRows(m: k, n: p, k: m, x: x, ldx: ldx, w: w, ldw: k, ct: colsT, ldct: k)
    }
    transposeMatrix(colsT, rows: p, cols: k, lds: k, cols, ldd: ldCols, accumulate: accumulate)
}
