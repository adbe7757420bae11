// Winograd for the U-Net's up-convs: 4x4 transposed convolutions, stride 2, padding 1 (output 2H x 2W).
// Each of the four output phases (py, px) (output rows 2i + py, columns 2j + px) is a 2x2 stride-1 correlation
// of the input: y[o, 2i+py, 2j+px] = Σ_c Σ_{a,b ∈ 0,1} w[c, o, 3-py-2a, 3-px-2b] · x[c, i-1+py+a, j-1+px+b].
// All four run as one F(5x5, 2x2) Winograd convolution on the same 6x6 input tiles (input rows 5t-1 … 5t+4):
// phase 1 yields input-grid rows 5t-1 … 5t+3 and phase 0 rows 5t … 5t+4, so together a tile covers the ten
// output rows 10t-1 … 10t+8 (row -1 and rows past the edge are dropped). Per tile and (o, c) pair that is
// 36 multiplies instead of 400 (2.8x fewer), as 36 GEMMs M[ξ][4·Cout, tiles] = U[ξ][4·Cout, Cin] · V[ξ].
// The interpolation points are those of F(4x4,3x3) (0, ±1, ±2, ∞), so the input transform Bᵀ is shared;
// the kernel side is the degree-1 Vandermonde rows scaled like G, the output side the degree-4 ones.

/// Input-tile stride of F(5x5, 2x2): five outputs per six inputs.
enum WinogradF5x2: WinogradInputTiling {
    static var outputTile: Int { 5 }
}

/// Whether convTranspose2d runs this layer through the polyphase Winograd: a 4x4 kernel, stride 2, padding 1,
/// no output padding (the U-Net's up-convs), and, automatically, enough channels and tiles for the 36 GEMMs to
/// pay for the transforms. The 256→64 up-conv at 64x64 inputs (169 tiles) ran in 12 ms against 15 ms for
/// im2col. The 512→128 one at 32x32 (49 tiles) ran as fast as im2col (13-14 ms), 4 ms of it in its weight
/// transform (36·512·512 floats): so it takes Winograd only when a frozen layer keeps that transform
/// (`weightsKept`). The 1024→256 one at 16x16 (16 tiles) never does: its transformed weights would dwarf
/// its GEMMs. `g` is the transposed conv's geometry as `convTranspose2dForward` takes it.
@inlinable
public func convTranspose2dUsesWinograd(inChannels cin: Int, geometry g: ConvGeometry,
                                        weightsKept: Bool = false) -> Bool {
    guard g.kernelH == 4 && g.kernelW == 4 && g.stride == 2 && g.padding == 1
        && g.height == 2 &* g.outHeight && g.width == 2 &* g.outWidth else { return false }
    switch conv2dLowering {
    case .winograd: return true
    case .columns, .tapPlanes: return false
    case .automatic:
        let tiles = winogradTransposedTiles(g.outHeight) &* winogradTransposedTiles(g.outWidth)
        return cin >= 32 && g.channels >= 16 && tiles >= (weightsKept ? 40 : 100)
    }
}

/// Tiles along one side of an input of `size` pixels: tile t covers output rows 10t-1 … 10t+8 of 2·size.
@inlinable
func winogradTransposedTiles(_ size: Int) -> Int { (2 &* size &+ 10) / 10 }

/// Floats of a transposed layer's transformed weights U (36 x [4·Cout, Cin], matrices `winogradMatrixStride`
/// apart), as `winogradPrepareTransposedWeights` writes them.
@inlinable
public func winogradTransposedWeightCount(inChannels cin: Int, outChannels cout: Int) -> Int {
    36 &* winogradMatrixStride(4 &* cout &* cin)
}

/// Workspace floats of `winogradConvTranspose2dForward`: a band of transformed input and products, then U
/// (not needed when the caller passes kept transformed weights).
@inlinable
public func winogradTransposedWorkspaceCount(inChannels cin: Int, geometry g: ConvGeometry,
                                             weightsKept: Bool = false) -> Int {
    let rows = 4 &* g.channels, tilesW = winogradTransposedTiles(g.outWidth)
    let band = winogradTileRowsPerBand(channels: max(cin, rows), tilesW: tilesW,
                                       tilesH: winogradTransposedTiles(g.outHeight)) &* tilesW
    return 36 &* (winogradMatrixStride(cin &* band) &+ winogradMatrixStride(rows &* band))
        &+ (weightsKept ? 0 : winogradTransposedWeightCount(inChannels: cin, outChannels: g.channels))
}

/// Writes U[ξ][(phase, o), c] = (K h Kᵀ)[ξ] for the 2x2 kernel h of every phase (py, px), output channel o and
/// input channel c of weight [Cin, Cout, 4, 4]; row (py·2 + px)·Cout + o. `u`: `winogradTransposedWeightCount`.
public func winogradPrepareTransposedWeights(_ weight: UnsafePointer<Float>, inChannels cin: Int,
                                             outChannels cout: Int, into u: UnsafeMutablePointer<Float>) {
    let w = SendablePointer(UnsafeMutablePointer(mutating: weight)), dst = SendablePointer(u)
    let matrix = winogradMatrixStride(4 &* cout &* cin)
    // One (ξ row, o) pair per item, so each pass over the input channels writes six rows of U in order: all
    // 144 (phase, ξ) rows at once ran at a fraction of the memory bandwidth (a read for ownership per line, too
    // many streams for the prefetchers). The column transform is recomputed for each ξ row; it is cheap.
    parallelFor(6 &* cout, costPerItem: cin &* 4 &* 60) { start, end in
        for item in start..<end {
            let xiy = item / cout, o = item &- xiy &* cout
            for phase in 0..<4 {
                let py = phase >> 1, px = phase & 1
                // h[a][b] = k[(3 - py - 2a) * 4 + 3 - px - 2b]
                let topIndex: Int = (3 &- py) &* 4 &+ (3 &- px)
                winogradTransform2x2Run(UnsafePointer(w.pointer + (o &* 16 &+ topIndex)), kernelStride: cout &* 16,
                                        rowStep: -8, columnStep: -2, count: cin, xiRow: xiy,
                                        into: dst.pointer + (6 &* xiy &* matrix &+ (phase &* cout &+ o) &* cin),
                                        matrix: matrix)
            }
        }
    }
}

/// Row `xiRow` of U (the six ξ = 6·xiRow + ξx, `matrix` apart) for `count` 2x2 kernels, kernel i's taps
/// h[a][b] at taps + i·kernelStride + a·rowStep + b·columnStep, written to out[i] (+ ξx·matrix).
@inline(__always)
func winogradTransform2x2Run(_ taps: UnsafePointer<Float>, kernelStride: Int, rowStep: Int, columnStep: Int,
                             count: Int, xiRow: Int, into out: UnsafeMutablePointer<Float>, matrix: Int) {
    for i in 0..<count {
        let top = taps + i &* kernelStride, bottom = top + rowStep
        let left = sextetLane(applyG2(top[0], bottom[0]), xiRow)
        let right = sextetLane(applyG2(top[columnStep], bottom[columnStep]), xiRow)
        store(applyG2(left, right), out + i, matrix)
    }
}

/// Lane `i` of a sextet.
@inline(__always)
func sextetLane(_ v: WinogradSextet, _ i: Int) -> Float {
    switch i {
    case 0: return v.0
    case 1: return v.1
    case 2: return v.2
    case 3: return v.3
    case 4: return v.4
    default: return v.5
    }
}

/// y (+)= convT(x, weight) + bias for a 4x4, stride-2, padding-1 transposed conv (`convTranspose2dUsesWinograd`).
/// x: [N,Cin,H,W], weight: [Cin,Cout,4,4], y: [N,Cout,2H,2W] (every element written, or added onto with
/// `accumulate`). With `transformedWeights` (`winogradPrepareTransposedWeights` of this weight) the weight
/// transform is skipped. It is also the input gradient of a 4x4 stride-2 padding-1 conv2d (weight [O,C,4,4]
/// read as [Cin,Cout,4,4], x = dy), whose geometry is the one this takes.
public func winogradConvTranspose2dForward(x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                           bias: UnsafePointer<Float>?, y: UnsafeMutablePointer<Float>,
                                           batch: Int, inChannels cin: Int, geometry g: ConvGeometry,
                                           workspace: UnsafeMutablePointer<Float>,
                                           transformedWeights: UnsafePointer<Float>? = nil, accumulate: Bool = false) {
    let cout = g.channels, rows = 4 &* cout, h = g.outHeight, w = g.outWidth
    let tilesW = winogradTransposedTiles(w), tilesH = winogradTransposedTiles(h)
    let rowsPerBand = winogradTileRowsPerBand(channels: max(cin, rows), tilesW: tilesW, tilesH: tilesH)
    let bands = workspace
    let u: UnsafePointer<Float>
    if let transformedWeights {
        u = transformedWeights
    } else {
        let slot = workspace + winogradTransposedWorkspaceCount(inChannels: cin, geometry: g, weightsKept: true)
        winogradPrepareTransposedWeights(weight, inChannels: cin, outChannels: cout, into: slot)
        u = UnsafePointer(slot)
    }
    for n in 0..<batch {
        let xn = x + n &* cin &* h &* w, yn = y + n &* cout &* g.inputPlane
        var row0 = 0
        while row0 < tilesH {
            let bandRows = min(rowsPerBand, tilesH &- row0), tiles = bandRows &* tilesW
            let v = bands, m = bands + 36 &* winogradMatrixStride(cin &* tiles)
            winogradInputTransform(WinogradF5x2.self, xn, channels: cin, height: h, width: w, padding: 1,
                                   tileRow0: row0, tileRows: bandRows, tilesW: tilesW, into: v)
            winogradProducts(u, rows: rows, depth: cin, v, tiles: tiles, into: m)  // U[ξ][4·Cout, Cin] · V[ξ]
            winogradTransposedOutputTransform(m, outChannels: cout, tileRow0: row0, tileRows: bandRows,
                                              tilesW: tilesW, bias: bias, output: yn, outHeight: g.height,
                                              outWidth: g.width, accumulate: accumulate)
            row0 &+= bandRows
        }
    }
}

/// output[o] = the four phases' (Oᵀ M O) interleaved, + bias[o], for every tile of the band (O: degree-4
/// Vandermonde rows; the first row and the rows and columns past the output edge are dropped).
func winogradTransposedOutputTransform(_ m: UnsafePointer<Float>, outChannels cout: Int, tileRow0: Int,
                                       tileRows: Int, tilesW: Int, bias: UnsafePointer<Float>?,
                                       output: UnsafeMutablePointer<Float>, outHeight: Int, outWidth: Int,
                                       accumulate: Bool) {
    let tiles = tileRows &* tilesW, matrix = winogradMatrixStride(4 &* cout &* tiles), blockW = 10 &* tilesW
    let src = SendablePointer(UnsafeMutablePointer(mutating: m)), dst = SendablePointer(output)
    let biasPointer = bias.map { SendablePointer(UnsafeMutablePointer(mutating: $0)) }
    parallelFor(cout, costPerItem: tiles &* 4 &* 36 &* 8) { start, end in
        // s[r][j][tile]: Oᵀ down the six rows of one phase; block: the tile row's ten output rows.
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: 30 &* tilesW &+ 10 &* blockW)
        defer { scratch.deallocate() }
        let s = scratch, block = scratch + 30 &* tilesW
        for o in start..<end {
            let b = biasPointer?.pointer[o] ?? 0
            let plane = dst.pointer + o &* outHeight &* outWidth
            for ty in 0..<tileRows {
                for phase in 0..<4 {
                    let py = phase >> 1, px = phase & 1
                    applyAT5DownRows(src.pointer + ((phase &* cout &+ o) &* tiles &+ ty &* tilesW), matrix: matrix,
                                     tilesW: tilesW, into: s)
                    // Phase (py, px)'s output (ky, kx) of tile tx is block[2ky + 1 - py][10 tx + 2kx + 1 - px].
                    for ky in 0..<5 {
                        let b0 = s + ky &* 6 &* tilesW, b1 = b0 + tilesW, b2 = b1 + tilesW
                        let b3 = b2 + tilesW, b4 = b3 + tilesW, b5 = b4 + tilesW
                        let offset: Int = (2 &* ky &+ 1 &- py) &* blockW &+ (1 &- px)
                        let target = block + offset
                        for tx in 0..<tilesW {
                            store(applyAT5((b0[tx], b1[tx], b2[tx], b3[tx], b4[tx], b5[tx])), target + 10 &* tx, 2)
                        }
                    }
                }
                // Block row r is output row 10·(tile row) - 1 + r; block column 1 + X is output column X.
                for r in 0..<10 {
                    let oy = (tileRow0 &+ ty) &* 10 &- 1 &+ r
                    if oy < 0 { continue }
                    if oy >= outHeight { break }
                    storeOutputRow(block + (r &* blockW &+ 1), to: plane + oy &* outWidth, count: outWidth, bias: b,
                                   accumulate: accumulate)
                }
            }
        }
    }
}

/// Six values of the degree-1 polynomial a + b·t at 0, 1, -1, 2, -2 and its leading coefficient, scaled like
/// `applyG` (so the product with Bᵀ's points and `applyAT5` is exact).
@inline(__always)
func applyG2(_ a: Float, _ b: Float) -> WinogradSextet {
    let quarter: Float = 0.25, sixth: Float = 1.0 / 6.0, twentyFourth: Float = 1.0 / 24.0
    return (a * quarter, -(a + b) * sixth, -(a - b) * sixth, (a + 2 * b) * twentyFourth, (a - 2 * b) * twentyFourth, b)
}

public typealias WinogradQuintet = (Float, Float, Float, Float, Float)

/// Five outputs from six products: Σ_ξ t_ξᵏ a_ξ for k = 0 … 4 (the ∞ point adds to the top degree).
@inline(__always)
func applyAT5(_ a: WinogradSextet) -> WinogradQuintet {
    let odd1 = a.1 - a.2, odd2 = a.3 - a.4, even1 = a.1 + a.2, even2 = a.3 + a.4
    return (a.0 + even1 + even2, odd1 + 2 * odd2, even1 + 4 * even2, odd1 + 8 * odd2, even1 + 16 * even2 + a.5)
}

/// s[k][j][tx] = (Oᵀ down column j of the 6x6 products of tile tx)[k], k < 5, for the `tilesW` tiles of one tile
/// row of one output row of M (`m` points at its ξ = 0 entry of the first tile; matrices `matrix` apart).
@inline(__always)
func applyAT5DownRows(_ m: UnsafeMutablePointer<Float>, matrix: Int, tilesW: Int, into s: UnsafeMutablePointer<Float>) {
    for j in 0..<6 {
        let a0 = m + j &* matrix, a1 = a0 + 6 &* matrix, a2 = a1 + 6 &* matrix
        let a3 = a2 + 6 &* matrix, a4 = a3 + 6 &* matrix, a5 = a4 + 6 &* matrix
        let sj = s + j &* tilesW, rowStride = 6 &* tilesW
        for tx in 0..<tilesW {
            store(applyAT5((a0[tx], a1[tx], a2[tx], a3[tx], a4[tx], a5[tx])), sj + tx, rowStride)
        }
    }
}

@inline(__always)
func store(_ v: WinogradQuintet, _ out: UnsafeMutablePointer<Float>, _ stride: Int) {
    out[0] = v.0
    out[stride] = v.1
    out[2 &* stride] = v.2
    out[3 &* stride] = v.3
    out[4 &* stride] = v.4
}
