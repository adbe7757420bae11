/// Runs a generator on one image at a time, in the reference's test mode or in evaluation mode.
///
/// Test mode (the default, like the reference's test.py without `--eval`): the network stays in training
/// mode, so BatchNorm normalises with the image's own statistics and dropout is active. Dropout is seeded per
/// image from `seed` and the image's key (its output path), so a result does not depend on the order, the
/// shard or the other images. Evaluation mode (`--eval`): running statistics, no dropout, deterministic.
/// Networks with instance norm and no dropout (CycleGAN) give the same result in both modes.
public final class ImageTranslator {
    public let network: Network
    public let evaluationMode: Bool
    public let seed: UInt64
    public let constraint: SizeConstraint

    public init(network: Network, evaluationMode: Bool, seed: UInt64 = 0) throws {
        self.network = network
        self.evaluationMode = evaluationMode
        self.seed = seed
        constraint = try SizeConstraint(spec: network.spec)
        if evaluationMode { network.eval() } else { network.train() }
        network.module.freezeWeights()  // converting never changes the weights: layers may keep what they derive
    }

    public var inputChannels: Int { network.spec.inputNc }
    public var outputChannels: Int { network.spec.outputNc }

    /// The generator's output for an input of the accepted size.
    public func run(_ input: Tensor, key: String) -> Tensor {
        if !evaluationMode { network.randomness.rng = RNG(seed: ImageTranslator.imageSeed(seed, key)) }
        return withNoGrad { network(input) }
    }

    /// Decoded image in, translated image out (sizes handled by `policy`).
    public func translate(_ image: RGBImage, key: String, policy: SizePolicy) -> RGBImage {
        let prepared = policy.prepare(image.withChannels(inputChannels))
        return policy.finish(run(policy.inputTensor(prepared), key: key), prepared)
    }

    /// splitmix64 of the seed mixed with the FNV-1a hash of the key.
    static func imageSeed(_ seed: UInt64, _ key: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        var z = seed &+ hash &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
