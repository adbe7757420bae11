import Models

/// WGAN-GP gradient penalty (Gulrajani et al.; the reference's `cal_gradient_penalty`, type "mixed"):
/// GP = lambda · mean_i (‖∇ₓ S(x̂)_i‖₂ − 1)², x̂ = α·real + (1−α)·fake with one α ~ U[0,1) per sample,
/// S = sum of D's outputs. Adds ∇_θ GP into D's parameter gradients and returns GP.
///
/// The reference differentiates ∇ₓS again (create_graph=True). Our tape is first order, so the second
/// derivative is taken as a central difference along the direction it is needed in, which is exact up to
/// O(h²): with u_i = g_i / ‖g_i‖ and w_i = 2·lambda·(‖g_i‖ − 1) / N held fixed,
/// ∇_θ GP = ∇_θ Σ_i w_i · u_iᵀ ∇ₓS(x̂) = ∇_θ d/dε S(x̂ + ε V)|₀ with V_i = w_i u_i,
/// and d/dε S(x̂ + εV) ≈ (S(x̂ + hV) − S(x̂ − hV)) / 2h. Two extra forward/backward passes of D.
@discardableResult
public func gradientPenalty(_ netD: Network, real: Tensor, fake: Tensor, lambda: Float, rng: inout RNG,
                            step: Float = 1e-3) -> Float {
    precondition(real.shape == fake.shape, "gradientPenalty: real \(real.shape) vs fake \(fake.shape)")
    guard lambda > 0 else { return 0 }
    let n = real.shape[0], per = real.count / n
    let mixed = Tensor(zeros: real.shape)
    for i in 0..<n {
        let alpha = rng.uniform()
        for j in 0..<per {
            let k = i * per + j
            mixed.data[k] = alpha * real.data[k] + (1 - alpha) * fake.data[k]
        }
    }

    // g = ∇ₓ S(x̂), without touching D's parameter gradients.
    let wasTrainable = netD.parameters.first?.requiresGrad ?? true
    netD.setRequiresGrad(false)
    mixed.requiresGrad = true
    netD(mixed).sum().backward()
    netD.setRequiresGrad(wasTrainable)
    guard let g = mixed.grad else { return 0 }

    var penalty = 0.0
    let direction = Tensor(zeros: real.shape)
    var largest: Float = 0
    for i in 0..<n {
        var sq = 0.0
        for j in 0..<per { let v = Double(g.data[i * per + j]) + 1e-16; sq += v * v }
        let norm = sq.squareRoot()
        penalty += (norm - 1) * (norm - 1)
        let w = 2 * Double(lambda) * (norm - 1) / Double(n)
        let scale = Float(w / max(norm, 1e-12))
        for j in 0..<per {
            let v = g.data[i * per + j] * scale
            direction.data[i * per + j] = v
            largest = max(largest, abs(v))
        }
    }
    penalty *= Double(lambda) / Double(n)
    guard largest > 0 else { return Float(penalty) }

    // Step so that the largest pixel moves by `step` (images live in [-1, 1]): small enough to stay on one
    // linear piece of the LeakyReLUs almost everywhere, large enough to beat float32 cancellation.
    let h = step / largest
    let plus = Tensor(zeros: real.shape), minus = Tensor(zeros: real.shape)
    for k in 0..<real.count {
        plus.data[k] = mixed.data[k] + h * direction.data[k]
        minus.data[k] = mixed.data[k] - h * direction.data[k]
    }
    let difference = (netD(plus).sum() - netD(minus).sum()) * (1 / (2 * h))
    difference.backward()
    return Float(penalty)
}
