// Optimizer updates over one flat block of parameters (adjacent parameters of a network share one loop).

/// One Adam step with PyTorch's single-tensor arithmetic, operation by operation:
///   m.lerp_(g, w1); v = v * beta2 + w2 * g * g
///   denom = sqrt(v) / biasCorrection2Sqrt + eps;  p += -stepSize * (m / denom)
/// with w1 = 1 - beta1, w2 = 1 - beta2, stepSize = lr / (1 - beta1^t), biasCorrection2Sqrt = sqrt(1 - beta2^t),
/// all computed by the caller in Double (as Python does) and rounded to Float.
public func adamUpdate(_ param: UnsafeMutablePointer<Float>, _ grad: UnsafePointer<Float>,
                       expAvg: UnsafeMutablePointer<Float>, expAvgSq: UnsafeMutablePointer<Float>, _ n: Int,
                       w1: Float, beta2: Float, w2: Float, eps: Float, stepSize: Float, biasCorrection2Sqrt: Float) {
    let w = w1, oneMinusW = 1 - w1, oneMinusBeta2 = w2, negStep = -stepSize
    parallelFor(n, costPerItem: 8) { s, e in
        for i in s..<e {
            let g = grad[i]
            // PyTorch's lerp picks the formula by weight for accuracy near the ends.
            expAvg[i] = w < 0.5 ? expAvg[i] + w * (g - expAvg[i]) : g - (g - expAvg[i]) * oneMinusW
            expAvgSq[i] = expAvgSq[i] * beta2 + oneMinusBeta2 * g * g
            let denom = expAvgSq[i].squareRoot() / biasCorrection2Sqrt + eps
            param[i] += negStep * (expAvg[i] / denom)
        }
    }
}

/// p -= lr * g
public func sgdUpdate(_ param: UnsafeMutablePointer<Float>, _ grad: UnsafePointer<Float>, lr: Float, _ n: Int) {
    let negLR = -lr
    parallelFor(n, costPerItem: 3) { s, e in for i in s..<e { param[i] += grad[i] * negLR } }
}
