// Optimizer updates over one flat block of parameters (adjacent parameters of a network share one loop).

import CSIMD
import CVectorKernels

/// One Adam step with PyTorch's single-tensor arithmetic, operation by operation:
///   m.lerp_(g, w1); v = v * beta2 + w2 * g * g
///   denom = sqrt(v) / biasCorrection2Sqrt + eps;  p += -stepSize * (m / denom)
/// with w1 = 1 - beta1, w2 = 1 - beta2, stepSize = lr / (1 - beta1^t), biasCorrection2Sqrt = sqrt(1 - beta2^t),
/// all computed by the caller in Double (as Python does) and rounded to Float.
public func adamUpdate(_ param: UnsafeMutablePointer<Float>, _ grad: UnsafePointer<Float>,
                       expAvg: UnsafeMutablePointer<Float>, expAvgSq: UnsafeMutablePointer<Float>, _ n: Int,
                       w1: Float, beta2: Float, w2: Float, eps: Float, stepSize: Float, biasCorrection2Sqrt: Float) {
    let level = vectorKernelLevel
    parallelFor(n, costPerItem: 8) { s, e in
        // The same operations in C with AVX-512 or AVX2 (CVectorKernels), identical floats: 36-40 against 40-43 ms
        // for 54 M parameters (best of 7 interleaved in one process). Adam is memory-bound; the gain is small.
        if level > 0 {
            translate_adam(Int32(level), param, grad, expAvg, expAvgSq, s, e, w1, beta2, w2, eps, -stepSize,
                           biasCorrection2Sqrt)
            return
        }
        // PyTorch's lerp picks its formula by weight (accuracy near the ends); one loop per branch vectorises.
        if w1 < 0.5 {
            adamSpan(param, grad, expAvg, expAvgSq, s, e, beta2: beta2, w2: w2, eps: eps, negStep: -stepSize,
                     bc2Sqrt: biasCorrection2Sqrt) { m, g in m + w1 * (g - m) }
        } else {
            let oneMinusW1 = 1 - w1
            adamSpan(param, grad, expAvg, expAvgSq, s, e, beta2: beta2, w2: w2, eps: eps, negStep: -stepSize,
                     bc2Sqrt: biasCorrection2Sqrt) { m, g in g - (g - m) * oneMinusW1 }
        }
    }
}

/// Adam over start..<end, eight floats at a time (explicit SIMD: four pointers defeat the auto-vectoriser).
/// Each lane does exactly the scalar operations, so results do not depend on the position in the block.
/// The square root goes through `simdSquareRoot`: with the standard library's lane-by-lane one (scalar sqrtss
/// and shuffles) this loop was compute-bound, ~10% of a pix2pix 256 step.
@inline(__always)
func adamSpan(_ param: UnsafeMutablePointer<Float>, _ grad: UnsafePointer<Float>,
              _ expAvg: UnsafeMutablePointer<Float>, _ expAvgSq: UnsafeMutablePointer<Float>, _ start: Int, _ end: Int,
              beta2: Float, w2: Float, eps: Float, negStep: Float, bc2Sqrt: Float,
              lerp: (SIMD8<Float>, SIMD8<Float>) -> SIMD8<Float>) {
    @inline(__always) func load(_ p: UnsafePointer<Float>, _ i: Int) -> SIMD8<Float> {
        UnsafeRawPointer(p + i).loadUnaligned(as: SIMD8<Float>.self)
    }
    @inline(__always) func store(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>, _ i: Int) {
        UnsafeMutableRawPointer(p + i).storeBytes(of: v, as: SIMD8<Float>.self)
    }
    @inline(__always) func update(_ g: SIMD8<Float>, _ m0: SIMD8<Float>, _ v0: SIMD8<Float>,
                                  _ p0: SIMD8<Float>) -> (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>) {
        let m = lerp(m0, g)
        let v = v0 * beta2 + w2 * g * g
        return (m, v, p0 + negStep * (m / (simdSquareRoot(v) / bc2Sqrt + eps)))
    }
    var i = start
    while i &+ 8 <= end {
        let (m, v, p) = update(load(grad, i), load(expAvg, i), load(expAvgSq, i), load(param, i))
        store(m, expAvg, i); store(v, expAvgSq, i); store(p, param, i)
        i &+= 8
    }
    while i < end {
        // The tail through the same lane arithmetic (lane 0).
        let (m, v, p) = update(SIMD8(repeating: grad[i]), SIMD8(repeating: expAvg[i]),
                               SIMD8(repeating: expAvgSq[i]), SIMD8(repeating: param[i]))
        expAvg[i] = m[0]; expAvgSq[i] = v[0]; param[i] = p[0]
        i &+= 1
    }
}

/// Lane-wise IEEE square root (correctly rounded, the same values as `Float.squareRoot()`) as vector instructions.
@inline(__always)
func simdSquareRoot(_ v: SIMD8<Float>) -> SIMD8<Float> {
    SIMD8(lowHalf: translate_sqrt4(v.lowHalf), highHalf: translate_sqrt4(v.highHalf))
}

/// p -= lr * g
public func sgdUpdate(_ param: UnsafeMutablePointer<Float>, _ grad: UnsafePointer<Float>, lr: Float, _ n: Int) {
    let negLR = -lr
    parallelFor(n, costPerItem: 3) { s, e in for i in s..<e { param[i] += grad[i] * negLR } }
}
