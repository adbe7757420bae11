import Models

/// pix2pix (conditional GAN + L1), one optimisation step exactly as the reference's `Pix2PixModel`:
/// G(A) once; D first on (A, G(A)) detached and (A, B), loss (fake + real) / 2; then G with D frozen:
/// GAN(D(A, G(A)), real) + lambda_L1 · |G(A) - B|.
public final class Pix2PixTrainer {
    public let netG: Network
    public let netD: Network
    public let optimizerG: Adam
    public let optimizerD: Adam
    public let ganMode: GANMode
    public let lambdaL1: Float
    public let lambdaGP: Float
    /// Drives the WGAN-GP interpolation (the only randomness of a step besides dropout).
    public var rng: RNG

    /// D keeps its Winograd weight transforms from one of its optimizer steps to the next
    /// (`KeptDiscriminatorTransforms`); false saves their memory (~90 MB for the n_layers=3 PatchGAN).
    public var keepDiscriminatorTransforms = true

    /// `--low-memory`: every pass redoes its Winograd weight transforms (slower, less memory).
    public func keepNoWeightTransforms() { keepDiscriminatorTransforms = false }

    /// Images of the last step, for sample grids: real_A, fake_B, real_B.
    public private(set) var visuals: [(name: String, image: Tensor)] = []

    public init(netG: Network, netD: Network, ganMode: GANMode, lambdaL1: Float, lr: Float, beta1: Float,
                lambdaGP: Float = 10, seed: UInt64 = 0) {
        self.netG = netG
        self.netD = netD
        self.ganMode = ganMode
        self.lambdaL1 = lambdaL1
        self.lambdaGP = lambdaGP
        optimizerG = Adam(parameters: netG.parameters, lr: lr, beta1: beta1, beta2: 0.999)
        optimizerD = Adam(parameters: netD.parameters, lr: lr, beta1: beta1, beta2: 0.999)
        // G's step has one backward pass: update each parameter as its gradient completes (saves storing,
        // zeroing and re-reading all of G's gradients: 218 MB for unet_256). D keeps its flat gradient block:
        // its step may take two passes (WGAN-GP), and when tried without them, updating D during backward gave
        // the same weights but raised pix2pix 256's peak RSS from 0.85 to 0.89 GB, with no time to show for it.
        optimizerG.updateDuringBackward()
        rng = RNG(seed: seed)
    }

    public static let lossNames = ["G_GAN", "G_L1", "D_real", "D_fake"]

    /// One step on a batch of pairs (A → B). Returns the step's losses by the reference's names.
    @discardableResult
    public func step(realA: Tensor, realB: Tensor) -> [String: Double] {
        netG.train(); netD.train()
        KeptDiscriminatorTransforms.hold([netD], keep: keepDiscriminatorTransforms)
        let fakeB = netG(realA)

        // D: real pairs should look real, fake pairs (G's output cut from its graph) fake.
        netD.setRequiresGrad(true)
        netD.zeroGrad()
        // The reference back-propagates (fake + real) / 2 once, which keeps both D graphs alive together.
        // Gradients add up, so each half is back-propagated as soon as it is made: the same D calls in the same
        // order (same norm statistics), one D graph at a time, results equal up to the order of float additions.
        let fakePair = concatChannels([realA, fakeB]).detached()
        let lossDFake = ganMode.loss(netD(fakePair), targetIsReal: false)
        (lossDFake * 0.5).backward()
        let realPair = concatChannels([realA, realB])
        let lossDReal = ganMode.loss(netD(realPair), targetIsReal: true)
        (lossDReal * 0.5).backward()
        var losses: [String: Double] = ["D_fake": Double(lossDFake.item), "D_real": Double(lossDReal.item)]
        if ganMode == .wgangp {
            losses["D_GP"] = Double(gradientPenalty(netD, real: realPair, fake: fakePair, lambda: lambdaGP, rng: &rng))
        }
        KeptDiscriminatorTransforms.step(optimizerD, of: [netD], keep: keepDiscriminatorTransforms)

        // G: fool D (frozen) and stay close to B.
        netD.setRequiresGrad(false)
        let lossGGAN = ganMode.loss(netD(concatChannels([realA, fakeB])), targetIsReal: true)
        let lossGL1 = l1Loss(fakeB, realB) * lambdaL1
        let lossG = lossGGAN + lossGL1
        optimizerG.beginFusedStep()
        lossG.backward()  // updates G (Adam) layer by layer
        netD.setRequiresGrad(true)

        visuals = [("real_A", realA.detached()), ("fake_B", fakeB.detached()), ("real_B", realB.detached())]
        losses["G_GAN"] = Double(lossGGAN.item)
        losses["G_L1"] = Double(lossGL1.item)
        return losses
    }

    public var networks: [(name: String, network: Network)] { [("G", netG), ("D", netD)] }
    public var optimizers: [(name: String, optimizer: Adam)] { [("G", optimizerG), ("D", optimizerD)] }
}
