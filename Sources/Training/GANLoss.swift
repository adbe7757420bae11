import TensorCore

/// The adversarial objective (`--gan-mode`), as the reference's networks.GANLoss.
public enum GANMode: String, Codable, CaseIterable, Sendable {
    /// Least squares: mean (D(x) - label)², labels 1 / 0.
    case lsgan
    /// Cross-entropy on logits (D has no sigmoid).
    case vanilla
    /// Wasserstein: -mean D(real), +mean D(fake); pair with the gradient penalty.
    case wgangp

    /// Loss for predictions `prediction` that should look real (`targetIsReal`) or fake.
    public func loss(_ prediction: Tensor, targetIsReal: Bool) -> Tensor {
        switch self {
        case .lsgan: return mseLoss(prediction, target: targetIsReal ? 1 : 0)
        case .vanilla: return bceWithLogitsLoss(prediction, target: targetIsReal ? 1 : 0)
        case .wgangp: return targetIsReal ? prediction.mean() * -1 : prediction.mean()
        }
    }
}
