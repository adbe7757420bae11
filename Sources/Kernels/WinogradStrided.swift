// Winograd for 4x4 stride-2 padding-1 convs (the U-Net's and PatchGAN's down-convs, and the input gradient
// of the U-Net's up-convs). Split the input into its four polyphase planes x_{by,bx}[c, r, s] =
// x[c, 2r + by - 1, 2s + bx - 1] (zero outside the input); then
//   y[o, i, j] = Σ_{c, by, bx} Σ_{a,b ∈ 0,1} w[o, c, 2a + by, 2b + bx] · x_{by,bx}[c, i + a, j + b],
// a 2x2 stride-1 correlation over 4·C channels, run as F(5x5, 2x2) on 6x6 tiles of the phase planes: 36
// multiplies per 5x5 output tile and (o, c, phase) instead of 100 (2.8x fewer), as 36 GEMMs
// M[ξ][O, tiles] = U[ξ][O, 4·C] · V[ξ][4·C, tiles]. Transforms as in WinogradTransposed.swift (same points).

/// Whether conv2d runs this layer through the polyphase Winograd: a 4x4 kernel, stride 2, padding 1, and,
/// automatically, enough channels and tiles for its GEMMs to pay for the transforms (the same bound as the
/// up-conv's: the U-Net's 64→128 down-conv at 64x64 outputs has 169 tiles, the next one 49).
/// With `weightsKept` (a frozen layer keeps its transformed weights) 49 tiles are enough, as for the up-convs:
/// the U-Net's 128→256 down-conv at 32x32 outputs ran within ~10% of im2col (7.6-9.1 ms against 6.6-8.1)
/// with its weight transform (36·256·512 floats, ~2 ms) included.
@inlinable
public func conv2dUsesPolyphaseWinograd(outChannels o: Int, geometry g: ConvGeometry,
                                        weightsKept: Bool = false) -> Bool {
    guard g.kernelH == 4 && g.kernelW == 4 && g.stride == 2 && g.padding == 1 else { return false }
    switch conv2dLowering {
    case .winograd: return true
    case .columns, .tapPlanes: return false
    case .automatic:
        let tiles = ((g.outHeight &+ 4) / 5) &* ((g.outWidth &+ 4) / 5)
        return g.channels >= 16 && o >= 32 && tiles >= (weightsKept ? 40 : 100)
    }
}

/// Floats of a strided layer's transformed weights U (36 x [O, 4·C], matrices `winogradMatrixStride` apart),
/// as `winogradPrepareStridedWeights` writes them.
@inlinable
public func winogradStridedWeightCount(outChannels o: Int, channels c: Int) -> Int {
    36 &* winogradMatrixStride(o &* 4 &* c)
}

/// Workspace floats of `winogradStridedConv2dForward`: a band of transformed input and products, then U (not
/// needed when the caller passes kept transformed weights).
@inlinable
public func winogradStridedWorkspaceCount(outChannels o: Int, geometry g: ConvGeometry,
                                          weightsKept: Bool = false) -> Int {
    let phases = 4 &* g.channels, tilesW = (g.outWidth &+ 4) / 5
    let band = winogradTileRowsPerBand(channels: max(phases, o), tilesW: tilesW, tilesH: (g.outHeight &+ 4) / 5)
        &* tilesW
    return 36 &* (winogradMatrixStride(phases &* band) &+ winogradMatrixStride(o &* band))
        &+ (weightsKept ? 0 : winogradStridedWeightCount(outChannels: o, channels: g.channels))
}

/// U[ξ][o, phase·C + c] = (K h Kᵀ)[ξ] for the 2x2 kernel h[a][b] = w[o, c, 2a + by, 2b + bx] of every phase
/// (phase = 2·by + bx) of weight [O, C, 4, 4]. One (ξ row, o) pair per item, so each pass over the channels
/// writes six rows of U in order (see `winogradPrepareTransposedWeights`).
public func winogradPrepareStridedWeights(_ weight: UnsafePointer<Float>, outChannels o: Int, channels c: Int,
                                          into u: UnsafeMutablePointer<Float>) {
    let w = SendablePointer(UnsafeMutablePointer(mutating: weight)), dst = SendablePointer(u)
    let phases = 4 &* c, matrix = winogradMatrixStride(o &* phases)
    parallelFor(6 &* o, costPerItem: phases &* 60) { start, end in
        for item in start..<end {
            let xiy = item / o, oc = item &- xiy &* o
            for phase in 0..<4 {
                let by = phase >> 1, bx = phase & 1
                winogradTransform2x2Run(UnsafePointer(w.pointer + (oc &* c &* 16 &+ by &* 4 &+ bx)), kernelStride: 16,
                                        rowStep: 8, columnStep: 2, count: c, xiRow: xiy,
                                        into: dst.pointer + (6 &* xiy &* matrix &+ oc &* phases &+ phase &* c),
                                        matrix: matrix)
            }
        }
    }
}

/// y (+)= conv(x, weight) + bias for a 4x4 stride-2 padding-1 conv (`conv2dUsesPolyphaseWinograd`).
/// x: [N,C,H,W], weight: [O,C,4,4], y: [N,O,Ho,Wo] (every element written, or added onto with `accumulate`).
/// It is also the input gradient of a 4x4 stride-2 padding-1 transposed conv (weight [Cin,Cout,4,4] read as
/// [O,C,4,4], x = dy), whose geometry is the one this takes. With `transformedWeights`
/// (`winogradPrepareStridedWeights` of this weight) the weight transform is skipped.
public func winogradStridedConv2dForward(x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                         bias: UnsafePointer<Float>?, y: UnsafeMutablePointer<Float>, batch: Int,
                                         outChannels o: Int, geometry g: ConvGeometry,
                                         workspace: UnsafeMutablePointer<Float>,
                                         transformedWeights: UnsafePointer<Float>? = nil, accumulate: Bool = false) {
    let c = g.channels, phases = 4 &* c
    let bands = workspace
    let u: UnsafePointer<Float>
    if let transformedWeights {
        u = transformedWeights
    } else {
        let slot = workspace + winogradStridedWorkspaceCount(outChannels: o, geometry: g, weightsKept: true)
        winogradPrepareStridedWeights(weight, outChannels: o, channels: c, into: slot)
        u = UnsafePointer(slot)
    }
    let tilesW = (g.outWidth &+ 4) / 5, tilesH = (g.outHeight &+ 4) / 5
    let rowsPerBand = winogradTileRowsPerBand(channels: max(phases, o), tilesW: tilesW, tilesH: tilesH)
    for n in 0..<batch {
        let xn = x + n &* c &* g.inputPlane, yn = y + n &* o &* g.outputPlane
        var row0 = 0
        while row0 < tilesH {
            let rows = min(rowsPerBand, tilesH &- row0), tiles = rows &* tilesW
            let v = bands, m = bands + 36 &* winogradMatrixStride(phases &* tiles)
            winogradPolyphaseInputTransform(xn, channels: c, height: g.height, width: g.width, tileRow0: row0,
                                            tileRows: rows, tilesW: tilesW, into: v)
            winogradProducts(u, rows: o, depth: phases, v, tiles: tiles, into: m)  // U[ξ][O, 4C] · V[ξ][4C, tiles]
            winogradF5x2OutputTransform(m, outChannels: o, tileRow0: row0, tileRows: rows, tilesW: tilesW, bias: bias,
                                        output: yn, outHeight: g.outHeight, outWidth: g.outWidth,
                                        accumulate: accumulate)
            row0 &+= rows
        }
    }
}

/// V[ξ][phase·C + c, tile] = (Bᵀ d B)[ξ] for the 6x6 patch d of phase plane (by, bx) of channel c at every
/// tile of the band (tile t starts at phase row and column 5t).
func winogradPolyphaseInputTransform(_ x: UnsafePointer<Float>, channels c: Int, height: Int, width: Int,
                                     tileRow0: Int, tileRows: Int, tilesW: Int, into v: UnsafeMutablePointer<Float>) {
    let tiles = tileRows &* tilesW, matrix = winogradMatrixStride(4 &* c &* tiles)
    let paddedW = 5 &* tilesW &+ 1
    let src = SendablePointer(UnsafeMutablePointer(mutating: x)), dst = SendablePointer(v)
    parallelFor(c, costPerItem: 4 &* tiles &* 36 &* 8) { start, end in
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: 12 &* paddedW)
        defer { scratch.deallocate() }
        let rows = scratch, t = scratch + 6 &* paddedW
        for ci in start..<end {
            let plane = src.pointer + ci &* height &* width
            for phase in 0..<4 {
                let by = phase >> 1, bx = phase & 1
                for ty in 0..<tileRows {
                    let r0 = (tileRow0 &+ ty) &* 5
                    for k in 0..<6 {
                        // Phase row r0 + k is input row 2(r0 + k) + by - 1, its column s input column 2s + bx - 1.
                        let iy = 2 &* (r0 &+ k) &+ by &- 1, row = rows + k &* paddedW
                        guard iy >= 0 && iy < height else {
                            row.update(repeating: 0, count: paddedW)
                            continue
                        }
                        let line = plane + iy &* width
                        for s in 0..<paddedW {
                            let ix = 2 &* s &+ bx &- 1
                            row[s] = ix >= 0 && ix < width ? line[ix] : 0
                        }
                    }
                    let w = paddedW
                    for i in 0..<w {  // Bᵀ down the six rows, all columns at once
                        let d = rows + i
                        store(inputPoints(d[0], d[w], d[2 &* w], d[3 &* w], d[4 &* w], d[5 &* w]), t + i, w)
                    }
                    let base = (phase &* c &+ ci) &* tiles &+ ty &* tilesW
                    for k in 0..<6 {  // Bᵀ along each tile's six columns
                        let tk = t + k &* paddedW, out = dst.pointer + ((k &* 6) &* matrix &+ base)
                        for tx in 0..<tilesW {
                            let e = tk + tx &* 5
                            store(inputPoints(e[0], e[1], e[2], e[3], e[4], e[5]), out + tx, matrix)
                        }
                    }
                }
            }
        }
    }
}

/// output[o, 5x5 tile] (+)= (Oᵀ M O) + bias[o] for every tile of the band (O: `applyAT5`; rows and columns past
/// the output edge are dropped).
func winogradF5x2OutputTransform(_ m: UnsafePointer<Float>, outChannels o: Int, tileRow0: Int, tileRows: Int,
                                 tilesW: Int, bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>,
                                 outHeight: Int, outWidth: Int, accumulate: Bool) {
    let tiles = tileRows &* tilesW, matrix = winogradMatrixStride(o &* tiles), rowW = 5 &* tilesW
    let src = SendablePointer(UnsafeMutablePointer(mutating: m)), dst = SendablePointer(output)
    let biasPointer = bias.map { SendablePointer(UnsafeMutablePointer(mutating: $0)) }
    parallelFor(o, costPerItem: tiles &* 36 &* 8) { start, end in
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: 30 &* tilesW &+ rowW)
        defer { scratch.deallocate() }
        let s = scratch, row = scratch + 30 &* tilesW  // s[r][j][tile]: Oᵀ down the six rows
        for oc in start..<end {
            let b = biasPointer?.pointer[oc] ?? 0
            let plane = dst.pointer + oc &* outHeight &* outWidth
            for ty in 0..<tileRows {
                applyAT5DownRows(src.pointer + (oc &* tiles &+ ty &* tilesW), matrix: matrix, tilesW: tilesW, into: s)
                for r in 0..<5 {
                    let oy = (tileRow0 &+ ty) &* 5 &+ r
                    if oy >= outHeight { break }
                    let b0 = s + r &* 6 &* tilesW, b1 = b0 + tilesW, b2 = b1 + tilesW
                    let b3 = b2 + tilesW, b4 = b3 + tilesW, b5 = b4 + tilesW
                    for tx in 0..<tilesW {
                        store(applyAT5((b0[tx], b1[tx], b2[tx], b3[tx], b4[tx], b5[tx])), row + 5 &* tx, 1)
                    }
                    storeOutputRow(row, to: plane + oy &* outWidth, count: outWidth, bias: b, accumulate: accumulate)
                }
            }
        }
    }
}
