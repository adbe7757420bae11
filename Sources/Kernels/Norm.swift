// Normalisation kernels shared by BatchNorm and InstanceNorm.
//
// Layout: `groups` statistics groups, each made of `segments` contiguous runs of `length` floats;
// run s of group g starts at (s * groups + g) * length.
//   BatchNorm over x: [N,C,H,W]:  groups = C,   segments = N, length = H*W
//   InstanceNorm over [N,C,H,W]: groups = N*C, segments = 1, length = H*W
// Statistics are accumulated in Double with two passes (mean, then squared deviations) so that they match
// PyTorch (which accumulates in double on CPU) to ~1e-7 even for large planes.

/// Per group mean and biased variance (divided by segments*length).
public func normStatistics(_ x: UnsafePointer<Float>, groups: Int, segments: Int, length: Int,
                           mean: UnsafeMutablePointer<Double>, variance: UnsafeMutablePointer<Double>) {
    let m = Double(segments &* length)
    parallelFor(groups, costPerItem: 2 &* segments &* length) { start, end in
        for g in start..<end {
            var sum = 0.0
            for s in 0..<segments { sum += sumInDouble(x + (s &* groups &+ g) &* length, length) }
            let mu = sum / m
            var sq = 0.0
            for s in 0..<segments { sq += sumSquaredDeviations(x + (s &* groups &+ g) &* length, length, mean: mu) }
            mean[g] = mu
            variance[g] = sq / m
        }
    }
}

/// out = (x - mean) * invStd * weight + bias per group (weight 1 and bias 0 when absent).
public func normForward(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
                        groups: Int, segments: Int, length: Int,
                        mean: UnsafePointer<Float>, invStd: UnsafePointer<Float>,
                        weight: UnsafePointer<Float>?, bias: UnsafePointer<Float>?) {
    parallelFor(groups, costPerItem: 2 &* segments &* length) { start, end in
        for g in start..<end {
            // Folded into one multiply-add per element, like PyTorch's CPU kernel.
            let alpha = invStd[g] * (weight?[g] ?? 1)
            let beta = (bias?[g] ?? 0) - mean[g] * alpha
            for s in 0..<segments {
                let offset = (s &* groups &+ g) &* length
                let src = x + offset, dst = out + offset
                for i in 0..<length { dst[i] = src[i] * alpha + beta }
            }
        }
    }
}

/// Gradients of normForward, accumulated into whichever of gradInput, gradWeight, gradBias are given (gradInput
/// overwritten instead when `accumulateInput` is false).
/// batchStatistics: mean/invStd were computed from x itself (training BatchNorm, InstanceNorm), so the
/// gradient flows through them too; otherwise they are constants (BatchNorm eval with running stats).
public func normBackward(_ x: UnsafePointer<Float>, _ gradOut: UnsafePointer<Float>,
                         gradInput: UnsafeMutablePointer<Float>?,
                         gradWeight: UnsafeMutablePointer<Float>?, gradBias: UnsafeMutablePointer<Float>?,
                         groups: Int, segments: Int, length: Int,
                         mean: UnsafePointer<Float>, invStd: UnsafePointer<Float>,
                         weight: UnsafePointer<Float>?, batchStatistics: Bool, accumulateInput: Bool = true) {
    let m = Double(segments &* length)
    parallelFor(groups, costPerItem: 3 &* segments &* length) { start, end in
        for g in start..<end {
            let mu = mean[g], istd = invStd[g]
            // sumG = Σ dy, dot = Σ dy * (x - mean)
            var sumG = 0.0, dot = 0.0
            for s in 0..<segments {
                let offset = (s &* groups &+ g) &* length
                let (runSum, runDot) = sumAndCenteredDot(gradOut + offset, x + offset, length, mean: mu)
                sumG += runSum
                dot += runDot
            }
            gradWeight?[g] += Float(dot * Double(istd))
            gradBias?[g] += Float(sumG)
            guard let gradInput else { continue }
            let scale = istd * (weight?[g] ?? 1)
            if batchStatistics {
                // dx = (dy - mean(dy) - (x - mean) * invStd² * mean(dy * (x - mean))) * invStd * weight
                let gradMean = Float(sumG / m)
                let proj = Float(dot / m * Double(istd) * Double(istd))
                for s in 0..<segments {
                    let offset = (s &* groups &+ g) &* length
                    let xs = x + offset, gs = gradOut + offset, dx = gradInput + offset
                    if accumulateInput {
                        for i in 0..<length { dx[i] += (gs[i] - (xs[i] - mu) * proj - gradMean) * scale }
                    } else {
                        for i in 0..<length { dx[i] = (gs[i] - (xs[i] - mu) * proj - gradMean) * scale }
                    }
                }
            } else {
                for s in 0..<segments {
                    let offset = (s &* groups &+ g) &* length
                    let gs = gradOut + offset, dx = gradInput + offset
                    if accumulateInput {
                        for i in 0..<length { dx[i] += gs[i] * scale }
                    } else {
                        for i in 0..<length { dx[i] = gs[i] * scale }
                    }
                }
            }
        }
    }
}
