import Kernels

/// Train-mode dropout: draws a keep-mask (keep with probability 1-p) from `rng`, returns x * mask / (1-p)
/// and the mask (same shape as x, 1 = kept, 0 = dropped).
public func dropout(_ x: Tensor, p: Float, rng: inout RNG) -> (output: Tensor, mask: Tensor) {
    precondition(p >= 0 && p <= 1, "dropout: probability \(p) outside [0, 1]")
    let mask = Tensor(zeros: x.shape)
    let m = mask.data, keep = 1 - p
    for i in 0..<mask.count { m[i] = rng.bernoulli(keep) ? 1 : 0 }
    return (dropout(x, mask: mask, p: p), mask)
}

/// Dropout with a given mask (replaying PyTorch's masks): x * mask / (1-p).
public func dropout(_ x: Tensor, mask: Tensor, p: Float) -> Tensor {
    precondition(p >= 0 && p <= 1, "dropout: probability \(p) outside [0, 1]")
    precondition(mask.count == x.count, "dropout: mask \(mask.shape) for input \(x.shape)")
    // p == 1 drops everything (PyTorch returns zeros rather than 0 * inf).
    let scale: Float = p < 1 ? 1 / (1 - p) : 0
    let out = Tensor(uninitialized: x.shape), n = x.count
    mulScaledForward(x.data, mask.data, scale: scale, out.data, n)
    guard willRecord(x) else { return out }
    let xNode = x.node
    return out.recorded(from: [x]) { g in
        let dx = xNode.gradDataForWriting()
        mulScaledAccumulate(g, mask.data, scale: scale, into: dx.data, n, accumulate: !dx.overwrite)
    }
}
