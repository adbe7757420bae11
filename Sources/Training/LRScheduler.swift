import Foundation

/// Learning-rate policy, as the reference's `--lr_policy`.
public enum LRPolicy: String, Codable, CaseIterable, Sendable {
    case linear, step, cosine, plateau
}

/// The reference's schedulers (networks.get_scheduler), stepped once at the end of every epoch.
///
/// - linear: constant for `nEpochs`, then linearly to zero over `nEpochsDecay`:
///   factor(epoch) = 1 - max(0, epoch - nEpochs) / (nEpochsDecay + 1) (the reference's LambdaLR rule with
///   its `epoch_count` offset folded in, so a resumed run sees the same rates).
/// - step: ×0.1 every `lrDecayIters` epochs. cosine: (1 + cos(π k / nEpochs)) / 2.
/// - plateau: ×0.2 when the epoch metric has not improved by 1% (relative) for 5 epochs.
/// All state is Codable so that `--continue-train` resumes the schedule exactly.
public struct LRScheduler: Codable, Equatable, Sendable {
    public var policy: LRPolicy
    public var baseLR: Float
    public var nEpochs: Int
    public var nEpochsDecay: Int
    public var lrDecayIters: Int
    /// The epoch the next optimizer steps belong to (starts at `--epoch-count`).
    public var epoch: Int
    /// Scheduler steps taken in this run (PyTorch's `last_epoch` for step/cosine).
    public var stepsTaken: Int = 0
    // ReduceLROnPlateau state.
    public var plateauFactor: Float = 1
    public var plateauBest: Double = .greatestFiniteMagnitude  // (JSON has no infinity)
    public var plateauBadEpochs: Int = 0

    public init(policy: LRPolicy, baseLR: Float, nEpochs: Int, nEpochsDecay: Int, lrDecayIters: Int = 50,
                epochCount: Int = 1) {
        self.policy = policy
        self.baseLR = baseLR
        self.nEpochs = nEpochs
        self.nEpochsDecay = nEpochsDecay
        self.lrDecayIters = lrDecayIters
        self.epoch = epochCount
    }

    /// The rate for the current epoch.
    public var learningRate: Float {
        switch policy {
        case .linear:
            let factor = 1 - Double(max(0, epoch - nEpochs)) / Double(nEpochsDecay + 1)
            return Float(Double(baseLR) * factor)
        case .step:
            return baseLR * Float(pow(0.1, Double(stepsTaken / max(1, lrDecayIters))))
        case .cosine:
            return Float(Double(baseLR) * (1 + cos(Double.pi * Double(stepsTaken) / Double(max(1, nEpochs)))) / 2)
        case .plateau:
            return baseLR * plateauFactor
        }
    }

    /// End of an epoch. `metric` (lower is better) drives the plateau policy; the others ignore it.
    public mutating func step(metric: Double? = nil) {
        epoch += 1
        stepsTaken += 1
        guard policy == .plateau, let metric else { return }
        // PyTorch ReduceLROnPlateau(mode=min, factor=0.2, threshold=0.01 rel, patience=5).
        if metric < plateauBest * (1 - 0.01) {
            plateauBest = metric
            plateauBadEpochs = 0
        } else {
            plateauBadEpochs += 1
            if plateauBadEpochs > 5 {
                plateauFactor *= 0.2
                plateauBadEpochs = 0
            }
        }
    }
}
