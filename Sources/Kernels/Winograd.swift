import CVectorKernels

// Winograd convolution on 6x6 input tiles for the stride-1 layers that dominate the FLOPs:
// - F(4x4, 3x3) for 3x3 layers (the ResNet blocks: ~90% of CycleGAN's FLOPs),
// - F(3x3, 4x4) for 4x4 layers (the PatchGAN's 256→512 conv: ~60% of the discriminator's FLOPs).
// (WinogradTransposed.swift adds F(5x5, 2x2) for the U-Net's 4x4 stride-2 up-convs, on the same tiles and Bᵀ.)
// An m x m output tile comes from a 6x6 input tile with 36 multiplies per (o, c) pair instead of m²r²:
//   Y = Aᵀ [ (G g Gᵀ) ⊙ (Bᵀ d B) ] A      (interpolation points 0, ±1, ±2, ∞; Lavin & Gray 2016)
// F(3x3, 4x4) is F(4x4, 3x3) with the roles of A and G swapped (the two share the trilinear form
// Σ_k (A u)_k (G g)_k (Bᵀ d)_k), so both use the same four one-axis transforms below and the same Bᵀ.
// Over all channels and tiles that is 36 GEMMs M[ξ] = U[ξ]·V[ξ], with U[ξ]: [O, C] transformed weights,
// V[ξ]: [C, tiles] transformed input, M[ξ]: [O, tiles].
// - Input gradient: the same convolution of dy with the flipped, channel-transposed kernel and padding r - 1 - p.
// - Weight gradient: the exact adjoint of the forward formula, dU[ξ] = Σ_tiles (A dY Aᵀ)[ξ] · V[ξ]ᵀ, then
//   dW = Gᵀ dU G; its GEMMs have the same size as the forward's.
// Tiles are processed a band of tile rows at a time so V and M stay bounded (large images at inference) and
// closer to the cache. Transforms are vectorised across a whole tile row; their scratch rows are per thread.

public typealias WinogradSextet = (Float, Float, Float, Float, Float, Float)
public typealias WinogradQuad = (Float, Float, Float, Float)

/// What the input transform needs of a Winograd algorithm on 6x6 tiles: the stride between tiles, m (all of
/// them share Bᵀ, the transform of interpolation points 0, ±1, ±2, ∞).
public protocol WinogradInputTiling {
    /// Output tile side m.
    static var outputTile: Int { get }
}

/// One Winograd algorithm on 6x6 tiles, F(m x m, r x r) with m + r - 1 = 6, as its four one-axis transforms.
/// The generic passes below are specialised for each (no dynamic dispatch in the loops).
public protocol WinogradTiling: WinogradInputTiling {
    /// Kernel side r.
    static var kernelSize: Int { get }
    /// Six transformed values from r kernel taps (a kernel row or column; lanes past r are ignored), of one
    /// kernel or of four lane by lane.
    static func kernelPoints<V: WinogradLane>(_ k: (V, V, V, V)) -> (V, V, V, V, V, V)
    /// m outputs from six products (lanes past m are unused).
    static func outputPoints(_ a: WinogradSextet) -> WinogradQuad
    /// The adjoint of `outputPoints`: six values from m output gradients.
    static func outputGradientPoints(_ d: WinogradQuad) -> WinogradSextet
    /// The adjoint of `kernelPoints`: r tap gradients from six values (of one kernel, or of four lane by lane).
    static func kernelGradientPoints<V: WinogradLane>(_ a: (V, V, V, V, V, V)) -> (V, V, V, V)
}

/// F(4x4, 3x3): U = G g Gᵀ, Y = Aᵀ M A.
public enum WinogradF4x3: WinogradTiling {
    public static var outputTile: Int { 4 }
    public static var kernelSize: Int { 3 }
    @inline(__always) public static func kernelPoints<V: WinogradLane>(_ k: (V, V, V, V)) -> (V, V, V, V, V, V) {
        applyG(k.0, k.1, k.2)
    }
    @inline(__always) public static func outputPoints(_ a: WinogradSextet) -> WinogradQuad { applyAT(a) }
    @inline(__always) public static func outputGradientPoints(_ d: WinogradQuad) -> WinogradSextet { applyA(d) }
    @inline(__always) public static func kernelGradientPoints<V: WinogradLane>(_ a: (V, V, V, V, V, V)) -> (V, V, V, V) {
        applyGT(a)
    }
}

/// F(3x3, 4x4): U = A g Aᵀ, Y = Gᵀ M G.
public enum WinogradF3x4: WinogradTiling {
    public static var outputTile: Int { 3 }
    public static var kernelSize: Int { 4 }
    @inline(__always) public static func kernelPoints<V: WinogradLane>(_ k: (V, V, V, V)) -> (V, V, V, V, V, V) {
        applyA(k)
    }
    @inline(__always) public static func outputPoints(_ a: WinogradSextet) -> WinogradQuad { applyGT(a) }
    @inline(__always) public static func outputGradientPoints(_ d: WinogradQuad) -> WinogradSextet {
        applyG(d.0, d.1, d.2)
    }
    @inline(__always) public static func kernelGradientPoints<V: WinogradLane>(_ a: (V, V, V, V, V, V)) -> (V, V, V, V) {
        applyAT(a)
    }
}

/// Floats V (or M) of one band may hold: tile rows per band = budget / (36 · channels · tiles per row).
nonisolated(unsafe) public var winogradBandFloats = 4 << 20

/// Whether conv2d runs this layer through Winograd: a 3x3 or 4x4 kernel, stride 1, padding < kernel (the input
/// gradient's padding is kernel - 1 - p), and enough channels on both sides for the GEMMs to dominate the
/// transforms. 4x4 layers also need enough tiles to pay for their weight transform: the PatchGAN's 256→512
/// conv ran 1.7x faster than im2col at 31x31 outputs (121 tiles), 1.1x at 19x19 (49) and 0.8x at 15x15 (25).
@inlinable
public func conv2dUsesWinograd(outChannels o: Int, geometry g: ConvGeometry) -> Bool {
    guard (g.kernelH == 3 || g.kernelH == 4) && g.kernelW == g.kernelH && g.stride == 1 && g.padding < g.kernelH
    else { return false }
    switch conv2dLowering {
    case .winograd: return true
    case .columns, .tapPlanes: return false
    case .automatic:
        guard g.channels >= 32 && o >= 32 && g.outHeight >= 4 && g.outWidth >= 4 else { return false }
        return g.kernelH == 3 || ((g.outHeight &+ 2) / 3) &* ((g.outWidth &+ 2) / 3) >= 40
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

/// Output tile side of the Winograd algorithm for this kernel side (3 → F(4x4,3x3), 4 → F(3x3,4x4)).
@inlinable
func winogradOutputTile(kernel: Int) -> Int { 7 &- kernel }

/// Workspace floats the Winograd forward and backward passes need: one set of transformed weights (36·O·C),
/// the r² tap planes they are made from (r²·O·C) and a band of transformed input and output (36·(C+O)·tiles),
/// for the forward and the input-gradient shapes. Layout: U, planes, band.
@inlinable
public func winogradWorkspaceCount(outChannels o: Int, geometry g: ConvGeometry) -> Int {
    let c = g.channels, widest = max(c, o), m = winogradOutputTile(kernel: g.kernelH)
    let forwardW = (g.outWidth &+ m &- 1) / m, forwardH = (g.outHeight &+ m &- 1) / m
    let inputW = (g.width &+ m &- 1) / m, inputH = (g.height &+ m &- 1) / m
    let forwardTiles = winogradTileRowsPerBand(channels: widest, tilesW: forwardW, tilesH: forwardH) &* forwardW
    let inputTiles = winogradTileRowsPerBand(channels: widest, tilesW: inputW, tilesH: inputH) &* inputW
    let tiles = max(forwardTiles, inputTiles)
    return winogradBandOffset(outChannels: o, channels: c, kernel: g.kernelH)
        &+ 36 &* (winogradMatrixStride(c &* tiles) &+ winogradMatrixStride(o &* tiles))
}

/// Where the band starts in the workspace: after U (36 matrices) and the r² tap planes.
@inlinable
func winogradBandOffset(outChannels o: Int, channels c: Int, kernel r: Int) -> Int {
    (36 &+ r &* r) &* winogradMatrixStride(o &* c)
}

/// Floats of a layer's transformed weights U (36 x [O, C], matrices `winogradMatrixStride` apart), as
/// `winogradPrepareWeights` writes them.
@inlinable
public func winogradTransformedWeightCount(outChannels o: Int, channels c: Int) -> Int {
    36 &* winogradMatrixStride(o &* c)
}

/// Writes the transformed weights U of weight [O,C,r,r] (r = `kernelSize`, 3 or 4) into `u`
/// (`winogradTransformedWeightCount` floats), for a caller that keeps them across passes while the weights do
/// not change. `flipped`: those of the input gradient's convolution (the kernel rotated by 180°, channels
/// swapped), which the backward pass uses.
public func winogradPrepareWeights(_ weight: UnsafePointer<Float>, outChannels o: Int, channels c: Int,
                                   kernelSize r: Int, flipped: Bool = false, into u: UnsafeMutablePointer<Float>) {
    let planes = UnsafeMutablePointer<Float>.allocate(capacity: r &* r &* winogradMatrixStride(o &* c))
    defer { planes.deallocate() }
    if r == 4 {
        winogradTransformWeights(WinogradF3x4.self, weight, outChannels: o, channels: c, flipped: flipped, u,
                                 planes: planes)
    } else {
        winogradTransformWeights(WinogradF4x3.self, weight, outChannels: o, channels: c, flipped: flipped, u,
                                 planes: planes)
    }
}

/// y = conv(x, weight) + bias for a 3x3 or 4x4 kernel (stride 1, zero padding g.padding).
/// x: [N,C,H,W], weight: [O,C,r,r]. With `transformedWeights` (from `winogradPrepareWeights` of this weight)
/// the weight transform is skipped.
/// `reflect`: the padding mirrors the input (PyTorch's ReflectionPad2d(g.padding) before an unpadded conv) instead
/// of adding zeros; the input transform reads the mirrored rows and columns, so no padded copy is made. The
/// workspace is then `winogradWorkspaceCount` of the padded geometry (`ConvGeometry.paddingMaterialized`).
public func winogradConv2dForward(x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                                  y: UnsafeMutablePointer<Float>, batch: Int, outChannels o: Int,
                                  geometry g: ConvGeometry, workspace: UnsafeMutablePointer<Float>,
                                  transformedWeights: UnsafePointer<Float>? = nil, reflect: Bool = false) {
    if g.kernelH == 4 {
        winogradForward(WinogradF3x4.self, x: x, weight: weight, bias: bias, y: y, batch: batch, outChannels: o,
                        geometry: g, workspace: workspace, transformedWeights: transformedWeights, reflect: reflect)
    } else {
        winogradForward(WinogradF4x3.self, x: x, weight: weight, bias: bias, y: y, batch: batch, outChannels: o,
                        geometry: g, workspace: workspace, transformedWeights: transformedWeights, reflect: reflect)
    }
}

/// Gradients of `winogradConv2dForward`, each accumulated (+=) when its pointer is non-nil (bias: by the caller).
/// With `flippedWeights` (`winogradPrepareWeights(flipped: true)` of this weight) the input gradient skips
/// its weight transform. `reflect` as for the forward pass: the input gradient is computed on the padded grid
/// and each mirrored position is added to the input position it was read from.
public func winogradConv2dBackward(gradOut dy: UnsafePointer<Float>, x: UnsafePointer<Float>,
                                   weight: UnsafePointer<Float>, gradX: UnsafeMutablePointer<Float>?,
                                   gradWeight: UnsafeMutablePointer<Float>?, batch: Int, outChannels o: Int,
                                   geometry g: ConvGeometry, workspace: UnsafeMutablePointer<Float>,
                                   flippedWeights: UnsafePointer<Float>? = nil, reflect: Bool = false) {
    if g.kernelH == 4 {
        winogradBackward(WinogradF3x4.self, gradOut: dy, x: x, weight: weight, gradX: gradX, gradWeight: gradWeight,
                         batch: batch, outChannels: o, geometry: g, workspace: workspace,
                         flippedWeights: flippedWeights, reflect: reflect)
    } else {
        winogradBackward(WinogradF4x3.self, gradOut: dy, x: x, weight: weight, gradX: gradX, gradWeight: gradWeight,
                         batch: batch, outChannels: o, geometry: g, workspace: workspace,
                         flippedWeights: flippedWeights, reflect: reflect)
    }
}

/// Transforms the weights into the workspace's U slot (its planes slot as scratch) and returns the slot.
private func winogradTransformIntoWorkspace<T: WinogradTiling>(_ tiling: T.Type, _ weight: UnsafePointer<Float>,
                                                               outChannels o: Int, channels c: Int, flipped: Bool,
                                                               _ workspace: UnsafeMutablePointer<Float>)
    -> UnsafePointer<Float> {
    winogradTransformWeights(T.self, weight, outChannels: o, channels: c, flipped: flipped, workspace,
                             planes: workspace + 36 &* winogradMatrixStride(o &* c))
    return UnsafePointer(workspace)
}

private func winogradForward<T: WinogradTiling>(_ tiling: T.Type, x: UnsafePointer<Float>,
                                                weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                                                y: UnsafeMutablePointer<Float>, batch: Int, outChannels o: Int,
                                                geometry g: ConvGeometry, workspace: UnsafeMutablePointer<Float>,
                                                transformedWeights: UnsafePointer<Float>?, reflect: Bool) {
    let c = g.channels
    let u = transformedWeights ?? winogradTransformIntoWorkspace(T.self, weight, outChannels: o, channels: c,
                                                                 flipped: false, workspace)
    for n in 0..<batch {
        winogradConvolve(T.self, input: x + n &* c &* g.inputPlane, channels: c, height: g.height, width: g.width,
                         padding: g.padding, reflect: reflect, transformedWeights: u, outChannels: o, bias: bias,
                         output: y + n &* o &* g.outputPlane, outHeight: g.outHeight, outWidth: g.outWidth,
                         accumulate: false, bands: workspace + winogradBandOffset(outChannels: o, channels: c,
                                                                                  kernel: T.kernelSize))
    }
}

private func winogradBackward<T: WinogradTiling>(_ tiling: T.Type, gradOut dy: UnsafePointer<Float>,
                                                 x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                                 gradX: UnsafeMutablePointer<Float>?,
                                                 gradWeight: UnsafeMutablePointer<Float>?, batch: Int,
                                                 outChannels o: Int, geometry g: ConvGeometry,
                                                 workspace: UnsafeMutablePointer<Float>,
                                                 flippedWeights: UnsafePointer<Float>?, reflect: Bool) {
    let c = g.channels, r = T.kernelSize, tile = T.outputTile
    let bands = workspace + winogradBandOffset(outChannels: o, channels: c, kernel: r)
    if let gradX {
        // dx = conv(dy, flip(W)ᵀ) with padding r - 1 - p: a forward Winograd convolution from O to C channels.
        // Reflected: the gradient of the padded input (padding r - 1), folded onto x as it is produced.
        let u = flippedWeights ?? winogradTransformIntoWorkspace(T.self, weight, outChannels: o, channels: c,
                                                                 flipped: true, workspace)
        let p = g.padding
        let fold = reflect ? ReflectedGrid(height: g.height, width: g.width, pad: p) : nil
        for n in 0..<batch {
            winogradConvolve(T.self, input: dy + n &* o &* g.outputPlane, channels: o, height: g.outHeight,
                             width: g.outWidth, padding: reflect ? r &- 1 : r &- 1 &- p, transformedWeights: u,
                             outChannels: c, bias: nil, output: gradX + n &* c &* g.inputPlane,
                             outHeight: reflect ? g.height &+ 2 &* p : g.height,
                             outWidth: reflect ? g.width &+ 2 &* p : g.width, accumulate: true, fold: fold,
                             bands: bands)
        }
    }
    guard let gradWeight else { return }
    // dU accumulates in the transformed-weight slot over all samples and bands, then folds back onto dW.
    let tilesW = (g.outWidth &+ tile &- 1) / tile, tilesH = (g.outHeight &+ tile &- 1) / tile
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
            winogradInputTransform(T.self, xn, channels: c, height: g.height, width: g.width, padding: g.padding,
                                   reflect: reflect, tileRow0: row0, tileRows: rows, tilesW: tilesW, into: v)
            winogradOutputGradientTransform(T.self, dyn, channels: o, height: g.outHeight, width: g.outWidth,
                                            tileRow0: row0, tileRows: rows, tilesW: tilesW, into: m)
            let beta: Float = first ? 0 : 1
            sgemmBatch(36) { xi in  // dU[ξ][O, C] (+)= M[ξ][O, tiles] · V[ξ][C, tiles]ᵀ
                sgemm(transB: true, m: o, n: c, k: tiles, a: m + xi &* mStride, lda: tiles,
                      b: v + xi &* vStride, ldb: tiles, beta: beta, c: workspace + xi &* uStride, ldc: c)
            }
            first = false
            row0 &+= rows
        }
    }
    winogradFoldWeightGradient(T.self, workspace, outChannels: o, channels: c, into: gradWeight)
}

// MARK: - One convolution over one sample

/// output[O, Ho, Wo] (+)= conv(input[C, H, W]) with transformed weights U (36 x [O, C]), band by band.
/// `reflect`: the input's padding mirrors it. `fold`: Ho x Wo is the reflection-padded grid of `output`, whose
/// positions each add onto the output position they mirror (requires `accumulate`).
func winogradConvolve<T: WinogradTiling>(_ tiling: T.Type, input: UnsafePointer<Float>, channels c: Int,
                                         height: Int, width: Int, padding: Int, reflect: Bool = false,
                                         transformedWeights u: UnsafePointer<Float>, outChannels o: Int,
                                         bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>,
                                         outHeight: Int, outWidth: Int, accumulate: Bool,
                                         fold: ReflectedGrid? = nil, bands: UnsafeMutablePointer<Float>) {
    let tile = T.outputTile
    let tilesW = (outWidth &+ tile &- 1) / tile, tilesH = (outHeight &+ tile &- 1) / tile
    let rowsPerBand = winogradTileRowsPerBand(channels: max(c, o), tilesW: tilesW, tilesH: tilesH)
    var row0 = 0
    while row0 < tilesH {
        let rows = min(rowsPerBand, tilesH &- row0), tiles = rows &* tilesW
        let v = bands, m = bands + 36 &* winogradMatrixStride(c &* tiles)
        winogradInputTransform(T.self, input, channels: c, height: height, width: width, padding: padding,
                               reflect: reflect, tileRow0: row0, tileRows: rows, tilesW: tilesW, into: v)
        winogradProducts(u, rows: o, depth: c, v, tiles: tiles, into: m)
        winogradOutputTransform(T.self, m, outChannels: o, tileRow0: row0, tileRows: rows, tilesW: tilesW,
                                bias: bias, output: output, outHeight: outHeight, outWidth: outWidth,
                                accumulate: accumulate, fold: fold)
        row0 &+= rows
    }
}

/// M[ξ][rows, tiles] = U[ξ][rows, depth] · V[ξ][depth, tiles] for the 36 ξ (each set of matrices
/// `winogradMatrixStride` of its size apart): the GEMMs of every forward Winograd pass.
/// Up to 64 tiles (the residual blocks of 128x128 images, the PatchGAN's conv4 at 128x128) they are narrow
/// products at AVX-512, without OpenBLAS's packed copies: the 36 products of 256 x 256 by 256 x 64 took 1.4-1.9
/// against 1.9-2.7 ms, 512 x 256 by 256 x 25 1.8-2.0 against 2.1-2.2 (best of 15, in one process), with the
/// same floats. The whole kept-weight conv, 256 channels at 32x32: 3.0-3.5 against 3.3-3.7 ms forward, 4.0-4.8
/// against 4.3-5.5 input gradient (best of 9, six alternations in one process).
func winogradProducts(_ u: UnsafePointer<Float>, rows: Int, depth: Int, _ v: UnsafePointer<Float>, tiles: Int,
                      into m: UnsafeMutablePointer<Float>) {
    let uStride = winogradMatrixStride(rows &* depth), vStride = winogradMatrixStride(depth &* tiles)
    let mStride = winogradMatrixStride(rows &* tiles)
    if narrowProductsAvailable && tiles <= narrowGemmMaxColumns {
        let up = SendablePointer(UnsafeMutablePointer(mutating: u)), vp = SendablePointer(UnsafeMutablePointer(mutating: v))
        let mp = SendablePointer(m)
        parallelFor(36, costPerItem: rows &* depth &* tiles) { start, end in
            for xi in start..<end {
                translate_narrow_gemm(0, rows, tiles, depth, up.pointer + xi &* uStride, depth,
                                      vp.pointer + xi &* vStride, tiles, mp.pointer + xi &* mStride, tiles, 0)
            }
        }
        return
    }
    sgemmBatch(36) { xi in
        sgemm(m: rows, n: tiles, k: depth, a: u + xi &* uStride, lda: depth, b: v + xi &* vStride, ldb: tiles,
              c: m + xi &* mStride, ldc: tiles)
    }
}

/// target[0..<count] (+)= row[i] + bias: one finished output row of a Winograd output transform.
@inline(__always)
func storeOutputRow(_ row: UnsafePointer<Float>, to target: UnsafeMutablePointer<Float>, count: Int, bias: Float,
                    accumulate: Bool) {
    if accumulate {
        for i in 0..<count { target[i] += row[i] + bias }
    } else {
        for i in 0..<count { target[i] = row[i] + bias }
    }
}

// MARK: - One-axis transforms (F(4x4,3x3)'s matrices; F(3x3,4x4) uses them with A and G swapped)

/// G·(a, b, c)ᵀ: six interpolated values from three.
@inline(__always)
func applyG<V: WinogradLane>(_ a: V, _ b: V, _ c: V) -> (V, V, V, V, V, V) {
    let quarter: Float = 0.25, sixth: Float = 1.0 / 6.0, twelfth: Float = 1.0 / 12.0, twentyFourth: Float = 1.0 / 24.0
    let outer = a * twentyFourth + c * sixth, middle = b * twelfth
    return (a * quarter, -(a + b + c) * sixth, -(a - b + c) * sixth, outer + middle, outer - middle, c)
}

/// Gᵀ·(a0 … a5): three values from six (the adjoint of `applyG`; fourth lane 0).
@inline(__always)
func applyGT<V: WinogradLane>(_ a: (V, V, V, V, V, V)) -> (V, V, V, V) {
    let quarter: Float = 0.25, sixth: Float = 1.0 / 6.0, twelfth: Float = 1.0 / 12.0, twentyFourth: Float = 1.0 / 24.0
    return (a.0 * quarter - (a.1 + a.2) * sixth + (a.3 + a.4) * twentyFourth,
            (a.2 - a.1) * sixth + (a.3 - a.4) * twelfth,
            (a.3 + a.4 - a.1 - a.2) * sixth + a.5,
            .zero)
}

/// Aᵀ·(a0 … a5): four values from six.
@inline(__always)
func applyAT<V: WinogradLane>(_ a: (V, V, V, V, V, V)) -> (V, V, V, V) {
    (a.0 + (a.1 + a.2) + (a.3 + a.4), (a.1 - a.2) + 2 * (a.3 - a.4), (a.1 + a.2) + 4 * (a.3 + a.4),
     (a.1 - a.2) + 8 * (a.3 - a.4) + a.5)
}

/// A·(a0 … a3): six values from four (the adjoint of `applyAT`).
@inline(__always)
func applyA<V: WinogradLane>(_ a: (V, V, V, V)) -> (V, V, V, V, V, V) {
    (a.0, (a.0 + a.2) + (a.1 + a.3), (a.0 + a.2) - (a.1 + a.3), (a.0 + 4 * a.2) + 2 * (a.1 + 4 * a.3),
     (a.0 + 4 * a.2) - 2 * (a.1 + 4 * a.3), a.3)
}

/// Float, or four of them: what the transform formulas compute on (one tile, or four tiles lane by lane with
/// the same operations, so the same values).
public protocol WinogradLane {
    static var zero: Self { get }
    static prefix func - (a: Self) -> Self
    static func + (a: Self, b: Self) -> Self
    static func - (a: Self, b: Self) -> Self
    static func * (a: Float, b: Self) -> Self
    static func * (a: Self, b: Float) -> Self
}
extension Float: WinogradLane {}
extension SIMD4: WinogradLane where Scalar == Float {}

/// Bᵀ·(a0 … a5): one axis of the 6x6 input-tile transform (the same for both algorithms).
@inline(__always)
func inputPoints<V: WinogradLane>(_ a0: V, _ a1: V, _ a2: V, _ a3: V, _ a4: V, _ a5: V) -> (V, V, V, V, V, V) {
    ((4 * a0 - 5 * a2 + a4), (a3 + a4) - 4 * (a1 + a2), (a4 - a3) + 4 * (a1 - a2),
     (a4 - a2) + 2 * (a3 - a1), (a4 - a2) + 2 * (a1 - a3), (4 * a1 - 5 * a3 + a5))
}

/// Bᵀ along one transformed row `tk` for every tile of F(4x4, ·) (tile tx's inputs are tk[4tx ..< 4tx + 6]),
/// into out[k · matrix + tx] for k = 0 … 5. Four tiles per step from five unaligned loads and lane shuffles,
/// with one vector store per output row instead of four scalar ones. Reads up to 2 floats past the last tile.
@inline(__always)
func inputColumnsF4(_ tk: UnsafePointer<Float>, tilesW: Int, _ out: UnsafeMutablePointer<Float>, _ matrix: Int) {
    var tx = 0
    while tx &+ 4 <= tilesW {
        let e = tk + tx &* 4
        let l0 = load4(e), l1 = load4(e + 4), l2 = load4(e + 8), l3 = load4(e + 12), l4 = load4(e + 16)
        let v = inputPoints(SIMD4(l0[0], l1[0], l2[0], l3[0]), SIMD4(l0[1], l1[1], l2[1], l3[1]),
                            SIMD4(l0[2], l1[2], l2[2], l3[2]), SIMD4(l0[3], l1[3], l2[3], l3[3]),
                            SIMD4(l1[0], l2[0], l3[0], l4[0]), SIMD4(l1[1], l2[1], l3[1], l4[1]))
        let o = out + tx
        store4(v.0, o); store4(v.1, o + matrix); store4(v.2, o + 2 &* matrix)
        store4(v.3, o + 3 &* matrix); store4(v.4, o + 4 &* matrix); store4(v.5, o + 5 &* matrix)
        tx &+= 4
    }
    while tx < tilesW {
        let e = tk + tx &* 4
        store(inputPoints(e[0], e[1], e[2], e[3], e[4], e[5]), out + tx, matrix)
        tx &+= 1
    }
}

@inline(__always)
func store(_ v: WinogradSextet, _ out: UnsafeMutablePointer<Float>, _ stride: Int) {
    out[0] = v.0
    out[stride] = v.1
    out[2 &* stride] = v.2
    out[3 &* stride] = v.3
    out[4 &* stride] = v.4
    out[5 &* stride] = v.5
}

/// Stores the first `count` (3 or 4, a constant after specialisation) lanes of `v`, `stride` apart.
@inline(__always)
func store(_ v: WinogradQuad, count: Int, _ out: UnsafeMutablePointer<Float>, _ stride: Int) {
    out[0] = v.0
    out[stride] = v.1
    out[2 &* stride] = v.2
    if count > 3 { out[3 &* stride] = v.3 }
}

/// The first `count` (3 or 4) values `stride` apart from `p`, as a quad (fourth lane 0 when count is 3).
@inline(__always)
func loadQuad(_ p: UnsafePointer<Float>, count: Int, _ stride: Int) -> WinogradQuad {
    (p[0], p[stride], p[2 &* stride], count > 3 ? p[3 &* stride] : 0)
}

/// Lane `i` of a quad (a constant after unrolling, so the switch folds away).
@inline(__always)
func lane<V>(_ v: (V, V, V, V), _ i: Int) -> V {
    switch i {
    case 0: return v.0
    case 1: return v.1
    case 2: return v.2
    default: return v.3
    }
}

// MARK: - Transforms of whole layers

/// U[ξ][o, c] = (K g Kᵀ)[ξ] for each r x r kernel g = weight[o, c] (K = `T.kernelPoints`); with `flipped`,
/// U[ξ][c, o] from the kernel rotated by 180° (the input gradient's convolution, which maps O channels to C).
/// Unflipped kernels are read where they are (r² contiguous taps each); a pass that first spread them into r²
/// unit-stride planes cost more than it saved (the non-flipped transform of a 512x256x4x4 weight took about
/// half the time without it). Flipped ones are spread into planes (`planes`: r²·O·C floats), since reading
/// them in place would walk the weight across its rows.
func winogradTransformWeights<T: WinogradTiling>(_ tiling: T.Type, _ weight: UnsafePointer<Float>,
                                                 outChannels o: Int, channels c: Int, flipped: Bool,
                                                 _ u: UnsafeMutablePointer<Float>,
                                                 planes: UnsafeMutablePointer<Float>) {
    let w = SendablePointer(UnsafeMutablePointer(mutating: weight)), dst = SendablePointer(u)
    let tap = SendablePointer(planes)
    let r = T.kernelSize, taps = r &* r
    let matrix = winogradMatrixStride(o &* c)
    // K down each kernel column, then along each of the six resulting rows: `tap(t)` reads tap t = row · r +
    // column (of one kernel, or of four lane by lane), `put(ξ, v)` writes U[ξ].
    @inline(__always) func transformKernel<V: WinogradLane>(_ tap: (Int) -> V, _ put: (Int, V) -> Void) {
        @inline(__always) func column(_ j: Int) -> (V, V, V, V, V, V) {
            T.kernelPoints((tap(j), tap(r &+ j), tap(2 &* r &+ j), r > 3 ? tap(3 &* r &+ j) : .zero))
        }
        let zero: (V, V, V, V, V, V) = (.zero, .zero, .zero, .zero, .zero, .zero)
        let c0 = column(0), c1 = column(1), c2 = column(2), c3 = r > 3 ? column(3) : zero
        @inline(__always) func row(_ xi: Int, _ v: (V, V, V, V, V, V)) {
            put(xi, v.0); put(xi &+ 1, v.1); put(xi &+ 2, v.2); put(xi &+ 3, v.3); put(xi &+ 4, v.4); put(xi &+ 5, v.5)
        }
        row(0, T.kernelPoints((c0.0, c1.0, c2.0, c3.0)))
        row(6, T.kernelPoints((c0.1, c1.1, c2.1, c3.1)))
        row(12, T.kernelPoints((c0.2, c1.2, c2.2, c3.2)))
        row(18, T.kernelPoints((c0.3, c1.3, c2.3, c3.3)))
        row(24, T.kernelPoints((c0.4, c1.4, c2.4, c3.4)))
        row(30, T.kernelPoints((c0.5, c1.5, c2.5, c3.5)))
    }
    // Kernel i's tap t is at source[i * itemStride + t * tapStride]; four kernels per step (adjacent in U).
    @inline(__always) func transform(_ source: UnsafePointer<Float>, itemStride: Int, tapStride: Int) {
        parallelFor(o &* c, costPerItem: 60 &+ 8 &* taps) { start, end in
            let out = dst.pointer, m = matrix
            var i = start
            while i &+ 4 <= end {
                let k = source + i &* itemStride, u = out + i
                transformKernel({ t in
                    let p = k + t &* tapStride
                    return SIMD4(p[0], p[itemStride], p[2 &* itemStride], p[3 &* itemStride])
                }) { xi, v in store4(v, u + xi &* m) }
                i &+= 4
            }
            while i < end {
                let k = source + i &* itemStride, u = out + i
                transformKernel({ k[$0 &* tapStride] }) { xi, v in u[xi &* m] = v }
                i &+= 1
            }
        }
    }
    if !flipped {
        // Kernel i = (o, c) is weight[i * r² ..< (i + 1) * r²] already: one cache line or two per kernel.
        transform(weight, itemStride: taps, tapStride: 1)
        return
    }
    // The rotated, channel-swapped kernels are spread into r² tap planes first, in 16x16 blocks of (input
    // channel, output channel): the reads (r² contiguous taps per kernel) and the writes stay within a few
    // cache lines, and the transform then reads each plane at unit stride.
    forEachBlock(rows: c, columns: o, costPerRowOfBlocks: 16 &* o &* 2 &* taps) { r0, r1, c0, c1 in
        for row in r0..<r1 {  // row = input channel ci, column = output channel oc
            let out = tap.pointer + row &* o
            for column in c0..<c1 {
                let g = w.pointer + (column &* c &+ row) &* taps
                for k in 0..<taps { out[k &* matrix &+ column] = g[taps &- 1 &- k] }
            }
        }
    }
    transform(UnsafePointer(planes), itemStride: 1, tapStride: matrix)
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

/// As `loadZeroPaddedRow`, with the `left` columns and rows on each side mirroring the plane (PyTorch's
/// ReflectionPad2d(left)); zero beyond the padded plane. Needs left < height, left < width, count ≥ width + 2·left.
@inline(__always)
func loadReflectPaddedRow(_ plane: UnsafePointer<Float>, row iy: Int, height: Int, width: Int, left: Int,
                          into row: UnsafeMutablePointer<Float>, count: Int) {
    guard iy >= 0 &- left && iy < height &+ left else {
        row.update(repeating: 0, count: count)
        return
    }
    reflectRow(plane + reflectedIndex(iy &+ left, size: height, pad: left) &* width, width: width, pad: left,
               into: row)
    let padded = width &+ 2 &* left
    (row + padded).update(repeating: 0, count: count &- padded)
}

/// Which C variant transforms rows of `tilesW` 4x4 tiles (0: Kernels' Swift loops): the widest the CPU runs whose
/// vector of tiles (16 at AVX-512, 8 at AVX2) the row fills, since the C loops do leftover tiles one at a time.
@inline(__always)
func winogradRowLevel(tilesW: Int) -> Int32 {
    let level = vectorKernelLevel
    if level >= 2 && tilesW >= 16 { return 2 }
    return level >= 1 && tilesW >= 8 ? 1 : 0
}

/// V[ξ][c, tile] = (Bᵀ d B)[ξ] for the 6x6 input patch d of every tile in the band (zero outside the input, or
/// with `reflect` mirrored within `p` of it and zero beyond). Tiles start every m (`T.outputTile`) input rows
/// and columns.
func winogradInputTransform<T: WinogradInputTiling>(_ tiling: T.Type, _ x: UnsafePointer<Float>, channels c: Int,
                                               height: Int, width: Int, padding p: Int, reflect: Bool = false,
                                               tileRow0: Int, tileRows: Int, tilesW: Int,
                                               into v: UnsafeMutablePointer<Float>) {
    let tile = T.outputTile
    let tiles = tileRows &* tilesW, matrix = winogradMatrixStride(c &* tiles)
    let paddedW = tilesW &* tile &+ (6 &- tile)  // ≥ width + 2p: padded column i is input column i - p
    let src = SendablePointer(UnsafeMutablePointer(mutating: x)), dst = SendablePointer(v)
    let rowLevel = tile == 4 ? winogradRowLevel(tilesW: tilesW) : 0  // C rows exist for 4x4 output tiles only
    parallelFor(c, costPerItem: tiles &* 36 &* 8) { start, end in
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: 12 &* paddedW &+ 4)  // + inputColumnsF4's over-read
        defer { scratch.deallocate() }
        let rows = scratch, t = scratch + 6 &* paddedW
        for ci in start..<end {
            let plane = src.pointer + ci &* height &* width
            for ty in 0..<tileRows {
                let y0 = (tileRow0 &+ ty) &* tile &- p
                for r in 0..<6 {
                    if reflect {
                        loadReflectPaddedRow(plane, row: y0 &+ r, height: height, width: width, left: p,
                                             into: rows + r &* paddedW, count: paddedW)
                    } else {
                        loadZeroPaddedRow(plane, row: y0 &+ r, height: height, width: width, left: p,
                                          into: rows + r &* paddedW, count: paddedW)
                    }
                }
                let base = ci &* tiles &+ ty &* tilesW
                // Both steps below, sixteen (AVX-512) or eight (AVX2) tiles at a time: 1.42-1.45 ms against
                // 2.06-2.14 for 128 channels at 128² (best of 15 interleaved, two threads).
                if rowLevel > 0 {
                    translate_winograd_input_row_f4(rowLevel, rows, paddedW, tilesW, t, dst.pointer + base, matrix)
                    continue
                }
                // Bᵀ down the six rows, all columns at once.
                let w = paddedW
                for i in 0..<w {
                    let d = rows + i
                    store(inputPoints(d[0], d[w], d[2 &* w], d[3 &* w], d[4 &* w], d[5 &* w]), t + i, w)
                }
                // Bᵀ along each tile's six columns.
                for k in 0..<6 {
                    let tk = t + k &* paddedW, out = dst.pointer + ((k &* 6) &* matrix &+ base)
                    if tile == 4 {
                        inputColumnsF4(tk, tilesW: tilesW, out, matrix)
                        continue
                    }
                    for tx in 0..<tilesW {
                        let e = tk + tx &* tile
                        store(inputPoints(e[0], e[1], e[2], e[3], e[4], e[5]), out + tx, matrix)
                    }
                }
            }
        }
    }
}

/// The reflection-padded grid (height + 2·pad) x (width + 2·pad) of a height x width plane, onto which a
/// Winograd pass's output is folded back (the adjoint of reading the plane through reflection padding).
public struct ReflectedGrid: Sendable {
    public let height: Int, width: Int, pad: Int
}

/// output[o, m x m tile] (+)= (Oᵀ M O) + bias[o] for every tile of the band (O = `T.outputPoints`; rows and
/// columns past the output edge are dropped). With `fold`, outHeight x outWidth is that padded grid of the
/// output planes, and each row is added onto the plane row (and columns) it mirrors.
func winogradOutputTransform<T: WinogradTiling>(_ tiling: T.Type, _ m: UnsafePointer<Float>, outChannels o: Int,
                                                tileRow0: Int, tileRows: Int, tilesW: Int,
                                                bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>,
                                                outHeight: Int, outWidth: Int, accumulate: Bool,
                                                fold: ReflectedGrid? = nil) {
    precondition(fold == nil || (accumulate && bias == nil), "a folded Winograd output accumulates, without bias")
    let tile = T.outputTile
    let tiles = tileRows &* tilesW, matrix = winogradMatrixStride(o &* tiles), rowW = tilesW &* tile
    let src = SendablePointer(UnsafeMutablePointer(mutating: m)), dst = SendablePointer(output)
    let biasPointer = bias.map { SendablePointer(UnsafeMutablePointer(mutating: $0)) }
    // F(4x4, 3x3) rows of at least one vector of tiles: both steps in C (CVectorKernels), as the input transform;
    // 3.1-3.6x faster (best of 15 interleaved in one process, two threads: 0.62 against 2.0 ms for 256 channels at
    // 64², 1.09 against 3.9 ms for 128 at 128², 2.2 against 7.6 ms for 64 at 256²).
    let rowLevel = T.self == WinogradF4x3.self ? winogradRowLevel(tilesW: tilesW) : 0
    parallelFor(o, costPerItem: tiles &* 36 &* 8) { start, end in
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: 6 &* tile &* tilesW &+ tile &* rowW)
        defer { scratch.deallocate() }
        let s = scratch, rows = scratch + 6 &* tile &* tilesW  // s[r][j][tile]: the transform down the rows of m
        for oc in start..<end {
            let b = biasPointer?.pointer[oc] ?? 0
            let plane = dst.pointer + oc &* (fold.map { $0.height &* $0.width } ?? outHeight &* outWidth)
            /// Adds (or stores) finished output row `oy` of this channel.
            @inline(__always) func emit(_ row: UnsafePointer<Float>, _ oy: Int) {
                if let fold {
                    let target = plane + reflectedIndex(oy, size: fold.height, pad: fold.pad) &* fold.width
                    foldReflectedRow(row, width: fold.width, pad: fold.pad, into: target)
                } else {
                    storeOutputRow(row, to: plane + oy &* outWidth, count: outWidth, bias: b, accumulate: accumulate)
                }
            }
            for ty in 0..<tileRows {
                let base = oc &* tiles &+ ty &* tilesW
                // The next tile row's 36 segments (of the next channel after the last row): 36 short runs in 36
                // matrices, which the hardware prefetcher does not guess; reading them was the pass's main stall.
                for xi in 0..<36 {
                    let next = src.pointer + (xi &* matrix &+ base &+ tilesW)
                    var offset = 0
                    while offset < tilesW { prefetch(next + offset); offset &+= 16 }
                }
                if rowLevel > 0 {
                    translate_winograd_output_row_f4(rowLevel, src.pointer + base, matrix, tilesW, s, rows)
                    for r in 0..<tile where (tileRow0 &+ ty) &* tile &+ r < outHeight {
                        emit(rows + r &* rowW, (tileRow0 &+ ty) &* tile &+ r)
                    }
                    continue
                }
                for j in 0..<6 {
                    let a0 = src.pointer + (j &* matrix &+ base), a1 = a0 + 6 &* matrix, a2 = a1 + 6 &* matrix
                    let a3 = a2 + 6 &* matrix, a4 = a3 + 6 &* matrix, a5 = a4 + 6 &* matrix
                    let sj = s + j &* tilesW, rowStride = 6 &* tilesW
                    for tx in 0..<tilesW {
                        store(T.outputPoints((a0[tx], a1[tx], a2[tx], a3[tx], a4[tx], a5[tx])), count: tile,
                              sj + tx, rowStride)
                    }
                }
                for r in 0..<tile {
                    let oy = (tileRow0 &+ ty) &* tile &+ r
                    if oy >= outHeight { break }
                    let b0 = s + r &* 6 &* tilesW, b1 = b0 + tilesW, b2 = b1 + tilesW
                    let b3 = b2 + tilesW, b4 = b3 + tilesW, b5 = b4 + tilesW
                    for tx in 0..<tilesW {
                        store(T.outputPoints((b0[tx], b1[tx], b2[tx], b3[tx], b4[tx], b5[tx])), count: tile,
                              rows + tx &* tile, 1)
                    }
                    emit(rows, oy)
                }
            }
        }
    }
}

/// M[ξ][o, tile] = (P dY Pᵀ)[ξ] for the m x m output-gradient tile of every tile in the band
/// (P = `T.outputGradientPoints`; zero past the edge).
func winogradOutputGradientTransform<T: WinogradTiling>(_ tiling: T.Type, _ dy: UnsafePointer<Float>,
                                                        channels o: Int, height: Int, width: Int, tileRow0: Int,
                                                        tileRows: Int, tilesW: Int,
                                                        into m: UnsafeMutablePointer<Float>) {
    let tile = T.outputTile
    let tiles = tileRows &* tilesW, matrix = winogradMatrixStride(o &* tiles), rowW = tilesW &* tile
    let src = SendablePointer(UnsafeMutablePointer(mutating: dy)), dst = SendablePointer(m)
    let rowLevel = T.self == WinogradF4x3.self ? winogradRowLevel(tilesW: tilesW) : 0
    parallelFor(o, costPerItem: tiles &* 36 &* 8) { start, end in
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: (tile &+ 6) &* rowW)
        defer { scratch.deallocate() }
        let rows = scratch, z = scratch + tile &* rowW
        for oc in start..<end {
            let plane = src.pointer + oc &* height &* width
            for ty in 0..<tileRows {
                for r in 0..<tile {
                    loadZeroPaddedRow(plane, row: (tileRow0 &+ ty) &* tile &+ r, height: height, width: width,
                                      left: 0, into: rows + r &* rowW, count: rowW)
                }
                // Both steps below in C (CVectorKernels), as the input transform: 0.74-0.84 against 2.0-2.5 ms for
                // 256 channels at 64², 1.3-1.5 against 4.8-5.3 ms for 128 at 128² (best of 15 interleaved).
                if rowLevel > 0 {
                    translate_winograd_output_gradient_row_f4(rowLevel, rows, tilesW, z,
                                                              dst.pointer + (oc &* tiles &+ ty &* tilesW), matrix)
                    continue
                }
                // P down the m rows, all columns at once, then along each tile's m columns.
                for i in 0..<rowW {
                    store(T.outputGradientPoints(loadQuad(rows + i, count: tile, rowW)), z + i, rowW)
                }
                let base = oc &* tiles &+ ty &* tilesW
                for k in 0..<6 {
                    let zk = z + k &* rowW, out = dst.pointer + ((k &* 6) &* matrix &+ base)
                    for tx in 0..<tilesW {
                        store(T.outputGradientPoints(loadQuad(zk + tx &* tile, count: tile, 1)), out + tx, matrix)
                    }
                }
            }
        }
    }
}

/// gradWeight[o, c] += Kᵀ dU[o, c] K (r x r from each 6x6 of transformed-weight gradients; K as in
/// `winogradTransformWeights`).
func winogradFoldWeightGradient<T: WinogradTiling>(_ tiling: T.Type, _ du: UnsafePointer<Float>,
                                                   outChannels o: Int, channels c: Int,
                                                   into gradWeight: UnsafeMutablePointer<Float>) {
    let matrix = winogradMatrixStride(o &* c), r = T.kernelSize
    let src = SendablePointer(UnsafeMutablePointer(mutating: du)), dst = SendablePointer(gradWeight)
    // Kᵀ down each of the six columns of ξ = 6·row + column, then along the r resulting rows; `read(ξ)` gives the
    // value(s) of matrix ξ, `add(i, j, v)` adds tap (i, j).
    @inline(__always) func fold<V: WinogradLane>(_ read: (Int) -> V, _ add: (Int, Int, V) -> Void) {
        @inline(__always) func column(_ s: Int) -> (V, V, V, V) {
            T.kernelGradientPoints((read(s), read(6 &+ s), read(12 &+ s), read(18 &+ s), read(24 &+ s), read(30 &+ s)))
        }
        let columns = (column(0), column(1), column(2), column(3), column(4), column(5))
        for i in 0..<r {
            let taps = T.kernelGradientPoints((lane(columns.0, i), lane(columns.1, i), lane(columns.2, i),
                                               lane(columns.3, i), lane(columns.4, i), lane(columns.5, i)))
            add(i, 0, taps.0); add(i, 1, taps.1); add(i, 2, taps.2)
            if r > 3 { add(i, 3, taps.3) }
        }
    }
    parallelFor(o, costPerItem: c &* 200) { start, end in
        for oc in start..<end {
            // Four input channels at once (adjacent in every matrix), lane by lane the same operations.
            var ci = 0
            while ci &+ 4 <= c {
                let at = src.pointer + (oc &* c &+ ci), out = dst.pointer + (oc &* c &+ ci) &* r &* r
                fold({ load4(at + $0 &* matrix) }) { i, j, v in
                    let tap = out + (i &* r &+ j)
                    tap[0] += v[0]; tap[r &* r] += v[1]; tap[2 &* r &* r] += v[2]; tap[3 &* r &* r] += v[3]
                }
                ci &+= 4
            }
            while ci < c {
                let at = src.pointer + (oc &* c &+ ci), out = dst.pointer + (oc &* c &+ ci) &* r &* r
                fold({ at[$0 &* matrix] }) { i, j, v in out[i &* r &+ j] += v }
                ci &+= 1
            }
        }
    }
}
