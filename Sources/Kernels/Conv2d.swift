// 2-D convolution as im2col + GEMM, per sample, in bands of output rows that fit the workspace.
// x: [N,C,H,W], weight: [O,C,kh,kw] (viewed as [O, C*kh*kw]), bias: [O], y: [N,O,Ho,Wo].

/// y = conv(x, weight) + bias. `y` is overwritten.
/// `workspace` holds `conv2dWorkspaceCount(outChannels:geometry:)` floats (the backward pass uses the same).
/// `winogradWeights`: this weight's `winogradPrepareWeights` (stride 1) or `winogradPrepareStridedWeights`
/// (4x4 stride 2) when a frozen layer keeps it (nil otherwise: it also decides whether a 4x4 stride-2 layer
/// runs through Winograd).
public func conv2dForward(x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                          y: UnsafeMutablePointer<Float>, batch: Int, outChannels o: Int, geometry g: ConvGeometry,
                          workspace: UnsafeMutablePointer<Float>, winogradWeights: UnsafePointer<Float>? = nil) {
    if conv2dUsesWinograd(outChannels: o, geometry: g) {
        winogradConv2dForward(x: x, weight: weight, bias: bias, y: y, batch: batch, outChannels: o, geometry: g,
                              workspace: workspace, transformedWeights: winogradWeights)
        return
    }
    if conv2dUsesPolyphaseWinograd(outChannels: o, geometry: g, weightsKept: winogradWeights != nil) {
        winogradStridedConv2dForward(x: x, weight: weight, bias: bias, y: y, batch: batch, outChannels: o,
                                     geometry: g, workspace: workspace, transformedWeights: winogradWeights)
        return
    }
    if conv2dUsesTapPlanes(outChannels: o, geometry: g) {
        conv2dTapPlanesForward(x: x, weight: weight, bias: bias, y: y, batch: batch, outChannels: o, geometry: g,
                               workspace: workspace)
        return
    }
    let k = g.colRows, inPlane = g.channels &* g.inputPlane, outPlane = g.outputPlane
    if convUsesFewColumnProducts(g) {
        // Few output pixels: y[O, P] = W[O, K] · cols[K, P] with the weight read once.
        let colsT = workspace + k &* outPlane
        for n in 0..<batch {
            let xn = x + n &* inPlane
            if !g.isPointwise { im2col(xn, workspace, geometry: g) }
            fewColumnsProduct(m: o, p: outPlane, k: k, w: weight, cols: g.isPointwise ? xn : UnsafePointer(workspace),
                              colsT: colsT, c: y + n &* o &* outPlane, ldc: outPlane, accumulate: false)
        }
        if let bias { convAddBias(y, bias, batch: batch, channels: o, plane: outPlane) }
        return
    }
    let chunkRows = im2colRowsPerChunk(g), ow = g.outWidth
    for n in 0..<batch {
        let xn = x + n &* inPlane, yn = y + n &* o &* outPlane
        if g.isPointwise {
            sgemm(m: o, n: outPlane, k: k, a: weight, lda: k, b: xn, ldb: outPlane, c: yn, ldc: outPlane)
            continue
        }
        var r0 = 0
        while r0 < g.outHeight {
            let r1 = min(g.outHeight, r0 &+ chunkRows), cols = (r1 &- r0) &* ow
            im2col(xn, workspace, geometry: g, rowStart: r0, rowEnd: r1)
            sgemm(m: o, n: cols, k: k, a: weight, lda: k, b: workspace, ldb: cols,
                  c: yn + r0 &* ow, ldc: outPlane)
            r0 = r1
        }
    }
    if let bias { convAddBias(y, bias, batch: batch, channels: o, plane: outPlane) }
}

/// Gradients of `conv2dForward`, each accumulated (+=) when its pointer is non-nil.
/// dy: [N,O,Ho,Wo] → gradX: [N,C,H,W], gradWeight: [O,C,kh,kw], gradBias: [O].
/// Columns are rebuilt from x here rather than kept from the forward pass (memory over a few % of time).
/// `winogradFlippedWeights`: this weight's `winogradPrepareWeights(flipped: true)`, used by a Winograd layer.
public func conv2dBackward(gradOut dy: UnsafePointer<Float>, x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                           gradX: UnsafeMutablePointer<Float>?, gradWeight: UnsafeMutablePointer<Float>?,
                           gradBias: UnsafeMutablePointer<Float>?,
                           batch: Int, outChannels o: Int, geometry g: ConvGeometry,
                           workspace: UnsafeMutablePointer<Float>,
                           winogradFlippedWeights: UnsafePointer<Float>? = nil) {
    if conv2dUsesTapPlanes(outChannels: o, geometry: g) {
        conv2dTapPlanesBackward(gradOut: dy, x: x, weight: weight, gradX: gradX, gradWeight: gradWeight,
                                gradBias: gradBias, batch: batch, outChannels: o, geometry: g, workspace: workspace)
        return
    }
    let k = g.colRows, inPlane = g.channels &* g.inputPlane, outPlane = g.outputPlane
    let chunkRows = im2colRowsPerChunk(g), ow = g.outWidth
    if let gradBias { convBiasBackward(dy, gradBias, batch: batch, channels: o, plane: outPlane) }
    if gradX == nil && gradWeight == nil { return }
    if let gradX, convTranspose2dUsesWinograd(inChannels: o, geometry: g) {
        // A 4x4 stride-2 padding-1 conv's input gradient is an up-conv of dy: the polyphase Winograd's shape.
        winogradConvTranspose2dForward(x: dy, weight: weight, bias: nil, y: gradX, batch: batch, inChannels: o,
                                       geometry: g, workspace: workspace, accumulate: true)
        conv2dBackward(gradOut: dy, x: x, weight: weight, gradX: nil, gradWeight: gradWeight, gradBias: nil,
                       batch: batch, outChannels: o, geometry: g, workspace: workspace)
        return
    }
    if conv2dUsesWinograd(outChannels: o, geometry: g) {
        winogradConv2dBackward(gradOut: dy, x: x, weight: weight, gradX: gradX, gradWeight: gradWeight, batch: batch,
                               outChannels: o, geometry: g, workspace: workspace,
                               flippedWeights: winogradFlippedWeights)
        return
    }
    if convUsesFewColumnProducts(g) {
        let colsT = workspace + k &* outPlane
        for n in 0..<batch {
            let xn = x + n &* inPlane, dyn = dy + n &* o &* outPlane
            if let gradWeight {  // dW[O,K] += dY[O,P] · cols[K,P]^T
                if !g.isPointwise { im2col(xn, workspace, geometry: g) }
                fewColumnsRankUpdate(m: o, p: outPlane, k: k, a: dyn, lda: outPlane,
                                     cols: g.isPointwise ? xn : UnsafePointer(workspace), colsT: colsT, c: gradWeight)
            }
            if let gradX {  // dcols[K,P] = W[O,K]^T · dY[O,P], then back onto dx
                if g.isPointwise {
                    fewColumnsTransposedProduct(m: o, p: outPlane, k: k, w: weight, x: dyn, ldx: outPlane,
                                                colsT: colsT, cols: gradX + n &* inPlane, ldCols: outPlane,
                                                accumulate: true)
                } else {
                    fewColumnsTransposedProduct(m: o, p: outPlane, k: k, w: weight, x: dyn, ldx: outPlane,
                                                colsT: colsT, cols: workspace, ldCols: outPlane, accumulate: false)
                    col2imAdd(workspace, gradX + n &* inPlane, geometry: g)
                }
            }
        }
        return
    }
    // Narrow bands: scratch for the transposed product after the largest band of columns (sized for that band,
    // so a narrower last band must not switch to it on its own).
    let scratch = transposedProductScratch(m: k, n: chunkRows &* ow) > 0 ? workspace + k &* chunkRows &* ow : nil
    for n in 0..<batch {
        let xn = x + n &* inPlane, dyn = dy + n &* o &* outPlane
        if g.isPointwise {
            if let gradWeight {  // dW[O,C] += dY[O,HW] · x[C,HW]^T
                sgemm(transB: true, m: o, n: k, k: outPlane, a: dyn, lda: outPlane, b: xn, ldb: outPlane,
                      beta: 1, c: gradWeight, ldc: k)
            }
            if let gradX {  // dx[C,HW] += W[O,C]^T · dY[O,HW]
                gemmTransposedA(m: k, n: outPlane, k: o, a: weight, lda: k, b: dyn, ldb: outPlane,
                                c: gradX + n &* inPlane, ldc: outPlane, accumulate: true, scratch: workspace)
            }
            continue
        }
        var r0 = 0
        while r0 < g.outHeight {
            let r1 = min(g.outHeight, r0 &+ chunkRows), cols = (r1 &- r0) &* ow
            let dyChunk = dyn + r0 &* ow
            if let gradWeight {  // dW[O,K] += dY[O,cols] · cols[K,cols]^T
                im2col(xn, workspace, geometry: g, rowStart: r0, rowEnd: r1)
                sgemm(transB: true, m: o, n: k, k: cols, a: dyChunk, lda: outPlane, b: workspace, ldb: cols,
                      beta: 1, c: gradWeight, ldc: k)
            }
            if let gradX {  // dcols[K,cols] = W[O,K]^T · dY[O,cols], then scattered back onto dx
                gemmTransposedA(m: k, n: cols, k: o, a: weight, lda: k, b: dyChunk, ldb: outPlane,
                                c: workspace, ldc: cols, accumulate: false, scratch: scratch)
                col2imAdd(workspace, gradX + n &* inPlane, geometry: g, rowStart: r0, rowEnd: r1)
            }
            r0 = r1
        }
    }
}

/// y[n,c,:] += bias[c]. y: [N,C,plane].
public func convAddBias(_ y: UnsafeMutablePointer<Float>, _ bias: UnsafePointer<Float>,
                           batch: Int, channels: Int, plane: Int) {
    let out = SendablePointer(y), b = SendablePointer(UnsafeMutablePointer(mutating: bias))
    parallelFor(batch &* channels, costPerItem: plane) { start, end in
        for item in start..<end {
            let v = b.pointer[item % channels], row = out.pointer + item &* plane
            for i in 0..<plane { row[i] += v }
        }
    }
}

/// gradBias[c] += Σ_{n, i} dy[n,c,i]. dy: [N,C,plane]. Sums in Double per plane-chunk to limit rounding.
public func convBiasBackward(_ dy: UnsafePointer<Float>, _ gradBias: UnsafeMutablePointer<Float>,
                           batch: Int, channels: Int, plane: Int) {
    let src = SendablePointer(UnsafeMutablePointer(mutating: dy)), dst = SendablePointer(gradBias)
    parallelFor(channels, costPerItem: batch &* plane) { start, end in
        for c in start..<end {
            var total: Double = 0
            for n in 0..<batch {
                let row = src.pointer + (n &* channels &+ c) &* plane
                var s0: Float = 0, s1: Float = 0, s2: Float = 0, s3: Float = 0
                var i = 0
                while i &+ 4 <= plane {
                    s0 += row[i]; s1 += row[i &+ 1]; s2 += row[i &+ 2]; s3 += row[i &+ 3]
                    i &+= 4
                }
                while i < plane { s0 += row[i]; i &+= 1 }
                total += Double((s0 + s1) + (s2 + s3))
            }
            dst.pointer[c] += Float(total)
        }
    }
}
