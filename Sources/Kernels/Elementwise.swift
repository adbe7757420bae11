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
