// Padding kernels. x: [planes, h, w] (planes = N*C) → out: [planes, h+2*pad, w+2*pad].
// Backward kernels accumulate (+=) into the input gradient.

/// Source row/column of padded position `i` under reflection about the edge (the edge itself is not repeated,
/// as in PyTorch's ReflectionPad2d): -1 → 1, n → n-2.
@inline(__always)
func reflectedIndex(_ i: Int, size n: Int, pad: Int) -> Int {
    var s = i &- pad
    if s < 0 { s = 0 &- s }
    if s >= n { s = 2 &* (n &- 1) &- s }
    return s
}

/// padded[0..<width + 2·pad] = the row `source` (width floats) with `pad` mirrored floats on each side.
@inline(__always)
func reflectRow(_ source: UnsafePointer<Float>, width w: Int, pad: Int, into padded: UnsafeMutablePointer<Float>) {
    for j in 0..<pad { padded[j] = source[pad &- j] }
    (padded + pad).update(from: source, count: w)
    for j in 0..<pad { padded[pad &+ w &+ j] = source[w &- 2 &- j] }
}

/// The adjoint of `reflectRow`: target[0..<width] += each padded position's value at the column it mirrors.
@inline(__always)
func foldReflectedRow(_ padded: UnsafePointer<Float>, width w: Int, pad: Int,
                      into target: UnsafeMutablePointer<Float>) {
    for j in 0..<pad { target[pad &- j] += padded[j] }
    for j in 0..<w { target[j] += padded[pad &+ j] }
    for j in 0..<pad { target[w &- 2 &- j] += padded[pad &+ w &+ j] }
}

/// Reflection padding; requires pad < h and pad < w.
public func reflectionPad2dForward(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
                                   planes: Int, h: Int, w: Int, pad: Int) {
    let oh = h &+ 2 &* pad, ow = w &+ 2 &* pad
    parallelFor(planes, costPerItem: 2 &* oh &* ow) { start, end in
        for p in start..<end {
            let src = x + p &* h &* w, dst = out + p &* oh &* ow
            for i in 0..<oh {
                reflectRow(src + reflectedIndex(i, size: h, pad: pad) &* w, width: w, pad: pad, into: dst + i &* ow)
            }
        }
    }
}

/// Adds each padded position's gradient to the input position it was copied from (mirrored borders add up).
public func reflectionPad2dBackward(_ gradOut: UnsafePointer<Float>, _ gradIn: UnsafeMutablePointer<Float>,
                                    planes: Int, h: Int, w: Int, pad: Int) {
    let oh = h &+ 2 &* pad, ow = w &+ 2 &* pad
    parallelFor(planes, costPerItem: 2 &* oh &* ow) { start, end in
        for p in start..<end {
            let dst = gradIn + p &* h &* w, src = gradOut + p &* oh &* ow
            for i in 0..<oh {
                foldReflectedRow(src + i &* ow, width: w, pad: pad, into: dst + reflectedIndex(i, size: h, pad: pad) &* w)
            }
        }
    }
}

/// Zero padding.
public func zeroPad2dForward(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
                             planes: Int, h: Int, w: Int, pad: Int) {
    let oh = h &+ 2 &* pad, ow = w &+ 2 &* pad
    parallelFor(planes, costPerItem: 2 &* oh &* ow) { start, end in
        for p in start..<end {
            let src = x + p &* h &* w, dst = out + p &* oh &* ow
            dst.update(repeating: 0, count: pad &* ow)
            for i in 0..<h {
                let drow = dst + (pad &+ i) &* ow, srow = src + i &* w
                for j in 0..<pad { drow[j] = 0; drow[pad &+ w &+ j] = 0 }
                for j in 0..<w { drow[pad &+ j] = srow[j] }
            }
            (dst + (pad &+ h) &* ow).update(repeating: 0, count: pad &* ow)
        }
    }
}

/// The gradient of zero padding: the interior of gradOut.
public func zeroPad2dBackward(_ gradOut: UnsafePointer<Float>, _ gradIn: UnsafeMutablePointer<Float>,
                              planes: Int, h: Int, w: Int, pad: Int) {
    let oh = h &+ 2 &* pad, ow = w &+ 2 &* pad
    parallelFor(planes, costPerItem: 2 &* h &* w) { start, end in
        for p in start..<end {
            let dst = gradIn + p &* h &* w, src = gradOut + p &* oh &* ow
            for i in 0..<h {
                let drow = dst + i &* w, srow = src + ((pad &+ i) &* ow &+ pad)
                for j in 0..<w { drow[j] += srow[j] }
            }
        }
    }
}
