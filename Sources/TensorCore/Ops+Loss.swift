import Kernels

// Losses reduce with the mean over all elements (PyTorch's default reduction) and return shape [1].
// Sums are accumulated in Double by the kernels.

private typealias LossSum = (UnsafePointer<Float>, UnsafePointer<Float>?, Float, Int) -> Double
private typealias LossBackward = (UnsafePointer<Float>, UnsafePointer<Float>?, Float, Float,
                                  UnsafeMutablePointer<Float>?, UnsafeMutablePointer<Float>?, Int) -> Void

/// A mean loss of x against a tensor target y (y == nil: the constant `target`).
private func meanLoss(_ op: String, _ x: Tensor, _ y: Tensor?, target: Float,
                      sum: LossSum, backward: @escaping LossBackward) -> Tensor {
    if let y { precondition(x.shape == y.shape, "\(op): shapes \(x.shape) and \(y.shape) differ") }
    let n = x.count
    precondition(n > 0, "\(op): empty input")
    let out = Tensor(scalar: Float(sum(x.data, y?.data, target, n) / Double(n)))
    return out.recorded(from: y.map { [x, $0] } ?? [x]) { g in
        backward(x.data, y?.data, target, g[0] / Float(n),
                 x.requiresGrad ? x.gradData() : nil, y?.requiresGrad == true ? y!.gradData() : nil, n)
    }
}

/// mean |x - y|, shape [1].
public func l1Loss(_ x: Tensor, _ y: Tensor) -> Tensor {
    meanLoss("l1Loss", x, y, target: 0,
             sum: { l1LossSum($0, $1, target: $2, $3) },
             backward: { l1LossBackward($0, $1, target: $2, scale: $3, gradX: $4, gradY: $5, $6) })
}

/// mean (x - y)², shape [1].
public func mseLoss(_ x: Tensor, _ y: Tensor) -> Tensor {
    meanSquaredError(x, y, target: 0)
}

/// mean (x - t)² against a constant target (LSGAN labels).
public func mseLoss(_ x: Tensor, target: Float) -> Tensor {
    meanSquaredError(x, nil, target: target)
}

private func meanSquaredError(_ x: Tensor, _ y: Tensor?, target: Float) -> Tensor {
    meanLoss("mseLoss", x, y, target: target,
             sum: { squaredErrorSum($0, $1, target: $2, $3) },
             backward: { squaredErrorBackward($0, $1, target: $2, scale: $3, gradX: $4, gradY: $5, $6) })
}

/// Numerically stable mean BCE on logits: mean(max(x,0) - x*y + log(1 + exp(-|x|))), shape [1].
public func bceWithLogitsLoss(_ logits: Tensor, _ target: Tensor) -> Tensor {
    meanBCE(logits, target, target: 0)
}

/// The same against a constant target (GAN labels 1 / 0).
public func bceWithLogitsLoss(_ logits: Tensor, target: Float) -> Tensor {
    meanBCE(logits, nil, target: target)
}

private func meanBCE(_ x: Tensor, _ y: Tensor?, target: Float) -> Tensor {
    meanLoss("bceWithLogitsLoss", x, y, target: target,
             sum: { bceWithLogitsSum($0, $1, target: $2, $3) },
             backward: { bceWithLogitsBackward($0, $1, target: $2, scale: $3, gradX: $4, gradY: $5, $6) })
}
