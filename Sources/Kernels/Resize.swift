// 8-bit image resampling that reproduces Pillow's `Image.resize` bit for bit (the reference's
// transforms run on PIL images): separable convolution with the filter support scaled by the
// downscale factor (antialiasing), weights in 22-bit fixed point, horizontal pass first with
// 8-bit rounding in between, then the vertical pass. Nearest uses PIL's affine sampling.

/// Resampling filter of `resizeImage8`.
public enum ResizeFilter: Sendable {
    case nearest, bilinear, bicubic

    /// Half-width of the filter at scale 1.
    @inlinable var support: Double {
        switch self {
        case .nearest: return 0.5
        case .bilinear: return 1
        case .bicubic: return 2
        }
    }

    @inlinable func weight(_ x: Double) -> Double {
        let x = abs(x)
        switch self {
        case .nearest:
            return x < 0.5 ? 1 : 0
        case .bilinear:
            return x < 1 ? 1 - x : 0
        case .bicubic:
            // Keys cubic with a = -0.5, as PIL.
            let a = -0.5
            if x < 1 { return ((a + 2) * x - (a + 3)) * x * x + 1 }
            if x < 2 { return (((x - 5) * x + 8) * x - 4) * a }
            return 0
        }
    }
}

/// Fixed-point precision of the weights (PIL: 32 - 8 bits of pixel - 2 bits of headroom).
@usableFromInline let resizePrecisionBits = 22

/// Per output index along one axis: first input index, number of taps, and `taps` weights.
@usableFromInline struct ResizeAxis {
    @usableFromInline var first: UnsafeMutablePointer<Int>
    @usableFromInline var count: UnsafeMutablePointer<Int>
    @usableFromInline var weights: UnsafeMutablePointer<Int32>
    @usableFromInline var taps: Int

    /// PIL's precompute_coeffs + normalize_coeffs_8bpc for resizing `inSize` to `outSize`.
    @usableFromInline init(inSize: Int, outSize: Int, filter: ResizeFilter) {
        let scale = Double(inSize) / Double(outSize)
        let filterScale = max(scale, 1)
        let support = filter.support * filterScale
        taps = Int(support.rounded(.up)) * 2 + 1
        first = .allocate(capacity: outSize)
        count = .allocate(capacity: outSize)
        weights = .allocate(capacity: outSize * taps)
        weights.initialize(repeating: 0, count: outSize * taps)
        let real = UnsafeMutablePointer<Double>.allocate(capacity: taps)
        defer { real.deallocate() }
        let inverseScale = 1 / filterScale
        let one = Double(1 << resizePrecisionBits)
        for xx in 0..<outSize {
            let center = (Double(xx) + 0.5) * scale
            // C's (int) cast truncates toward zero; the clamps make that equal to PIL's.
            var xmin = Int(center - support + 0.5)
            if xmin < 0 { xmin = 0 }
            var xmax = Int(center + support + 0.5)
            if xmax > inSize { xmax = inSize }
            xmax -= xmin
            var total = 0.0
            for x in 0..<xmax {
                let w = filter.weight((Double(x + xmin) - center + 0.5) * inverseScale)
                real[x] = w
                total += w
            }
            for x in 0..<xmax {
                let w = total != 0 ? real[x] / total : real[x]
                weights[xx * taps + x] = Int32(w < 0 ? (-0.5 + w * one) : (0.5 + w * one))
            }
            first[xx] = xmin
            count[xx] = xmax
        }
    }

    @usableFromInline func deallocate() {
        first.deallocate()
        count.deallocate()
        weights.deallocate()
    }
}

@inline(__always) @usableFromInline func clip8(_ value: Int32) -> UInt8 {
    let v = value >> Int32(resizePrecisionBits)
    return v < 0 ? 0 : (v > 255 ? 255 : UInt8(truncatingIfNeeded: v))
}

/// Resizes an interleaved 8-bit image (`channels` bytes per pixel, rows packed) into `dst`
/// (`dstWidth * dstHeight * channels` bytes). Equal sizes copy.
public func resizeImage8(_ src: UnsafePointer<UInt8>, width: Int, height: Int, channels: Int,
                         into dst: UnsafeMutablePointer<UInt8>, dstWidth: Int, dstHeight: Int,
                         filter: ResizeFilter) {
    if width == dstWidth && height == dstHeight {
        dst.update(from: src, count: width * height * channels)
        return
    }
    if filter == .nearest {
        resizeNearest8(src, width: width, height: height, channels: channels,
                       into: dst, dstWidth: dstWidth, dstHeight: dstHeight)
        return
    }
    let needHorizontal = dstWidth != width
    let needVertical = dstHeight != height
    let vertical = ResizeAxis(inSize: height, outSize: dstHeight, filter: filter)
    defer { vertical.deallocate() }

    if needHorizontal {
        let horizontal = ResizeAxis(inSize: width, outSize: dstWidth, filter: filter)
        defer { horizontal.deallocate() }
        if !needVertical {
            resizeRows8(src, srcWidth: width, channels: channels, firstRow: 0, rows: height,
                        into: dst, dstWidth: dstWidth, axis: horizontal)
            return
        }
        // Only the source rows the vertical pass reads.
        let firstRow = vertical.first[0]
        let lastRow = vertical.first[dstHeight - 1] + vertical.count[dstHeight - 1]
        let rows = lastRow - firstRow
        let temp = UnsafeMutablePointer<UInt8>.allocate(capacity: rows * dstWidth * channels)
        defer { temp.deallocate() }
        resizeRows8(src, srcWidth: width, channels: channels, firstRow: firstRow, rows: rows,
                    into: temp, dstWidth: dstWidth, axis: horizontal)
        resizeColumns8(UnsafePointer(temp), width: dstWidth, channels: channels, rowOffset: firstRow,
                       into: dst, dstHeight: dstHeight, axis: vertical)
    } else {
        resizeColumns8(src, width: width, channels: channels, rowOffset: 0,
                       into: dst, dstHeight: dstHeight, axis: vertical)
    }
}

/// Horizontal pass: rows firstRow..<firstRow+rows of src into rows 0..<rows of dst.
@usableFromInline func resizeRows8(_ src: UnsafePointer<UInt8>, srcWidth: Int, channels: Int, firstRow: Int, rows: Int,
                                   into dst: UnsafeMutablePointer<UInt8>, dstWidth: Int, axis: ResizeAxis) {
    let half = Int32(1 << (resizePrecisionBits - 1))
    for y in 0..<rows {
        let inRow = src + (firstRow + y) * srcWidth * channels
        let outRow = dst + y * dstWidth * channels
        for x in 0..<dstWidth {
            let n = axis.count[x]
            let k = axis.weights + x * axis.taps
            var p = inRow + axis.first[x] * channels
            if channels == 3 {
                // The common case, one accumulator per channel (PIL sums in Int32 too).
                var r = half, g = half, b = half
                for i in 0..<n {
                    let w = k[i]
                    r &+= Int32(p[0]) &* w
                    g &+= Int32(p[1]) &* w
                    b &+= Int32(p[2]) &* w
                    p += 3
                }
                outRow[3 * x] = clip8(r)
                outRow[3 * x + 1] = clip8(g)
                outRow[3 * x + 2] = clip8(b)
            } else {
                for c in 0..<channels {
                    var sum = half
                    for i in 0..<n { sum &+= Int32(p[i * channels + c]) &* k[i] }
                    outRow[x * channels + c] = clip8(sum)
                }
            }
        }
    }
}

/// Vertical pass: src rows are source rows shifted by rowOffset (only the needed band is stored).
/// Tap-outer order so the inner loop runs along a row (contiguous, vectorizable).
@usableFromInline func resizeColumns8(_ src: UnsafePointer<UInt8>, width: Int, channels: Int, rowOffset: Int,
                                      into dst: UnsafeMutablePointer<UInt8>, dstHeight: Int, axis: ResizeAxis) {
    let half = Int32(1 << (resizePrecisionBits - 1))
    let stride = width * channels
    let sums = UnsafeMutablePointer<Int32>.allocate(capacity: stride)
    defer { sums.deallocate() }
    for y in 0..<dstHeight {
        let ymin = axis.first[y] - rowOffset, n = axis.count[y]
        let k = axis.weights + y * axis.taps
        sums.update(repeating: half, count: stride)
        for t in 0..<n {
            let w = k[t]
            let row = src + (ymin + t) * stride
            for i in 0..<stride { sums[i] &+= Int32(row[i]) &* w }
        }
        let outRow = dst + y * stride
        for i in 0..<stride { outRow[i] = clip8(sums[i]) }
    }
}

/// PIL's NEAREST resize: affine sampling at pixel centres, the source coordinate accumulated step by step.
@usableFromInline func resizeNearest8(_ src: UnsafePointer<UInt8>, width: Int, height: Int, channels: Int,
                                      into dst: UnsafeMutablePointer<UInt8>, dstWidth: Int, dstHeight: Int) {
    let xs = UnsafeMutablePointer<Int>.allocate(capacity: dstWidth)
    defer { xs.deallocate() }
    let ax = Double(width) / Double(dstWidth), ay = Double(height) / Double(dstHeight)
    var xo = ax * 0.5
    for x in 0..<dstWidth {
        xs[x] = min(max(xo < 0 ? -1 : Int(xo), 0), width - 1)
        xo += ax
    }
    var yo = ay * 0.5
    for y in 0..<dstHeight {
        let sy = min(max(yo < 0 ? -1 : Int(yo), 0), height - 1)
        yo += ay
        let inRow = src + sy * width * channels
        let outRow = dst + y * dstWidth * channels
        for x in 0..<dstWidth {
            let s = inRow + xs[x] * channels
            for c in 0..<channels { outRow[x * channels + c] = s[c] }
        }
    }
}
