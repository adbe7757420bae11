/// The random generator behind a network's dropout layers, shared by reference so that one seeded,
/// saveable state (`rng`) drives all of them in a fixed order.
public final class RandomSource {
    public var rng: RNG
    public init(rng: RNG) { self.rng = rng }
    public convenience init(seed: UInt64) { self.init(rng: RNG(seed: seed)) }
}

/// Dropout(p): in training mode, zeroes each element with probability p and scales the rest by 1/(1-p);
/// in evaluation mode (or when `isEnabled` is false) it is the identity.
public final class Dropout: Module {
    public let p: Float
    /// Where the masks come from. Layers of one network share one source.
    public var randomness: RandomSource
    /// Off: the identity even in training mode (train-mode passes "without dropout").
    public var isEnabled = true
    /// A mask to use instead of drawing one (1 = kept, 0 = dropped; shape of the input), e.g. to replay
    /// PyTorch's masks. It stays in place until set back to nil.
    public var replayMask: Tensor?

    public init(_ p: Float = 0.5, randomness: RandomSource) {
        self.p = p
        self.randomness = randomness
        super.init()
    }

    public override func forward(_ x: Tensor) -> Tensor {
        guard isTraining, isEnabled, p > 0 else { return x }
        if let replayMask {
            precondition(replayMask.count == x.count, "Dropout: replay mask \(replayMask.shape) for input \(x.shape)")
            return dropout(x, mask: replayMask, p: p)
        }
        return dropout(x, p: p, rng: &randomness.rng).output
    }

    public override var extraDescription: String { "p=\(p)" }
}

extension Module {
    /// Every Dropout layer below this module with its key (e.g. `model.10.conv_block.4`).
    public func dropoutLayers() -> [(name: String, layer: Dropout)] {
        namedModules().compactMap { entry in (entry.module as? Dropout).map { (entry.name, $0) } }
    }

    /// Turns every Dropout layer on or off (off: identity even in training mode).
    public func setDropoutEnabled(_ on: Bool) {
        for entry in dropoutLayers() { entry.layer.isEnabled = on }
    }
}
