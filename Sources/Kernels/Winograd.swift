// Winograd F(4x4, 3x3) convolution for 3x3 stride-1 layers (the ResNet blocks: ~90% of CycleGAN's FLOPs).
// A 4x4 output tile comes from a 6x6 input tile with 36 multiplies per (o, c) pair instead of 144:
//   Y = Aᵀ [ (G g Gᵀ) ⊙ (Bᵀ d B) ] A      (interpolation points 0, ±1, ±2, ∞; Lavin & Gray 2016)
// Over all channels and tiles that is 36 GEMMs M[ξ] = U[ξ]·V[ξ], with U[ξ]: [O, C] transformed weights,
// V[ξ]: [C, tiles] transformed input, M[ξ]: [O, tiles].
// - Input gradient: the same convolution of dy with the flipped, channel-transposed kernel and padding 2 - p.
// - Weight gradient: the exact adjoint of the forward formula, dU[ξ] = Σ_tiles (A dY Aᵀ)[ξ] · V[ξ]ᵀ, then
//   dW = Gᵀ dU G; its GEMMs have the same size as the forward's.
// Tiles are processed a band of tile rows at a time so V and M stay bounded (large images at inference) and
// closer to the cache. Transforms are vectorised across a whole tile row; their scratch rows are per thread.

/// Floats V (or M) of one band may hold: tile rows per band = budget / (36 · channels · tiles per row).
nonisolated(unsafe) public var winogradBandFloats = 4 << 20

/// Whether conv2d runs this layer through Winograd: 3x3, stride 1, padding ≤ 2 (the input gradient's padding
/// is 2 - p), and enough channels on both sides for the GEMMs to dominate the transforms.
@inlinable
public func conv2dUsesWinograd(outChannels o: Int, geometry g: ConvGeometry) -> Bool {
    guard g.kernelH == 3 && g.kernelW == 3 && g.stride == 1 && g.padding <= 2 else { return false }
    switch conv2dLowering {
    case .winograd: return true
    case .columns, .tapPlanes: return false
    case .automatic: return g.channels >= 32 && o >= 32 && g.outHeight >= 4 && g.outWidth >= 4
    }
}

/// Distance between consecutive transformed matrices (the 36 ξ): a whole number of 4 KB pages plus one cache
/// line, so the transforms' 36 output streams do not all map to the same L1 sets (4K aliasing made the
/// transforms several times slower at 128 channels).
@inlinable
func winogradMatrixStride(_ count: Int) -> Int { count &+ 16 }

/// Tile rows per band for an output of `tilesH` x `tilesW` tiles and at most `channels` channels per side,
/// balanced so the last band is not a sliver.
@inlinable
func winogradTileRowsPerBand(channels: Int, tilesW: Int, tilesH: Int) -> Int {
    let perRow = max(1, 36 &* channels &* tilesW)
    let maxRows = max(1, min(tilesH, winogradBandFloats / perRow))
    let bands = (tilesH &+ maxRows &- 1) / maxRows
    return (tilesH &+ bands &- 1) / bands
}

/// Workspace floats the Winograd forward and backward passes need: one set of transformed weights (36·O·C),
/// the nine tap planes they are made from (9·O·C) and a band of transformed input and output (36·(C+O)·tiles),
/// for the forward and the input-gradient shapes. Layout: U, planes, band.
@inlinable
public func winogradWorkspaceCount(outChannels o: Int, geometry g: ConvGeometry) -> Int {
    let c = g.channels, widest = max(c, o)
    let forwardW = (g.outWidth &+ 3) / 4, forwardH = (g.outHeight &+ 3) / 4
    let inputW = (g.width &+ 3) / 4, inputH = (g.height &+ 3) / 4
    let forwardTiles = winogradTileRowsPerBand(channels: widest, tilesW: forwardW, tilesH: forwardH) &* forwardW
    let inputTiles = winogradTileRowsPerBand(channels: widest, tilesW: inputW, tilesH: inputH) &* inputW
    let tiles = max(forwardTiles, inputTiles)
    return 45 &* winogradMatrixStride(o &* c) &+ 36 &* (winogradMatrixStride(c &* tiles) &+ winogradMatrixStride(o &* tiles))
}

/// Floats of a layer's transformed weights U (36 x [O, C], matrices `winogradMatrixStride` apart), as
/// `winogradPrepareWeights` writes them.
@inlinable
public func winogradTransformedWeightCount(outChannels o: Int, channels c: Int) -> Int {
    36 &* winogradMatrixStride(o &* c)
}

/// Writes the transformed weights U of weight [O,C,3,3] into `u` (`winogradTransformedWeightCount` floats),
/// for a caller that keeps them across passes while the weights do not change. `flipped`: those of the input
/// gradient's convolution (the kernel rotated by 180°, channels swapped), which the backward pass uses.
public func winogradPrepareWeights(_ weight: UnsafePointer<Float>, outChannels o: Int, channels c: Int,
                                   flipped: Bool = false, into u: UnsafeMutablePointer<Float>) {
    let planes = UnsafeMutablePointer<Float>.allocate(capacity: 9 &* winogradMatrixStride(o &* c))
    defer { planes.deallocate() }
    winogradTransformWeights(weight, outChannels: o, channels: c, flipped: flipped, u, planes: planes)
}

/// Transforms the weights into the workspace's U slot (its planes slot as scratch) and returns the slot.
private func winogradTransformIntoWorkspace(_ weight: UnsafePointer<Float>, outChannels o: Int, channels c: Int,
                                            flipped: Bool, _ workspace: UnsafeMutablePointer<Float>)
    -> UnsafePointer<Float> {
    winogradTransformWeights(weight, outChannels: o, channels: c, flipped: flipped, workspace,
                             planes: workspace + 36 &* winogradMatrixStride(o &* c))
    return UnsafePointer(workspace)
}

/// y = conv3x3(x, weight) + bias (stride 1, zero padding g.padding). x: [N,C,H,W], weight: [O,C,3,3].
/// With `transformedWeights` (from `winogradPrepareWeights` of this weight) the weight transform is skipped.
public func winogradConv2dForward(x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                                  y: UnsafeMutablePointer<Float>, batch: Int, outChannels o: Int,
                                  geometry g: ConvGeometry, workspace: UnsafeMutablePointer<Float>,
                                  transformedWeights: UnsafePointer<Float>? = nil) {
    let c = g.channels
    let u = transformedWeights ?? winogradTransformIntoWorkspace(weight, outChannels: o, channels: c, flipped: false,
                                                                 workspace)
    for n in 0..<batch {
        winogradConvolve(input: x + n &* c &* g.inputPlane, channels: c, height: g.height, width: g.width,
                         padding: g.padding, transformedWeights: u, outChannels: o, bias: bias,
                         output: y + n &* o &* g.outputPlane, outHeight: g.outHeight, outWidth: g.outWidth,
                         accumulate: false, bands: workspace + 45 &* winogradMatrixStride(o &* c))
    }
}

/// Gradients of `winogradConv2dForward`, each accumulated (+=) when its pointer is non-nil (bias: by the caller).
/// With `flippedWeights` (`winogradPrepareWeights(flipped: true)` of this weight) the input gradient skips
/// its weight transform.
public func winogradConv2dBackward(gradOut dy: UnsafePointer<Float>, x: UnsafePointer<Float>,
                                   weight: UnsafePointer<Float>, gradX: UnsafeMutablePointer<Float>?,
                                   gradWeight: UnsafeMutablePointer<Float>?, batch: Int, outChannels o: Int,
                                   geometry g: ConvGeometry, workspace: UnsafeMutablePointer<Float>,
                                   flippedWeights: UnsafePointer<Float>? = nil) {
    let c = g.channels, bands = workspace + 45 &* winogradMatrixStride(o &* c)
    if let gradX {
        // dx = conv3x3(dy, flip(W)ᵀ) with padding 2 - p: a forward Winograd convolution from O to C channels.
        let u = flippedWeights ?? winogradTransformIntoWorkspace(weight, outChannels: o, channels: c, flipped: true,
                                                                 workspace)
        for n in 0..<batch {
            winogradConvolve(input: dy + n &* o &* g.outputPlane, channels: o, height: g.outHeight,
                             width: g.outWidth, padding: 2 &- g.padding, transformedWeights: u,
                             outChannels: c, bias: nil, output: gradX + n &* c &* g.inputPlane,
                             outHeight: g.height, outWidth: g.width, accumulate: true, bands: bands)
        }
    }
    guard let gradWeight else { return }
    // dU accumulates in the transformed-weight slot over all samples and bands, then folds back onto dW.
    let tilesW = (g.outWidth &+ 3) / 4, tilesH = (g.outHeight &+ 3) / 4
    let rowsPerBand = winogradTileRowsPerBand(channels: max(c, o), tilesW: tilesW, tilesH: tilesH)
    var first = true
    for n in 0..<batch {
        let xn = x + n &* c &* g.inputPlane, dyn = dy + n &* o &* g.outputPlane
        var row0 = 0
        while row0 < tilesH {
            let rows = min(rowsPerBand, tilesH &- row0), tiles = rows &* tilesW
            let vStride = winogradMatrixStride(c &* tiles), mStride = winogradMatrixStride(o &* tiles)
            let uStride = winogradMatrixStride(o &* c)
            let v = bands, m = bands + 36 &* vStride
            winogradInputTransform(xn, channels: c, height: g.height, width: g.width, padding: g.padding,
                                   tileRow0: row0, tileRows: rows, tilesW: tilesW, into: v)
            winogradOutputGradientTransform(dyn, channels: o, height: g.outHeight, width: g.outWidth,
                                            tileRow0: row0, tileRows: rows, tilesW: tilesW, into: m)
            for xi in 0..<36 {  // dU[ξ][O, C] (+)= M[ξ][O, tiles] · V[ξ][C, tiles]ᵀ
                sgemm(transB: true, m: o, n: c, k: tiles, a: m + xi &* mStride, lda: tiles,
                      b: v + xi &* vStride, ldb: tiles, beta: first ? 0 : 1, c: workspace + xi &* uStride, ldc: c)
            }
            first = false
            row0 &+= rows
        }
    }
    winogradFoldWeightGradient(workspace, outChannels: o, channels: c, into: gradWeight)
}

// MARK: - One convolution over one sample

/// output[O, Ho, Wo] (+)= conv3x3(input[C, H, W]) with transformed weights U (36 x [O, C]), band by band.
func winogradConvolve(input: UnsafePointer<Float>, channels c: Int, height: Int, width: Int, padding: Int,
                      transformedWeights u: UnsafePointer<Float>, outChannels o: Int, bias: UnsafePointer<Float>?,
                      output: UnsafeMutablePointer<Float>, outHeight: Int, outWidth: Int, accumulate: Bool,
                      bands: UnsafeMutablePointer<Float>) {
    let tilesW = (outWidth &+ 3) / 4, tilesH = (outHeight &+ 3) / 4
    let rowsPerBand = winogradTileRowsPerBand(channels: max(c, o), tilesW: tilesW, tilesH: tilesH)
    var row0 = 0
    while row0 < tilesH {
        let rows = min(rowsPerBand, tilesH &- row0), tiles = rows &* tilesW
        let vStride = winogradMatrixStride(c &* tiles), mStride = winogradMatrixStride(o &* tiles)
        let uStride = winogradMatrixStride(o &* c)
        let v = bands, m = bands + 36 &* vStride
        winogradInputTransform(input, channels: c, height: height, width: width, padding: padding,
                               tileRow0: row0, tileRows: rows, tilesW: tilesW, into: v)
        for xi in 0..<36 {  // M[ξ][O, tiles] = U[ξ][O, C] · V[ξ][C, tiles]
            sgemm(m: o, n: tiles, k: c, a: u + xi &* uStride, lda: c, b: v + xi &* vStride, ldb: tiles,
                  c: m + xi &* mStride, ldc: tiles)
        }
        winogradOutputTransform(m, outChannels: o, tileRow0: row0, tileRows: rows, tilesW: tilesW, bias: bias,
                                output: output, outHeight: outHeight, outWidth: outWidth, accumulate: accumulate)
        row0 &+= rows
    }
}

// MARK: - Transforms

/// U[ξ][o, c] = (G g Gᵀ)[ξ] for each 3x3 kernel g = weight[o, c]; with `flipped`, U[ξ][c, o] from the kernel
/// rotated by 180° (the input gradient's convolution, which maps O channels to C).
/// The taps are first spread into nine planes laid out like the destination, so the transform itself is one
/// unit-stride loop from 9 planes to 36 that the compiler vectorises. `planes` holds 9·O·C floats.
func winogradTransformWeights(_ weight: UnsafePointer<Float>, outChannels o: Int, channels c: Int, flipped: Bool,
                              _ u: UnsafeMutablePointer<Float>, planes: UnsafeMutablePointer<Float>) {
    let w = SendablePointer(UnsafeMutablePointer(mutating: weight)), dst = SendablePointer(u)
    let tap = SendablePointer(planes)
    let matrix = winogradMatrixStride(o &* c), rows = flipped ? c : o, columns = flipped ? o : c
    // Spread in 16x16 blocks of (row, column): the rotated case reads the weight across its rows, so
    // blocking keeps both the reads (9 contiguous taps per kernel) and the writes within a few cache lines.
    forEachBlock(rows: rows, columns: columns, costPerRowOfBlocks: 16 &* columns &* 18) { r0, r1, c0, c1 in
        for row in r0..<r1 {
            let out = tap.pointer + row &* columns
            if flipped {  // row = input channel ci, column = output channel oc
                for column in c0..<c1 {
                    let g = w.pointer + (column &* c &+ row) &* 9
                    for k in 0..<9 { out[k &* matrix &+ column] = g[8 &- k] }
                }
            } else {
                let g = w.pointer + row &* c &* 9
                for column in c0..<c1 {
                    for k in 0..<9 { out[k &* matrix &+ column] = g[column &* 9 &+ k] }
                }
            }
        }
    }
    parallelFor(o &* c, costPerItem: 60) { start, end in
        let p = tap.pointer, out = dst.pointer
        let m = matrix
        for i in start..<end {
            let k0 = p[i], k1 = p[m &+ i], k2 = p[2 &* m &+ i], k3 = p[3 &* m &+ i], k4 = p[4 &* m &+ i]
            let k5 = p[5 &* m &+ i], k6 = p[6 &* m &+ i], k7 = p[7 &* m &+ i], k8 = p[8 &* m &+ i]
            // G down each kernel column, then along each of the six resulting rows.
            let c0 = interpolate(k0, k3, k6), c1 = interpolate(k1, k4, k7), c2 = interpolate(k2, k5, k8)
            let r0 = interpolate(c0.0, c1.0, c2.0), r1 = interpolate(c0.1, c1.1, c2.1)
            let r2 = interpolate(c0.2, c1.2, c2.2), r3 = interpolate(c0.3, c1.3, c2.3)
            let r4 = interpolate(c0.4, c1.4, c2.4), r5 = interpolate(c0.5, c1.5, c2.5)
            store(r0, out + i, m)
            store(r1, out + (6 &* m &+ i), m)
            store(r2, out + (12 &* m &+ i), m)
            store(r3, out + (18 &* m &+ i), m)
            store(r4, out + (24 &* m &+ i), m)
            store(r5, out + (30 &* m &+ i), m)
        }
    }
}

@inline(__always)
func store(_ v: (Float, Float, Float, Float, Float, Float), _ out: UnsafeMutablePointer<Float>, _ stride: Int) {
    out[0] = v.0
    out[stride] = v.1
    out[2 &* stride] = v.2
    out[3 &* stride] = v.3
    out[4 &* stride] = v.4
    out[5 &* stride] = v.5
}

/// G·(a, b, c)ᵀ: the six interpolated values of one kernel row or column.
@inline(__always)
func interpolate(_ a: Float, _ b: Float, _ c: Float) -> (Float, Float, Float, Float, Float, Float) {
    let quarter: Float = 0.25, sixth: Float = 1.0 / 6.0, twelfth: Float = 1.0 / 12.0, twentyFourth: Float = 1.0 / 24.0
    let outer = a * twentyFourth + c * sixth, middle = b * twelfth
    return (a * quarter, -(a + b + c) * sixth, -(a - b + c) * sixth, outer + middle, outer - middle, c)
}

/// Bᵀ·(a0 … a5): one axis of the 6x6 input-tile transform.
@inline(__always)
func inputPoints(_ a0: Float, _ a1: Float, _ a2: Float, _ a3: Float, _ a4: Float, _ a5: Float)
    -> (Float, Float, Float, Float, Float, Float) {
    ((4 * a0 - 5 * a2 + a4), (a3 + a4) - 4 * (a1 + a2), (a4 - a3) + 4 * (a1 - a2),
     (a4 - a2) + 2 * (a3 - a1), (a4 - a2) + 2 * (a1 - a3), (4 * a1 - 5 * a3 + a5))
}

/// Aᵀ·(a0 … a5): one axis of the output transform, six transformed values back to four outputs.
@inline(__always)
func outputPoints(_ a0: Float, _ a1: Float, _ a2: Float, _ a3: Float, _ a4: Float, _ a5: Float)
    -> (Float, Float, Float, Float) {
    (a0 + (a1 + a2) + (a3 + a4), (a1 - a2) + 2 * (a3 - a4), (a1 + a2) + 4 * (a3 + a4), (a1 - a2) + 8 * (a3 - a4) + a5)
}

/// A·(a0 … a3): one axis of the output-gradient transform (the adjoint of `outputPoints`), four values to six.
@inline(__always)
func gradientPoints(_ a0: Float, _ a1: Float, _ a2: Float, _ a3: Float) -> (Float, Float, Float, Float, Float, Float) {
    (a0, (a0 + a2) + (a1 + a3), (a0 + a2) - (a1 + a3), (a0 + 4 * a2) + 2 * (a1 + 4 * a3),
     (a0 + 4 * a2) - 2 * (a1 + 4 * a3), a3)
}

/// Gᵀ·(a0 … a5): the three kernel taps a column (or row) of six transformed values folds back onto.
@inline(__always)
func gradientRows(_ a0: Float, _ a1: Float, _ a2: Float, _ a3: Float, _ a4: Float, _ a5: Float) -> SIMD4<Float> {
    let quarter: Float = 0.25, sixth: Float = 1.0 / 6.0, twelfth: Float = 1.0 / 12.0, twentyFourth: Float = 1.0 / 24.0
    return SIMD4(a0 * quarter - (a1 + a2) * sixth + (a3 + a4) * twentyFourth,
                 (a2 - a1) * sixth + (a3 - a4) * twelfth,
                 (a3 + a4 - a1 - a2) * sixth + a5,
                 0)
}

/// row[0..<count] = row `iy` of a [height, width] plane moved right by `left` columns, zero wherever it falls
/// outside the plane (rows above or below it, the left padding, and the columns past its right edge).
@inline(__always)
func loadZeroPaddedRow(_ plane: UnsafePointer<Float>, row iy: Int, height: Int, width: Int, left: Int,
                       into row: UnsafeMutablePointer<Float>, count: Int) {
    guard iy >= 0 && iy < height else {
        row.update(repeating: 0, count: count)
        return
    }
    row.update(repeating: 0, count: left)
    (row + left).update(from: plane + iy &* width, count: width)
    (row + (left &+ width)).update(repeating: 0, count: count &- left &- width)
}

/// V[ξ][c, tile] = (Bᵀ d B)[ξ] for the 6x6 input patch d of every tile in the band (zero outside the input).
func winogradInputTransform(_ x: UnsafePointer<Float>, channels c: Int, height: Int, width: Int, padding p: Int,
                            tileRow0: Int, tileRows: Int, tilesW: Int, into v: UnsafeMutablePointer<Float>) {
    let tiles = tileRows &* tilesW, matrix = winogradMatrixStride(c &* tiles)
    let paddedW = tilesW &* 4 &+ 2  // ≥ width + 2p: padded column i is input column i - p
    let src = SendablePointer(UnsafeMutablePointer(mutating: x)), dst = SendablePointer(v)
    parallelFor(c, costPerItem: tiles &* 36 &* 8) { start, end in
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: 12 &* paddedW)
        defer { scratch.deallocate() }
        let rows = scratch, t = scratch + 6 &* paddedW
        for ci in start..<end {
            let plane = src.pointer + ci &* height &* width
            for ty in 0..<tileRows {
                let y0 = (tileRow0 &+ ty) &* 4 &- p
                for r in 0..<6 {
                    loadZeroPaddedRow(plane, row: y0 &+ r, height: height, width: width, left: p,
                                      into: rows + r &* paddedW, count: paddedW)
                }
                // Bᵀ down the six rows, all columns at once.
                let w = paddedW
                for i in 0..<w {
                    let d = rows + i
                    store(inputPoints(d[0], d[w], d[2 &* w], d[3 &* w], d[4 &* w], d[5 &* w]), t + i, w)
                }
                // Bᵀ along each tile's six columns.
                let base = ci &* tiles &+ ty &* tilesW
                for k in 0..<6 {
                    let tk = t + k &* paddedW, out = dst.pointer + ((k &* 6) &* matrix &+ base)
                    for tx in 0..<tilesW {
                        let e = tk + tx &* 4
                        store(inputPoints(e[0], e[1], e[2], e[3], e[4], e[5]), out + tx, matrix)
                    }
                }
            }
        }
    }
}

/// output[o, 4x4 tile] (+)= (Aᵀ m A) + bias[o] for every tile of the band (rows and columns past the output
/// edge are dropped).
func winogradOutputTransform(_ m: UnsafePointer<Float>, outChannels o: Int, tileRow0: Int, tileRows: Int,
                             tilesW: Int, bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>,
                             outHeight: Int, outWidth: Int, accumulate: Bool) {
    let tiles = tileRows &* tilesW, matrix = winogradMatrixStride(o &* tiles), rowW = tilesW &* 4
    let src = SendablePointer(UnsafeMutablePointer(mutating: m)), dst = SendablePointer(output)
    let biasPointer = bias.map { SendablePointer(UnsafeMutablePointer(mutating: $0)) }
    parallelFor(o, costPerItem: tiles &* 36 &* 8) { start, end in
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: 24 &* tilesW &+ rowW)
        defer { scratch.deallocate() }
        let s = scratch, row = scratch + 24 &* tilesW  // s[r][j][tile]: Aᵀ applied down the rows of m
        for oc in start..<end {
            let b = biasPointer?.pointer[oc] ?? 0
            let plane = dst.pointer + oc &* outHeight &* outWidth
            for ty in 0..<tileRows {
                let base = oc &* tiles &+ ty &* tilesW
                for j in 0..<6 {
                    let a0 = src.pointer + (j &* matrix &+ base), a1 = a0 + 6 &* matrix, a2 = a1 + 6 &* matrix
                    let a3 = a2 + 6 &* matrix, a4 = a3 + 6 &* matrix, a5 = a4 + 6 &* matrix
                    let s0 = s + j &* tilesW, s1 = s0 + 6 &* tilesW, s2 = s1 + 6 &* tilesW, s3 = s2 + 6 &* tilesW
                    for tx in 0..<tilesW {
                        let v = outputPoints(a0[tx], a1[tx], a2[tx], a3[tx], a4[tx], a5[tx])
                        s0[tx] = v.0
                        s1[tx] = v.1
                        s2[tx] = v.2
                        s3[tx] = v.3
                    }
                }
                for r in 0..<4 {
                    let oy = (tileRow0 &+ ty) &* 4 &+ r
                    if oy >= outHeight { break }
                    let b0 = s + r &* 6 &* tilesW, b1 = b0 + tilesW, b2 = b1 + tilesW
                    let b3 = b2 + tilesW, b4 = b3 + tilesW, b5 = b4 + tilesW
                    for tx in 0..<tilesW {
                        let v = outputPoints(b0[tx], b1[tx], b2[tx], b3[tx], b4[tx], b5[tx]), out = row + tx &* 4
                        out[0] = v.0
                        out[1] = v.1
                        out[2] = v.2
                        out[3] = v.3
                    }
                    let target = plane + oy &* outWidth
                    if accumulate {
                        for i in 0..<outWidth { target[i] += row[i] + b }
                    } else {
                        for i in 0..<outWidth { target[i] = row[i] + b }
                    }
                }
            }
        }
    }
}

/// M[ξ][o, tile] = (A dY Aᵀ)[ξ] for the 4x4 output-gradient tile of every tile in the band (zero past the edge).
func winogradOutputGradientTransform(_ dy: UnsafePointer<Float>, channels o: Int, height: Int, width: Int,
                                     tileRow0: Int, tileRows: Int, tilesW: Int, into m: UnsafeMutablePointer<Float>) {
    let tiles = tileRows &* tilesW, matrix = winogradMatrixStride(o &* tiles), rowW = tilesW &* 4
    let src = SendablePointer(UnsafeMutablePointer(mutating: dy)), dst = SendablePointer(m)
    parallelFor(o, costPerItem: tiles &* 36 &* 8) { start, end in
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: 10 &* rowW)
        defer { scratch.deallocate() }
        let rows = scratch, z = scratch + 4 &* rowW
        for oc in start..<end {
            let plane = src.pointer + oc &* height &* width
            for ty in 0..<tileRows {
                for r in 0..<4 {
                    loadZeroPaddedRow(plane, row: (tileRow0 &+ ty) &* 4 &+ r, height: height, width: width, left: 0,
                                      into: rows + r &* rowW, count: rowW)
                }
                // A down the four rows, all columns at once, then along each tile's four columns.
                let w = rowW
                for i in 0..<w {
                    let d = rows + i
                    store(gradientPoints(d[0], d[w], d[2 &* w], d[3 &* w]), z + i, w)
                }
                let base = oc &* tiles &+ ty &* tilesW
                for k in 0..<6 {
                    let zk = z + k &* rowW, out = dst.pointer + ((k &* 6) &* matrix &+ base)
                    for tx in 0..<tilesW {
                        let e = zk + tx &* 4
                        store(gradientPoints(e[0], e[1], e[2], e[3]), out + tx, matrix)
                    }
                }
            }
        }
    }
}

/// gradWeight[o, c] += Gᵀ dU[o, c] G (3x3 from each 6x6 of transformed-weight gradients).
func winogradFoldWeightGradient(_ du: UnsafePointer<Float>, outChannels o: Int, channels c: Int,
                                into gradWeight: UnsafeMutablePointer<Float>) {
    let matrix = winogradMatrixStride(o &* c)
    let src = SendablePointer(UnsafeMutablePointer(mutating: du)), dst = SendablePointer(gradWeight)
    parallelFor(o, costPerItem: c &* 200) { start, end in
        for oc in start..<end {
            for ci in 0..<c {
                let at = src.pointer + (oc &* c &+ ci)
                @inline(__always) func value(_ r: Int, _ s: Int) -> Float { at[(r &* 6 &+ s) &* matrix] }
                // Gᵀ down each of the six columns, then along the three resulting rows.
                var columns = (SIMD4<Float>(), SIMD4<Float>(), SIMD4<Float>(), SIMD4<Float>(), SIMD4<Float>(),
                               SIMD4<Float>())
                columns.0 = gradientRows(value(0, 0), value(1, 0), value(2, 0), value(3, 0), value(4, 0), value(5, 0))
                columns.1 = gradientRows(value(0, 1), value(1, 1), value(2, 1), value(3, 1), value(4, 1), value(5, 1))
                columns.2 = gradientRows(value(0, 2), value(1, 2), value(2, 2), value(3, 2), value(4, 2), value(5, 2))
                columns.3 = gradientRows(value(0, 3), value(1, 3), value(2, 3), value(3, 3), value(4, 3), value(5, 3))
                columns.4 = gradientRows(value(0, 4), value(1, 4), value(2, 4), value(3, 4), value(4, 4), value(5, 4))
                columns.5 = gradientRows(value(0, 5), value(1, 5), value(2, 5), value(3, 5), value(4, 5), value(5, 5))
                let out = dst.pointer + (oc &* c &+ ci) &* 9
                for i in 0..<3 {
                    let taps = gradientRows(columns.0[i], columns.1[i], columns.2[i], columns.3[i], columns.4[i],
                                            columns.5[i])
                    out[i &* 3] += taps[0]
                    out[i &* 3 &+ 1] += taps[1]
                    out[i &* 3 &+ 2] += taps[2]
                }
            }
        }
    }
}
