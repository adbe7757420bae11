// 2-D transposed convolution: the adjoint of conv2d with respect to its input, so it reuses conv2d's lowering
// with the roles swapped. `g` describes the *conv* that maps y to x: g.channels = Cout, g.height/width = the
// transposed conv's output size (Ho, Wo), g.outHeight/outWidth = its input size (Hin, Win).
// x: [N,Cin,Hin,Win], weight: [Cin,Cout,kh,kw] (viewed as [Cin, Cout*kh*kw]), bias: [Cout], y: [N,Cout,Ho,Wo].

/// Workspace floats `convTranspose2dForward` needs for this layer, with or without kept Winograd weights.
@inlinable
public func convTranspose2dForwardWorkspaceCount(inChannels cin: Int, geometry g: ConvGeometry,
                                                 winogradWeightsKept kept: Bool = false) -> Int {
    convTranspose2dUsesWinograd(inChannels: cin, geometry: g, weightsKept: kept)
        ? winogradTransposedWorkspaceCount(inChannels: cin, geometry: g, weightsKept: kept)
        : convColumnsWorkspaceCount(g)
}

/// y = convT(x, weight) + bias. `y` must be zero on entry (columns are added onto it) unless
/// `convTranspose2dUsesWinograd`, which writes all of it. `workspace` holds
/// `convTranspose2dForwardWorkspaceCount` floats. `winogradWeights`: this weight's
/// `winogradPrepareTransposedWeights` when a frozen layer keeps it (nil otherwise: it also decides whether
/// the layer runs through Winograd). `transposedWeight`: the weight as [Cout·kh·kw, Cin] (row-major), kept by a
/// frozen layer where `convTranspose2dKeepsTransposedWeight`.
public func convTranspose2dForward(x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                                   y: UnsafeMutablePointer<Float>, batch: Int, inChannels cin: Int,
                                   geometry g: ConvGeometry, workspace: UnsafeMutablePointer<Float>,
                                   winogradWeights: UnsafePointer<Float>? = nil,
                                   transposedWeight: UnsafePointer<Float>? = nil) {
    if convTranspose2dUsesWinograd(inChannels: cin, geometry: g, weightsKept: winogradWeights != nil) {
        winogradConvTranspose2dForward(x: x, weight: weight, bias: bias, y: y, batch: batch, inChannels: cin,
                                       geometry: g, workspace: workspace, transformedWeights: winogradWeights)
        return
    }
    let k = g.colRows, xPlane = g.outputPlane, yPlane = g.inputPlane, cout = g.channels
    if let transposedWeight, convTranspose2dKeepsTransposedWeight(inChannels: cin, geometry: g) {
        // cols[K, P] = Wᵀ[K, Cin] · x[Cin, P]: the narrow product, reading the kept transpose row by row.
        for n in 0..<batch {
            let xn = x + n &* cin &* xPlane, yn = y + n &* cout &* yPlane
            narrowGemm(m: k, n: xPlane, k: cin, a: transposedWeight, lda: cin, b: xn, ldb: xPlane,
                       c: g.isPointwise ? yn : workspace, ldc: xPlane, accumulate: g.isPointwise)
            if !g.isPointwise { col2imAdd(workspace, yn, geometry: g) }
        }
        if let bias { convAddBias(y, bias, batch: batch, channels: cout, plane: yPlane) }
        return
    }
    if convUsesFewColumnProducts(g) {
        // Few input pixels: cols[K, P] = W[Cin, K]^T · x[Cin, P] with the weight read once.
        let colsT = workspace + k &* xPlane
        for n in 0..<batch {
            let xn = x + n &* cin &* xPlane, yn = y + n &* cout &* yPlane
            if g.isPointwise {
                fewColumnsTransposedProduct(m: cin, p: xPlane, k: k, w: weight, x: xn, ldx: xPlane, colsT: colsT,
                                            cols: yn, ldCols: xPlane, accumulate: true)
            } else {
                fewColumnsTransposedProduct(m: cin, p: xPlane, k: k, w: weight, x: xn, ldx: xPlane, colsT: colsT,
                                            cols: workspace, ldCols: xPlane, accumulate: false)
                col2imAdd(workspace, yn, geometry: g)
            }
        }
        if let bias { convAddBias(y, bias, batch: batch, channels: cout, plane: yPlane) }
        return
    }
    let chunkRows = im2colRowsPerChunk(g), iw = g.outWidth
    // Narrow bands: scratch for the transposed product after the largest band of columns (sized for that band,
    // so a narrower last band must not switch to it on its own).
    let scratch = transposedProductScratch(m: k, n: chunkRows &* iw) > 0 ? workspace + k &* chunkRows &* iw : nil
    for n in 0..<batch {
        let xn = x + n &* cin &* xPlane, yn = y + n &* cout &* yPlane
        if g.isPointwise {  // y[Cout,HW] = W[Cin,Cout]^T · x[Cin,HW]
            gemmTransposedA(m: k, n: xPlane, k: cin, a: weight, lda: k, b: xn, ldb: xPlane,
                            c: yn, ldc: yPlane, accumulate: false, scratch: workspace)
            continue
        }
        var r0 = 0
        while r0 < g.outHeight {
            let r1 = min(g.outHeight, r0 &+ chunkRows), cols = (r1 &- r0) &* iw
            // cols[Cout*kh*kw, cols] = W^T · x[Cin, cols], then scattered onto y.
            gemmTransposedA(m: k, n: cols, k: cin, a: weight, lda: k, b: xn + r0 &* iw, ldb: xPlane,
                            c: workspace, ldc: cols, accumulate: false, scratch: scratch)
            col2imAdd(workspace, yn, geometry: g, rowStart: r0, rowEnd: r1)
            r0 = r1
        }
    }
    if let bias { convAddBias(y, bias, batch: batch, channels: cout, plane: yPlane) }
}

/// Whether a frozen transposed conv keeps its weight transposed, [Cout·kh·kw, Cin], for its forward pass: where
/// the forward would otherwise hand the weight as it lies ([Cin, K], transposed in the product) to OpenBLAS,
/// the 17-64 input pixels of the narrow path. The narrow product reads the kept copy once, like a conv's forward.
/// On a Zen 4 EPYC (one thread, best of 15), 8192 x 1024 weights: 10.3 ms against OpenBLAS's 15.3 at 64 columns,
/// 5.8-6.3 against 9.5-10.2 at 32; at 16 the narrow transposed product already reads the weight as it lies.
@inlinable
public func convTranspose2dKeepsTransposedWeight(inChannels cin: Int, geometry g: ConvGeometry) -> Bool {
    convUsesNarrowProducts(g) && g.outputPlane > narrowGradientMaxColumns
        && !convTranspose2dUsesWinograd(inChannels: cin, geometry: g, weightsKept: true)
}

/// Workspace floats `convTranspose2dBackward` needs for this layer.
@inlinable
public func convTranspose2dBackwardWorkspaceCount(inChannels cin: Int, geometry g: ConvGeometry) -> Int {
    let columns = convColumnsWorkspaceCount(g)
    return conv2dUsesPolyphaseWinograd(outChannels: cin, geometry: g)
        ? max(columns, winogradStridedWorkspaceCount(outChannels: cin, geometry: g)) : columns
}

/// Gradients of `convTranspose2dForward`, each accumulated (+=) when its pointer is non-nil.
/// dy: [N,Cout,Ho,Wo] → gradX: [N,Cin,Hin,Win], gradWeight: [Cin,Cout,kh,kw], gradBias: [Cout].
/// One im2col of dy per band serves both the input and the weight gradient (workspace:
/// `convTranspose2dBackwardWorkspaceCount`).
public func convTranspose2dBackward(gradOut dy: UnsafePointer<Float>, x: UnsafePointer<Float>,
                                    weight: UnsafePointer<Float>,
                                    gradX: UnsafeMutablePointer<Float>?, gradWeight: UnsafeMutablePointer<Float>?,
                                    gradBias: UnsafeMutablePointer<Float>?,
                                    batch: Int, inChannels cin: Int, geometry g: ConvGeometry,
                                    workspace: UnsafeMutablePointer<Float>) {
    let k = g.colRows, xPlane = g.outputPlane, yPlane = g.inputPlane, cout = g.channels
    let chunkRows = im2colRowsPerChunk(g), iw = g.outWidth
    if let gradBias { convBiasBackward(dy, gradBias, batch: batch, channels: cout, plane: yPlane) }
    if gradX == nil && gradWeight == nil { return }
    if let gradX, conv2dUsesPolyphaseWinograd(outChannels: cin, geometry: g) {
        // dx = conv(dy, W) with stride 2: the polyphase Winograd conv's shape (weight [Cin,Cout,4,4] as [O,C,4,4]).
        winogradStridedConv2dForward(x: dy, weight: weight, bias: nil, y: gradX, batch: batch, outChannels: cin,
                                     geometry: g, workspace: workspace, accumulate: true)
        convTranspose2dBackward(gradOut: dy, x: x, weight: weight, gradX: nil, gradWeight: gradWeight, gradBias: nil,
                                batch: batch, inChannels: cin, geometry: g, workspace: workspace)
        return
    }
    if convUsesFewColumnProducts(g) {
        let colsT = workspace + k &* xPlane
        for n in 0..<batch {
            let xn = x + n &* cin &* xPlane, dyn = dy + n &* cout &* yPlane
            if !g.isPointwise { im2col(dyn, workspace, geometry: g) }
            let cols = g.isPointwise ? dyn : UnsafePointer(workspace)
            if let gradX {  // dx[Cin, P] += W[Cin, K] · cols(dy)[K, P]
                fewColumnsProduct(m: cin, p: xPlane, k: k, w: weight, cols: cols, colsT: colsT,
                                  c: gradX + n &* cin &* xPlane, ldc: xPlane, accumulate: true)
            }
            if let gradWeight {  // dW[Cin, K] += x[Cin, P] · cols(dy)[K, P]^T
                fewColumnsRankUpdate(m: cin, p: xPlane, k: k, a: xn, lda: xPlane, cols: cols, colsT: colsT,
                                     c: gradWeight)
            }
        }
        return
    }
    for n in 0..<batch {
        let xn = x + n &* cin &* xPlane, dyn = dy + n &* cout &* yPlane
        // For a pointwise conv the columns of dy are dy itself.
        var r0 = 0
        while r0 < g.outHeight {
            let r1 = g.isPointwise ? g.outHeight : min(g.outHeight, r0 &+ chunkRows), cols = (r1 &- r0) &* iw
            let ldCols = g.isPointwise ? yPlane : cols
            let dyCols: UnsafePointer<Float>
            if g.isPointwise {
                dyCols = dyn
            } else {
                im2col(dyn, workspace, geometry: g, rowStart: r0, rowEnd: r1)
                dyCols = UnsafePointer(workspace)
            }
            if let gradX {  // dx[Cin, cols] += W[Cin,K] · cols(dy)[K, cols]
                sgemm(m: cin, n: cols, k: k, a: weight, lda: k, b: dyCols, ldb: ldCols,
                      beta: 1, c: gradX + n &* cin &* xPlane + r0 &* iw, ldc: xPlane)
            }
            if let gradWeight {  // dW[Cin,K] += x[Cin, cols] · cols(dy)[K, cols]^T
                sgemm(transB: true, m: cin, n: k, k: cols, a: xn + r0 &* iw, lda: xPlane, b: dyCols, ldb: ldCols,
                      beta: 1, c: gradWeight, ldc: k)
            }
            r0 = r1
        }
    }
}
