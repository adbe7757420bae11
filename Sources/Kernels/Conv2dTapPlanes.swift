// Conv2d for layers with few output channels (e.g. ResNet's 7x7 64→3 head, PatchGAN's 512→1 head).
// im2col's GEMM would have M = O (3 or 1): OpenBLAS then runs at a few % of peak and the C*kh*kw column
// matrix is huge. Instead, lower on the output side: one plane per (output channel, kernel tap) over the input
// grid, Z[(o,t), h*W+w] = Σ_c W[o,c,t] x[c,h,w] (a GEMM with M = O*kh*kw, K = C, N = H*W), then
// y[o,i,j] = Σ_t Z[(o,t), (i*s-p+ki, j*s-p+kj)]. The backward pass scatters dy into the same planes
// (each plane position receives at most one dy value) and runs two GEMMs for dx and dW.
// Shapes as conv2d: x: [N,C,H,W], weight: [O,C,kh,kw], bias: [O], y: [N,O,Ho,Wo].

/// How conv2d lowers to GEMM. `automatic` picks per layer; the others exist so tests can prove both paths.
public enum Conv2dLowering: Sendable {
    case automatic
    /// im2col columns over the input side (1x1 stride-1 convs skip im2col).
    case columns
    /// One plane per (output channel, tap) over the input grid.
    case tapPlanes
    /// Winograd for every 3x3 and 4x4 stride-1 conv (F(4x4,3x3), F(3x3,4x4)) and every 4x4 stride-2 padding-1
    /// transposed conv (polyphase F(5x5,2x2)), im2col columns for the others.
    case winograd
}

nonisolated(unsafe) public var conv2dLowering: Conv2dLowering = .automatic

/// Whether conv2d uses tap planes for this layer: with `automatic`, when there are few output channels and the
/// tap planes are clearly smaller than im2col's column matrix.
@inlinable
public func conv2dUsesTapPlanes(outChannels o: Int, geometry g: ConvGeometry) -> Bool {
    switch conv2dLowering {
    case .columns, .winograd: return false
    case .tapPlanes: return true
    case .automatic: return !g.isPointwise && o < 16 && o &* g.inputPlane &* 2 <= g.channels &* g.outputPlane
    }
}

/// Workspace floats `conv2dForward` / `conv2dBackward` need for this layer (`winogradWeightsKept`: a forward
/// pass given kept Winograd weights).
@inlinable
public func conv2dWorkspaceCount(outChannels o: Int, geometry g: ConvGeometry,
                                 winogradWeightsKept kept: Bool = false) -> Int {
    if conv2dUsesWinograd(outChannels: o, geometry: g) { return winogradWorkspaceCount(outChannels: o, geometry: g) }
    if conv2dUsesTapPlanes(outChannels: o, geometry: g) { return tapPlanesWorkspaceCount(outChannels: o, geometry: g) }
    var count = convColumnsWorkspaceCount(g)
    // 4x4 stride-2 layers: the forward pass may run as a polyphase Winograd conv, the input gradient as a
    // polyphase Winograd up-conv.
    if conv2dUsesPolyphaseWinograd(outChannels: o, geometry: g, weightsKept: kept) {
        count = max(count, winogradStridedWorkspaceCount(outChannels: o, geometry: g, weightsKept: kept))
    }
    if convTranspose2dUsesWinograd(inChannels: o, geometry: g) {
        count = max(count, winogradTransposedWorkspaceCount(inChannels: o, geometry: g))
    }
    return count
}

/// Output rows per forward band: the band's input rows (with the kh - s halo) must fit the chunk budget.
@inlinable
func tapPlanesForwardBand(outChannels o: Int, geometry g: ConvGeometry) -> Int {
    let perRow = max(1, o &* g.kernelH &* g.kernelW &* g.width)
    let rowsIn = max(g.kernelH, im2colChunkFloats / perRow)
    return max(1, min(g.outHeight, (rowsIn &- g.kernelH) / g.stride + 1))
}

/// Input rows per backward band.
@inlinable
func tapPlanesBackwardBand(outChannels o: Int, geometry g: ConvGeometry) -> Int {
    let perRow = max(1, o &* g.kernelH &* g.kernelW &* g.width)
    return max(1, min(g.height, im2colChunkFloats / perRow))
}

/// Workspace floats the tap-plane kernels need: the permuted weight, its gradient, and one band of planes.
@inlinable
public func tapPlanesWorkspaceCount(outChannels o: Int, geometry g: ConvGeometry) -> Int {
    let taps = o &* g.kernelH &* g.kernelW
    let forwardRows = min(g.height, (tapPlanesForwardBand(outChannels: o, geometry: g) &- 1) &* g.stride &+ g.kernelH)
    let rows = max(forwardRows, tapPlanesBackwardBand(outChannels: o, geometry: g))
    return 2 &* taps &* g.channels &+ taps &* rows &* g.width
}

/// wt[(o*kk + t), c] = w[o, c, t]: the weight as the [O*kh*kw, C] matrix of the tap-plane GEMM.
@inline(__always)
func permuteWeightToTaps(_ w: UnsafePointer<Float>, _ wt: UnsafeMutablePointer<Float>, outChannels o: Int,
                         channels c: Int, taps kk: Int) {
    for oi in 0..<o { for ci in 0..<c { for t in 0..<kk {
        wt[(oi &* kk &+ t) &* c &+ ci] = w[(oi &* c &+ ci) &* kk &+ t]
    } } }
}

/// y = conv(x, weight) + bias through tap planes. `y` is overwritten.
/// `workspace` holds `tapPlanesWorkspaceCount(outChannels:geometry:)` floats.
public func conv2dTapPlanesForward(x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                                   y: UnsafeMutablePointer<Float>, batch: Int, outChannels o: Int,
                                   geometry g: ConvGeometry, workspace: UnsafeMutablePointer<Float>) {
    let kh = g.kernelH, kw = g.kernelW, kk = kh &* kw, taps = o &* kk, c = g.channels
    let h = g.height, w = g.width, s = g.stride, p = g.padding, oh = g.outHeight, ow = g.outWidth
    let wt = workspace, planes = workspace + 2 &* taps &* c
    permuteWeightToTaps(weight, wt, outChannels: o, channels: c, taps: kk)
    let band = tapPlanesForwardBand(outChannels: o, geometry: g)
    for n in 0..<batch {
        let xn = x + n &* c &* g.inputPlane, yn = SendablePointer(y + n &* o &* g.outputPlane)
        var i0 = 0
        while i0 < oh {
            let i1 = min(oh, i0 &+ band)
            let h0 = max(0, i0 &* s &- p), h1 = max(h0, min(h, (i1 &- 1) &* s &- p &+ kh))
            let cols = (h1 &- h0) &* w
            if cols > 0 {
                sgemm(m: taps, n: cols, k: c, a: wt, lda: c, b: xn + h0 &* w, ldb: g.inputPlane,
                      c: planes, ldc: cols)
            }
            let z = SendablePointer(planes)
            // Sum the taps into each output row (the row stays in L1 while its kh*kw plane rows stream by).
            parallelFor(o &* (i1 &- i0), costPerItem: kk &* ow) { start, end in
                for item in start..<end {
                    let oi = item / (i1 &- i0), i = i0 &+ item % (i1 &- i0)
                    let yrow = yn.pointer + (oi &* oh &+ i) &* ow
                    yrow.update(repeating: 0, count: ow)
                    for ki in 0..<kh {
                        let hIn = i &* s &- p &+ ki
                        if hIn < h0 || hIn >= h1 { continue }
                        for kj in 0..<kw {
                            let (lo, hi) = validOutputRange(offset: kj, size: w, out: ow, stride: s, padding: p)
                            // zrow[j*s] is plane column j*s - p + kj.
                            let zrow = z.pointer + ((oi &* kk &+ ki &* kw &+ kj) &* cols &+ (hIn &- h0) &* w &- p &+ kj)
                            var j = lo
                            if s == 1 {
                                while j < hi { yrow[j] += zrow[j]; j &+= 1 }
                            } else {
                                while j < hi { yrow[j] += zrow[j &* s]; j &+= 1 }
                            }
                        }
                    }
                }
            }
            i0 = i1
        }
    }
    if let bias { convAddBias(y, bias, batch: batch, channels: o, plane: g.outputPlane) }
}

/// Gradients of `conv2dTapPlanesForward`, each accumulated (+=) when its pointer is non-nil.
public func conv2dTapPlanesBackward(gradOut dy: UnsafePointer<Float>, x: UnsafePointer<Float>,
                                    weight: UnsafePointer<Float>,
                                    gradX: UnsafeMutablePointer<Float>?, gradWeight: UnsafeMutablePointer<Float>?,
                                    gradBias: UnsafeMutablePointer<Float>?,
                                    batch: Int, outChannels o: Int, geometry g: ConvGeometry,
                                    workspace: UnsafeMutablePointer<Float>) {
    let kh = g.kernelH, kw = g.kernelW, kk = kh &* kw, taps = o &* kk, c = g.channels
    let h = g.height, w = g.width, s = g.stride, p = g.padding, oh = g.outHeight, ow = g.outWidth
    if let gradBias { convBiasBackward(dy, gradBias, batch: batch, channels: o, plane: g.outputPlane) }
    if gradX == nil && gradWeight == nil { return }
    let wt = workspace, gradWt = workspace + taps &* c, planes = workspace + 2 &* taps &* c
    if gradX != nil { permuteWeightToTaps(weight, wt, outChannels: o, channels: c, taps: kk) }
    if gradWeight != nil { gradWt.update(repeating: 0, count: taps &* c) }
    let band = tapPlanesBackwardBand(outChannels: o, geometry: g)
    for n in 0..<batch {
        let xn = x + n &* c &* g.inputPlane, dyn = SendablePointer(UnsafeMutablePointer(mutating: dy + n &* o &* g.outputPlane))
        var h0 = 0
        while h0 < h {
            let h1 = min(h, h0 &+ band), cols = (h1 &- h0) &* w
            let z = SendablePointer(planes)
            // dZ[(o,t), (hIn, wIn)] = dy[o, i, j] where hIn = i*s - p + ki and wIn = j*s - p + kj, else 0.
            parallelFor(taps, costPerItem: cols) { start, end in
                for plane in start..<end {
                    let oi = plane / kk, t = plane % kk, ki = t / kw, kj = t % kw
                    let (lo, hi) = validOutputRange(offset: kj, size: w, out: ow, stride: s, padding: p)
                    var zrow = z.pointer + plane &* cols
                    for hIn in h0..<h1 {
                        let num = hIn &+ p &- ki
                        let i = num / s
                        if num < 0 || num &- i &* s != 0 || i >= oh || lo >= hi {
                            zrow.update(repeating: 0, count: w)
                        } else {
                            let dyrow = dyn.pointer + (oi &* oh &+ i) &* ow
                            if s == 1 {
                                // Columns lo..<hi land on lo - p + kj ..< hi - p + kj; zero around them.
                                let first = lo &- p &+ kj, last = hi &- p &+ kj
                                if first > 0 { zrow.update(repeating: 0, count: first) }
                                (zrow + first).update(from: dyrow + lo, count: hi &- lo)
                                if last < w { (zrow + last).update(repeating: 0, count: w &- last) }
                            } else {
                                zrow.update(repeating: 0, count: w)
                                let base = zrow + (kj &- p)
                                var j = lo
                                while j < hi { base[j &* s] = dyrow[j]; j &+= 1 }
                            }
                        }
                        zrow += w
                    }
                }
            }
            if let gradX {  // dx[C, cols] += Wt[taps, C]^T · dZ[taps, cols]
                sgemm(transA: true, m: c, n: cols, k: taps, a: wt, lda: c, b: planes, ldb: cols,
                      beta: 1, c: gradX + n &* c &* g.inputPlane + h0 &* w, ldc: g.inputPlane)
            }
            if gradWeight != nil {  // dWt[taps, C] += dZ[taps, cols] · x[C, cols]^T
                sgemm(transB: true, m: taps, n: c, k: cols, a: planes, lda: cols, b: xn + h0 &* w, ldb: g.inputPlane,
                      beta: 1, c: gradWt, ldc: c)
            }
            h0 = h1
        }
    }
    if let gradWeight {
        for oi in 0..<o { for ci in 0..<c { for t in 0..<kk {
            gradWeight[(oi &* c &+ ci) &* kk &+ t] += gradWt[(oi &* kk &+ t) &* c &+ ci]
        } } }
    }
}
