import Foundation

// Loss kernels: sums of per-element losses (the caller divides by n for the mean) and their gradients.
// The target is either a tensor `y` or, when `y` is nil, the constant `target` (GAN labels).
// Backward kernels accumulate `scale * d(loss_i)/d(x_i)` (scale = upstream gradient / n).

/// Σ |x - y|
public func l1LossSum(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>?, target: Float = 0, _ n: Int) -> Double {
    blockedSum(n) { s, e in
        var a0 = SIMD4<Double>(), a1 = SIMD4<Double>()
        let t = SIMD4<Float>(repeating: target)
        var i = s
        while i &+ 8 <= e {
            let d0 = load4(x, i) - (y.map { load4($0, i) } ?? t)
            let d1 = load4(x, i &+ 4) - (y.map { load4($0, i &+ 4) } ?? t)
            a0 += widen(pointwiseMax(d0, -d0))
            a1 += widen(pointwiseMax(d1, -d1))
            i &+= 8
        }
        var acc = (a0 + a1).sum()
        while i < e { acc += Double(abs(x[i] - (y?[i] ?? target))); i &+= 1 }
        return acc
    }
}

/// d|x - y| = sign(x - y) (0 at x == y, like PyTorch); gradX += scale*sign, gradY -= scale*sign.
public func l1LossBackward(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>?, target: Float = 0, scale: Float,
                           gradX: UnsafeMutablePointer<Float>?, gradY: UnsafeMutablePointer<Float>?, _ n: Int) {
    @inline(__always) func sign(_ d: Float) -> Float { d > 0 ? 1 : (d < 0 ? -1 : 0) }
    parallelFor(n, costPerItem: 3) { s, e in
        for i in s..<e {
            let g = sign(x[i] - (y?[i] ?? target)) * scale
            gradX?[i] += g
            gradY?[i] -= g
        }
    }
}

/// Σ (x - y)²
public func squaredErrorSum(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>?, target: Float = 0, _ n: Int) -> Double {
    blockedSum(n) { s, e in
        var a0 = SIMD4<Double>(), a1 = SIMD4<Double>()
        let t = SIMD4<Float>(repeating: target)
        var i = s
        while i &+ 8 <= e {
            let d0 = widen(load4(x, i) - (y.map { load4($0, i) } ?? t))
            let d1 = widen(load4(x, i &+ 4) - (y.map { load4($0, i &+ 4) } ?? t))
            a0 += d0 * d0
            a1 += d1 * d1
            i &+= 8
        }
        var acc = (a0 + a1).sum()
        while i < e { let d = Double(x[i] - (y?[i] ?? target)); acc += d * d; i &+= 1 }
        return acc
    }
}

/// d(x - y)² = 2 (x - y).
public func squaredErrorBackward(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>?, target: Float = 0, scale: Float,
                                 gradX: UnsafeMutablePointer<Float>?, gradY: UnsafeMutablePointer<Float>?, _ n: Int) {
    let twice = 2 * scale
    parallelFor(n, costPerItem: 3) { s, e in
        for i in s..<e {
            let g = (x[i] - (y?[i] ?? target)) * twice
            gradX?[i] += g
            gradY?[i] -= g
        }
    }
}

/// Binary cross-entropy on a logit, stable for any |x|: max(x,0) - x*y + log(1 + exp(-|x|)).
@inline(__always) func bceWithLogits(_ x: Float, _ y: Float) -> Double {
    Double(max(x, 0) - x * y) + Double(Foundation.log1p(Foundation.exp(-abs(x))))
}

/// Σ bceWithLogits(x, y)
public func bceWithLogitsSum(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>?, target: Float = 0, _ n: Int) -> Double {
    blockedSum(n, costPerItem: 16) { s, e in
        var acc = 0.0
        if let y { for i in s..<e { acc += bceWithLogits(x[i], y[i]) } }
        else { for i in s..<e { acc += bceWithLogits(x[i], target) } }
        return acc
    }
}

/// d/dx = sigmoid(x) - y, d/dy = -x.
public func bceWithLogitsBackward(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>?, target: Float = 0, scale: Float,
                                  gradX: UnsafeMutablePointer<Float>?, gradY: UnsafeMutablePointer<Float>?, _ n: Int) {
    parallelFor(n, costPerItem: 16) { s, e in
        for i in s..<e {
            gradX?[i] += (stableSigmoid(x[i]) - (y?[i] ?? target)) * scale
            gradY?[i] -= x[i] * scale
        }
    }
}
