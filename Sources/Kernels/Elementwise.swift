// Elementwise kernels over flat buffers of n floats. Backward kernels accumulate (+=).

/// out = a + b
public func addForward(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ n: Int) {
    for i in 0..<n { out[i] = a[i] + b[i] }
}
/// out = a - b
public func subForward(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ n: Int) {
    for i in 0..<n { out[i] = a[i] - b[i] }
}
/// out = a * b
public func mulForward(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ n: Int) {
    for i in 0..<n { out[i] = a[i] * b[i] }
}
/// out = a * s + t
public func affineForward(_ a: UnsafePointer<Float>, scale s: Float, shift t: Float, _ out: UnsafeMutablePointer<Float>, _ n: Int) {
    for i in 0..<n { out[i] = a[i] * s + t }
}
/// dst += src * s
public func axpy(_ src: UnsafePointer<Float>, scale s: Float, into dst: UnsafeMutablePointer<Float>, _ n: Int) {
    if s == 1 { for i in 0..<n { dst[i] += src[i] } } else { for i in 0..<n { dst[i] += src[i] * s } }
}
/// dst += a * b
public func mulAccumulate(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, into dst: UnsafeMutablePointer<Float>, _ n: Int) {
    for i in 0..<n { dst[i] += a[i] * b[i] }
}

/// out = a * b * s (dropout: x * mask / (1 - p))
public func mulScaledForward(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, scale s: Float,
                             _ out: UnsafeMutablePointer<Float>, _ n: Int) {
    parallelFor(n, costPerItem: 3) { lo, hi in for i in lo..<hi { out[i] = a[i] * b[i] * s } }
}
/// dst += a * b * s
public func mulScaledAccumulate(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, scale s: Float,
                                into dst: UnsafeMutablePointer<Float>, _ n: Int, accumulate: Bool = true) {
    parallelFor(n, costPerItem: 3) { lo, hi in
        if accumulate {
            for i in lo..<hi { dst[i] += a[i] * b[i] * s }
        } else {
            for i in lo..<hi { dst[i] = a[i] * b[i] * s }
        }
    }
}

/// Copies `blocks` runs of `length` floats from src (runs `srcStride` apart) to dst (runs `dstStride` apart):
/// concatenation and slicing along an outer axis.
public func copyBlocks(_ src: UnsafePointer<Float>, srcStride: Int, _ dst: UnsafeMutablePointer<Float>, dstStride: Int,
                       blocks: Int, length: Int) {
    parallelFor(blocks, costPerItem: 2 &* length) { lo, hi in
        for b in lo..<hi { (dst + b &* dstStride).update(from: src + b &* srcStride, count: length) }
    }
}
/// The same, adding into dst (+=).
public func accumulateBlocks(_ src: UnsafePointer<Float>, srcStride: Int, _ dst: UnsafeMutablePointer<Float>, dstStride: Int,
                             blocks: Int, length: Int) {
    parallelFor(blocks, costPerItem: 2 &* length) { lo, hi in
        for b in lo..<hi {
            let s = src + b &* srcStride, d = dst + b &* dstStride
            for i in 0..<length { d[i] += s[i] }
        }
    }
}
