// im2col / col2im: the lowering that turns a convolution into one GEMM.
// x: [C,H,W] (one sample) ⇄ cols: [C*kh*kw, rows*Wo], row r = (c*kh + ki)*kw + kj, column = oh*Wo + ow
// (oh relative to the first output row of the chunk). Zero padding is implicit.

/// Sizes of one 2-D convolution as im2col sees it: a [C,H,W] input, a kh x kw kernel, symmetric zero padding,
/// equal stride in both directions, and the resulting output size (floor division, as PyTorch).
public struct ConvGeometry: Sendable, Equatable {
    public let channels: Int
    public let height: Int
    public let width: Int
    public let kernelH: Int
    public let kernelW: Int
    public let stride: Int
    public let padding: Int
    public let outHeight: Int
    public let outWidth: Int

    public init(channels: Int, height: Int, width: Int, kernelH: Int, kernelW: Int, stride: Int, padding: Int) {
        precondition(channels > 0 && height > 0 && width > 0 && kernelH > 0 && kernelW > 0,
                     "conv geometry: sizes must be positive (C \(channels), H \(height), W \(width), kernel \(kernelH)x\(kernelW))")
        precondition(stride >= 1 && padding >= 0, "conv geometry: stride \(stride) must be ≥ 1 and padding \(padding) ≥ 0")
        self.channels = channels
        self.height = height
        self.width = width
        self.kernelH = kernelH
        self.kernelW = kernelW
        self.stride = stride
        self.padding = padding
        let paddedH = height + 2 * padding, paddedW = width + 2 * padding
        precondition(paddedH >= kernelH && paddedW >= kernelW,
                     "conv geometry: kernel \(kernelH)x\(kernelW) larger than padded input \(paddedH)x\(paddedW)")
        outHeight = (paddedH - kernelH) / stride + 1
        outWidth = (paddedW - kernelW) / stride + 1
    }

    /// Rows of the column matrix: C * kh * kw (the GEMM's inner dimension for the forward conv).
    @inlinable public var colRows: Int { channels &* kernelH &* kernelW }
    @inlinable public var inputPlane: Int { height &* width }
    @inlinable public var outputPlane: Int { outHeight &* outWidth }
    /// A 1x1 kernel with stride 1 and no padding: the column matrix is the input itself, no im2col needed.
    @inlinable public var isPointwise: Bool { kernelH == 1 && kernelW == 1 && stride == 1 && padding == 0 }

    /// The same convolution of an input already padded by `padding` (and no padding of its own): how a conv that
    /// reads its input through reflection padding chooses its lowering and sizes its workspace.
    public var paddingMaterialized: ConvGeometry {
        ConvGeometry(channels: channels, height: height &+ 2 &* padding, width: width &+ 2 &* padding,
                     kernelH: kernelH, kernelW: kernelW, stride: stride, padding: 0)
    }
}

/// Floats of column matrix a chunk may hold. The column matrix of a large layer (e.g. a 7x7 conv over
/// 64 channels at 256x256: 822 MB) is built a band of output rows at a time, so the workspace stays small and
/// the GEMM reads columns that are still in the last-level cache.
nonisolated(unsafe) public var im2colChunkFloats: Int = 2 << 20

/// Output rows per chunk so that one chunk of columns fits `im2colChunkFloats` (at least one row), balanced so
/// the last chunk is not a sliver.
@inlinable
public func im2colRowsPerChunk(_ g: ConvGeometry) -> Int {
    let perRow = max(1, g.colRows &* g.outWidth)
    let maxRows = max(1, min(g.outHeight, im2colChunkFloats / perRow))
    let chunks = (g.outHeight &+ maxRows &- 1) / maxRows
    return (g.outHeight &+ chunks &- 1) / chunks
}

/// Workspace floats the conv kernels need for `g` (0 for a pointwise conv, which multiplies the input directly).
@inlinable
public func im2colWorkspaceCount(_ g: ConvGeometry) -> Int {
    g.isPointwise ? 0 : g.colRows &* im2colRowsPerChunk(g) &* g.outWidth
}

/// Output columns [lo, hi) whose input column ow*stride - padding + kj lies inside [0, width).
@inline(__always)
@usableFromInline
func validOutputRange(offset kj: Int, size: Int, out: Int, stride s: Int, padding p: Int) -> (Int, Int) {
    // ow*s - p + kj >= 0  ⇔  ow >= ceil((p - kj) / s);   ow*s - p + kj < size  ⇔  ow < ceil((size + p - kj) / s)
    let lo = p &- kj <= 0 ? 0 : (p &- kj &+ s &- 1) / s
    let hiNum = size &+ p &- kj
    let hi = hiNum <= 0 ? 0 : (hiNum &+ s &- 1) / s
    return (min(lo, out), max(min(hi, out), min(lo, out)))
}

/// Writes the columns for output rows [rowStart, rowEnd) of one sample. x: [C,H,W] → cols: [C*kh*kw, rows*Wo].
public func im2col(_ x: UnsafePointer<Float>, _ cols: UnsafeMutablePointer<Float>, geometry g: ConvGeometry,
                   rowStart: Int = 0, rowEnd: Int? = nil) {
    let r1 = rowEnd ?? g.outHeight
    let rows = r1 &- rowStart
    if rows <= 0 { return }
    let ow = g.outWidth, n = rows &* ow
    let kh = g.kernelH, kw = g.kernelW, s = g.stride, p = g.padding, h = g.height, w = g.width
    let src = SendablePointer(UnsafeMutablePointer(mutating: x)), dst = SendablePointer(cols)
    parallelFor(g.colRows, costPerItem: n) { start, end in
        for r in start..<end {
            let kj = r % kw, ki = (r / kw) % kh, c = r / (kw &* kh)
            let plane = src.pointer + c &* h &* w
            let (lo, hi) = validOutputRange(offset: kj, size: w, out: ow, stride: s, padding: p)
            var d = dst.pointer + r &* n
            for oh in rowStart..<r1 {
                let ih = oh &* s &- p &+ ki
                if ih < 0 || ih >= h {
                    d.update(repeating: 0, count: ow)
                } else {
                    let srow = plane + (ih &* w &- p &+ kj)  // srow[ow*s] is input column ow*s - p + kj
                    if lo > 0 { d.update(repeating: 0, count: lo) }
                    if s == 1 {
                        (d + lo).update(from: srow + lo, count: hi &- lo)
                    } else {
                        var j = lo
                        while j < hi { d[j] = srow[j &* s]; j &+= 1 }
                    }
                    if hi < ow { (d + hi).update(repeating: 0, count: ow &- hi) }
                }
                d += ow
            }
        }
    }
}

/// Adds the columns for output rows [rowStart, rowEnd) back onto the input positions they were read from
/// (the adjoint of `im2col`). cols: [C*kh*kw, rows*Wo] → x: [C,H,W] (accumulated, +=).
/// Work is split by channel and, when there are few channels, by bands of input rows, so threads write
/// disjoint memory.
public func col2imAdd(_ cols: UnsafePointer<Float>, _ x: UnsafeMutablePointer<Float>, geometry g: ConvGeometry,
                      rowStart: Int = 0, rowEnd: Int? = nil) {
    let r1 = rowEnd ?? g.outHeight
    let rows = r1 &- rowStart
    if rows <= 0 { return }
    let ow = g.outWidth, n = rows &* ow
    let kh = g.kernelH, kw = g.kernelW, s = g.stride, p = g.padding, h = g.height, w = g.width
    let threads = max(1, kernelThreadCount)
    let bands = g.channels >= 2 &* threads ? 1 : min(h, (4 &* threads &+ g.channels &- 1) / g.channels)
    let src = SendablePointer(UnsafeMutablePointer(mutating: cols)), dst = SendablePointer(x)
    parallelFor(g.channels &* bands, costPerItem: kh &* kw &* n / bands) { start, end in
        for item in start..<end {
            let c = item / bands, band = item % bands
            let bandLo = h &* band / bands, bandHi = h &* (band &+ 1) / bands
            let plane = dst.pointer + c &* h &* w
            for ki in 0..<kh {
                // Output rows whose input row oh*s - p + ki falls in [bandLo, bandHi), within this chunk.
                let (ohLo, ohHi) = validOutputRange(offset: ki &- bandLo, size: bandHi &- bandLo, out: r1,
                                                    stride: s, padding: p)
                let first = max(ohLo, rowStart), last = ohHi
                if first >= last { continue }
                for kj in 0..<kw {
                    let r = (c &* kh &+ ki) &* kw &+ kj
                    let (lo, hi) = validOutputRange(offset: kj, size: w, out: ow, stride: s, padding: p)
                    if lo >= hi { continue }
                    var srcRow = src.pointer + r &* n + (first &- rowStart) &* ow
                    for oh in first..<last {
                        let drow = plane + ((oh &* s &- p &+ ki) &* w &- p &+ kj)
                        if s == 1 {
                            var j = lo
                            while j < hi { drow[j] += srcRow[j]; j &+= 1 }
                        } else {
                            var j = lo
                            while j < hi { drow[j &* s] += srcRow[j]; j &+= 1 }
                        }
                        srcRow += ow
                    }
                }
            }
        }
    }
}
