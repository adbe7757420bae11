// Backward of a normalisation without affine parameters, read from its output instead of its input, so that
// the layer's input (usually a convolution's result) need not be kept for backward.

/// Gradient of normForward with batch statistics and no weight/bias, from the output y = (x - mean) * invStd
/// (same group layout as normBackward): dx += (dy - mean(dy) - y * mean(dy * y)) * invStd (= when `accumulate` is
/// false).
public func normBackwardFromOutput(_ y: UnsafePointer<Float>, _ gradOut: UnsafePointer<Float>,
                                   gradInput: UnsafeMutablePointer<Float>,
                                   groups: Int, segments: Int, length: Int, invStd: UnsafePointer<Float>,
                                   accumulate: Bool = true) {
    let m = Double(segments &* length)
    parallelFor(groups, costPerItem: 3 &* segments &* length) { start, end in
        for g in start..<end {
            // sumG = Σ dy, dot = Σ dy * y
            var sumG = 0.0, dot = 0.0
            for s in 0..<segments {
                let offset = (s &* groups &+ g) &* length
                let (runSum, runDot) = sumAndCenteredDot(gradOut + offset, y + offset, length, mean: 0)
                sumG += runSum
                dot += runDot
            }
            let scale = invStd[g]
            let gradMean = Float(sumG / m), proj = Float(dot / m)
            for s in 0..<segments {
                let offset = (s &* groups &+ g) &* length
                let ys = y + offset, gs = gradOut + offset, dx = gradInput + offset
                if accumulate {
                    for i in 0..<length { dx[i] += (gs[i] - ys[i] * proj - gradMean) * scale }
                } else {
                    for i in 0..<length { dx[i] = (gs[i] - ys[i] * proj - gradMean) * scale }
                }
            }
        }
    }
}
