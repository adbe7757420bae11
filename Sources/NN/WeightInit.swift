import Foundation

/// The reference's `init_weights` methods (`--init_type`).
public enum WeightInit: String, Codable, Sendable, CaseIterable {
    /// N(0, gain²) (the pix2pix/CycleGAN default, gain 0.02).
    case normal
    /// Xavier/Glorot normal: N(0, (gain · √(2 / (fan_in + fan_out)))²).
    case xavier
    /// Kaiming/He normal, a = 0, mode fan_in: N(0, 2 / fan_in); the gain is not used (as in the reference).
    case kaiming
    /// A (semi-)orthogonal matrix of shape [out, in·k·k] times gain.
    case orthogonal
}

/// Initialises a module tree like the reference's `init_weights(net, init_type, init_gain)`:
/// Conv2d / ConvTranspose2d weights by `method`, their biases 0; BatchNorm2d weight N(1, gain²), bias 0.
/// Running statistics are left as they are (fresh layers: mean 0, var 1).
public func initializeWeights(_ module: Module, method: WeightInit = .normal, gain: Float = 0.02,
                              rng: inout RNG) {
    for (_, layer) in module.namedModules() {
        layer.dropDerivedWeights()
        if let conv = layer as? Conv2d {
            fill(conv.weight, method: method, gain: gain, rng: &rng)
            conv.bias.map { fillConstant($0, 0) }
        } else if let conv = layer as? ConvTranspose2d {
            fill(conv.weight, method: method, gain: gain, rng: &rng)
            conv.bias.map { fillConstant($0, 0) }
        } else if let norm = layer as? BatchNorm2d {
            fillNormal(norm.weight, mean: 1, std: gain, rng: &rng)
            fillConstant(norm.bias, 0)
        }
    }
}

/// PyTorch's fans of a weight: fan_in = size(1) · receptive field, fan_out = size(0) · receptive field
/// (for a ConvTranspose2d weight [in, out, k, k] that makes fan_in = out · k², as in PyTorch).
func fans(of shape: Shape) -> (fanIn: Int, fanOut: Int) {
    precondition(shape.rank >= 2, "fans of a tensor of rank \(shape.rank)")
    let receptive = shape.dims.dropFirst(2).reduce(1, *)
    return (shape[1] * receptive, shape[0] * receptive)
}

private func fill(_ weight: Tensor, method: WeightInit, gain: Float, rng: inout RNG) {
    let (fanIn, fanOut) = fans(of: weight.shape)
    switch method {
    case .normal:
        fillNormal(weight, mean: 0, std: gain, rng: &rng)
    case .xavier:
        fillNormal(weight, mean: 0, std: gain * Float((2.0 / Double(fanIn + fanOut)).squareRoot()), rng: &rng)
    case .kaiming:
        fillNormal(weight, mean: 0, std: Float((2.0 / Double(fanIn)).squareRoot()), rng: &rng)
    case .orthogonal:
        fillOrthogonal(weight, gain: gain, rng: &rng)
    }
}

private func fillNormal(_ t: Tensor, mean: Float, std: Float, rng: inout RNG) {
    rng.fillNormal(t.data, count: t.count, mean: mean, std: std)
}

private func fillConstant(_ t: Tensor, _ value: Float) {
    t.data.update(repeating: value, count: t.count)
}

/// Viewed as a matrix [rows = size(0), cols = rest]: orthonormal rows (if rows <= cols) or columns, from the
/// QR factorisation of a Gaussian matrix with R's diagonal made positive (PyTorch's `orthogonal_`).
private func fillOrthogonal(_ t: Tensor, gain: Float, rng: inout RNG) {
    let rows = t.shape[0], cols = t.count / max(rows, 1)
    // Work on the tall orientation: `count` vectors of length `length`, count <= length.
    let length = max(rows, cols), count = min(rows, cols)
    var vectors = [Double](repeating: 0, count: length * count)
    for i in 0..<vectors.count { vectors[i] = Double(rng.normal()) }
    // Modified Gram-Schmidt: R's diagonal is the positive norm, so Q is what PyTorch returns after the sign fix.
    vectors.withUnsafeMutableBufferPointer { v in
        let base = v.baseAddress!
        for j in 0..<count {
            let q = base + j * length
            for k in 0..<j {
                let e = base + k * length
                var dot = 0.0
                for i in 0..<length { dot += e[i] * q[i] }
                for i in 0..<length { q[i] -= dot * e[i] }
            }
            var norm = 0.0
            for i in 0..<length { norm += q[i] * q[i] }
            norm = norm.squareRoot()
            let scale = norm > 0 ? 1 / norm : 0
            for i in 0..<length { q[i] *= scale }
        }
    }
    // Vector j holds column j of the tall matrix. rows <= cols: row j of the weight is vector j;
    // otherwise column j of the weight is vector j.
    let p = t.data
    for j in 0..<count {
        for i in 0..<length {
            let value = Float(vectors[j * length + i]) * gain
            if rows <= cols { p[j * cols + i] = value } else { p[i * cols + j] = value }
        }
    }
}
