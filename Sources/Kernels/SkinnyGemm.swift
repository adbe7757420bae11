import CVectorKernels

// Matrix products where one side is a big weight matrix and the other has only a few columns (the deep U-Net
// layers at 1x1..4x4 pixels). OpenBLAS packs the weight for such shapes and runs at a few % of peak; these
// loops stream the weight once instead, so they run at memory speed. Row-major throughout; `n` is the small
// dimension (at most `skinnyGemmMaxColumns`).

/// Largest pixel count per sample for which the conv kernels use the streaming products below
/// (0 turns them off, so tests and the benchmark can compare with the plain GEMM path). Measured on Zen 3:
/// 2-5x faster than OpenBLAS up to 4 pixels (2x2), slower at 16 (4x4), where OpenBLAS's AVX2 kernels win. On an
/// AVX-512 Xeon the C variants are still 1.5-2.5x slower than OpenBLAS at 16 (down6, up6 f+b), so 4 stays; there
/// the narrow products (NarrowGemm.swift) take 5-64 pixels, and the transposed and rank-update products from 1-4.
nonisolated(unsafe) public var skinnyGemmMaxColumns = 4

/// Workspace floats for the im2col-based conv kernels (in bands, or with few columns) with geometry `g`: one
/// band of columns, plus as much again when the band is narrow enough for a transposed product or few columns.
@inlinable
public func convColumnsWorkspaceCount(_ g: ConvGeometry) -> Int {
    if convUsesFewColumnProducts(g) { return 2 &* g.colRows &* g.outputPlane }
    let cols = g.isPointwise ? g.outputPlane : im2colRowsPerChunk(g) &* g.outWidth
    let columns = g.isPointwise ? 0 : g.colRows &* cols
    return columns &+ transposedProductScratch(m: g.colRows, n: cols)
}

/// Floats ahead of the current position at which the streaming loops request the big matrix (4 KB; 2-8 KB
/// measured alike, none at all about half the speed).
@usableFromInline let streamPrefetchDistance = 1024

/// c[i, j] (+)= Σ_k a[i, k] · bt[j, k]. a: [m, k] (lda), bt: [n, k] (ldbt, small), c: [m, n] (ldc).
/// Each row of `a` is read once per four columns, from cache after the first.
public func skinnyRowDot(m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int,
                         bt: UnsafePointer<Float>, ldbt: Int,
                         c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool) {
    let ap = SendablePointer(UnsafeMutablePointer(mutating: a)), bp = SendablePointer(UnsafeMutablePointer(mutating: bt))
    let cp = SendablePointer(c)
    let level = vectorKernelLevel
    parallelFor(m, costPerItem: k &* n) { start, end in
        if level > 0 {
            translate_skinny_row_dot(Int32(level), start, end, n, k, ap.pointer, lda, bp.pointer, ldbt, cp.pointer,
                                     ldc, accumulate ? 1 : 0)
            return
        }
        for i in start..<end {
            let row = ap.pointer + i &* lda
            var j0 = 0
            while j0 < n {
                let cnt = min(4, n &- j0)
                let b0 = bp.pointer + j0 &* ldbt
                let b1 = cnt > 1 ? b0 + ldbt : b0, b2 = cnt > 2 ? b0 + 2 &* ldbt : b0, b3 = cnt > 3 ? b0 + 3 &* ldbt : b0
                var s0 = SIMD8<Float>(), s1 = SIMD8<Float>(), s2 = SIMD8<Float>(), s3 = SIMD8<Float>()
                var kk = 0
                while kk &+ 8 <= k {
                    prefetch(row + (kk &+ streamPrefetchDistance))
                    let av = load8(row + kk)
                    s0 += av * load8(b0 + kk); s1 += av * load8(b1 + kk)
                    s2 += av * load8(b2 + kk); s3 += av * load8(b3 + kk)
                    kk &+= 8
                }
                var t0 = s0.sum(), t1 = s1.sum(), t2 = s2.sum(), t3 = s3.sum()
                while kk < k {
                    let av = row[kk]
                    t0 += av * b0[kk]; t1 += av * b1[kk]; t2 += av * b2[kk]; t3 += av * b3[kk]
                    kk &+= 1
                }
                let out = cp.pointer + i &* ldc + j0
                let sums = (t0, t1, t2, t3)
                for j in 0..<cnt {
                    let v = j == 0 ? sums.0 : j == 1 ? sums.1 : j == 2 ? sums.2 : sums.3
                    out[j] = accumulate ? out[j] + v : v
                }
                j0 &+= 4
            }
        }
    }
}

/// ct[j, i] = Σ_k x[k, j] · w[k, i]: the transposed product xᵀ·w with the big matrix w streamed row by row
/// (rather than wᵀ·x, whose transposed packing is what makes OpenBLAS slow here).
/// x: [k, n] (ldx, small), w: [k, m] (ldw), ct: [n, m] (ldct), overwritten.
public func skinnyStreamRows(m: Int, n: Int, k: Int, x: UnsafePointer<Float>, ldx: Int,
                             w: UnsafePointer<Float>, ldw: Int,
                             ct: UnsafeMutablePointer<Float>, ldct: Int) {
    // Columns of w per task: long row segments let the hardware prefetcher stream w (short ones across rows
    // 32 KB apart stall on every row); n rows of ct over the block (≤ 256 KB) stay in L2.
    let perThread = (m &+ max(1, kernelThreadCount) &- 1) / max(1, kernelThreadCount)
    let block = max(8, min(4096, (perThread &+ 7) & ~7))
    let xp = SendablePointer(UnsafeMutablePointer(mutating: x)), wp = SendablePointer(UnsafeMutablePointer(mutating: w))
    let cp = SendablePointer(ct)
    let blocks = (m &+ block &- 1) / block
    let level = vectorKernelLevel
    parallelFor(blocks, costPerItem: block &* k &* n) { start, end in
        for b in start..<end {
            let i0 = b &* block, width = min(block, m &- i0)
            if level > 0 {
                translate_skinny_stream_rows(Int32(level), i0, width, n, k, xp.pointer, ldx, wp.pointer, ldw,
                                             cp.pointer, ldct)
                continue
            }
            let vecEnd = width & ~7
            for j in 0..<n { (cp.pointer + j &* ldct + i0).update(repeating: 0, count: width) }
            for kk in 0..<k {
                let wrow = wp.pointer + kk &* ldw + i0, xrow = xp.pointer + kk &* ldx
                // Requests w ahead of column i; past this row's segment the stream continues at the next row's.
                @inline(__always) func prefetchAhead(_ i: Int) {
                    let ahead = i &+ streamPrefetchDistance
                    prefetch(ahead < width ? wrow + ahead : wrow + (ldw &- width &+ ahead))
                }
                var j0 = 0
                while j0 < n {
                    let cnt = min(4, n &- j0)
                    let c0 = cp.pointer + j0 &* ldct + i0
                    if cnt == 4 {
                        let x0 = xrow[j0], x1 = xrow[j0 &+ 1], x2 = xrow[j0 &+ 2], x3 = xrow[j0 &+ 3]
                        let c1 = c0 + ldct, c2 = c0 + 2 &* ldct, c3 = c0 + 3 &* ldct
                        var i = 0
                        while i < vecEnd {
                            prefetchAhead(i)
                            let wv = load8(wrow + i)
                            store8(load8(c0 + i) + x0 * wv, c0 + i)
                            store8(load8(c1 + i) + x1 * wv, c1 + i)
                            store8(load8(c2 + i) + x2 * wv, c2 + i)
                            store8(load8(c3 + i) + x3 * wv, c3 + i)
                            i &+= 8
                        }
                        while i < width {
                            let wv = wrow[i]
                            c0[i] += x0 * wv; c1[i] += x1 * wv; c2[i] += x2 * wv; c3[i] += x3 * wv
                            i &+= 1
                        }
                    } else {
                        for j in 0..<cnt {
                            let xj = xrow[j0 &+ j], cj = c0 + j &* ldct
                            var i = 0
                            while i < vecEnd {
                                if j == 0 { prefetchAhead(i) }
                                store8(load8(cj + i) + xj * load8(wrow + i), cj + i)
                                i &+= 8
                            }
                            while i < width { cj[i] += xj * wrow[i]; i &+= 1 }
                        }
                    }
                    j0 &+= 4
                }
            }
        }
    }
}

/// c[i, :] += Σ_j a[i, j] · bt[j, :]: a rank-n update of the big matrix c, streamed once.
/// a: [m, n] (lda, small), bt: [n, k] (ldbt, small), c: [m, k] (ldc).
public func skinnyRankUpdate(m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int,
                             bt: UnsafePointer<Float>, ldbt: Int,
                             c: UnsafeMutablePointer<Float>, ldc: Int) {
    let ap = SendablePointer(UnsafeMutablePointer(mutating: a)), bp = SendablePointer(UnsafeMutablePointer(mutating: bt))
    let cp = SendablePointer(c)
    let vecEnd = k & ~7
    let level = vectorKernelLevel
    parallelFor(m, costPerItem: k &* n) { start, end in
        if level > 0 {
            translate_skinny_rank_update(Int32(level), start, end, n, k, ap.pointer, lda, bp.pointer, ldbt,
                                         cp.pointer, ldc)
            return
        }
        for i in start..<end {
            let row = cp.pointer + i &* ldc, arow = ap.pointer + i &* lda
            var j0 = 0
            while j0 < n {
                let cnt = min(4, n &- j0)
                let a0 = arow[j0], a1 = cnt > 1 ? arow[j0 &+ 1] : 0
                let a2 = cnt > 2 ? arow[j0 &+ 2] : 0, a3 = cnt > 3 ? arow[j0 &+ 3] : 0
                let b0 = bp.pointer + j0 &* ldbt
                let b1 = cnt > 1 ? b0 + ldbt : b0, b2 = cnt > 2 ? b0 + 2 &* ldbt : b0, b3 = cnt > 3 ? b0 + 3 &* ldbt : b0
                var kk = 0
                while kk < vecEnd {
                    prefetch(row + (kk &+ streamPrefetchDistance))
                    let v = load8(row + kk) + a0 * load8(b0 + kk) + a1 * load8(b1 + kk)
                        + a2 * load8(b2 + kk) + a3 * load8(b3 + kk)
                    store8(v, row + kk)
                    kk &+= 8
                }
                while kk < k {
                    row[kk] += a0 * b0[kk] + a1 * b1[kk] + a2 * b2[kk] + a3 * b3[kk]
                    kk &+= 1
                }
                j0 &+= 4
            }
        }
    }
}
