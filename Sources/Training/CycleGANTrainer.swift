import Models

/// CycleGAN, one optimisation step exactly as the reference's `CycleGANModel`:
/// forward G_A(A), G_B(G_A(A)), G_B(B), G_A(G_B(B)); then G_A and G_B together with the D's frozen
/// (GAN + lambda · cycle L1 + lambda · lambda_identity · identity L1); then D_A and D_B on fakes drawn from
/// image pools, each loss (real + fake) / 2, one optimizer step for both.
public final class CycleGANTrainer {
    public let netGA: Network, netGB: Network, netDA: Network, netDB: Network
    public let optimizerG: Adam
    public let optimizerD: Adam
    public let ganMode: GANMode
    public let lambdaA: Float, lambdaB: Float, lambdaIdentity: Float, lambdaGP: Float
    public var poolA: ImagePool
    public var poolB: ImagePool
    /// Drives the image pools and the WGAN-GP interpolation.
    public var rng: RNG
    /// Images of at most this many pixels keep the generators' Winograd weight transforms (forward and
    /// input-gradient) through the generator phase, where the weights do not change, instead of redoing them
    /// in each of the six generator passes and their backward passes. At 128x128 the weight transforms were
    /// 12% of a step; keeping the forward ones made a step ~5% faster for 340 MB, keeping both ~10-15%
    /// faster for 680 MB (interleaved runs; 1.42 GB in all, PyTorch 1.85 GB). At 256x256 they matter a
    /// quarter as much and the memory more. 0 turns it off.
    public var keepWeightTransformsUpToPixels = 128 * 128
    /// D_A and D_B keep their Winograd weight transforms from one of their optimizer steps to the next
    /// (`KeptDiscriminatorTransforms`); false saves their memory (~90 MB each for the n_layers=3 PatchGAN).
    public var keepDiscriminatorTransforms = true

    /// `--low-memory`: every pass redoes its Winograd weight transforms (slower, less memory).
    public func keepNoWeightTransforms() {
        keepWeightTransformsUpToPixels = 0
        keepDiscriminatorTransforms = false
    }

    public private(set) var visuals: [(name: String, image: Tensor)] = []

    public init(netGA: Network, netGB: Network, netDA: Network, netDB: Network, ganMode: GANMode,
                lambdaA: Float, lambdaB: Float, lambdaIdentity: Float, poolSize: Int, lr: Float, beta1: Float,
                lambdaGP: Float = 10, seed: UInt64 = 0) {
        self.netGA = netGA; self.netGB = netGB; self.netDA = netDA; self.netDB = netDB
        self.ganMode = ganMode
        self.lambdaA = lambdaA; self.lambdaB = lambdaB; self.lambdaIdentity = lambdaIdentity; self.lambdaGP = lambdaGP
        // One optimizer over both generators and one over both discriminators, as the reference.
        optimizerG = Adam(parameters: netGA.parameters + netGB.parameters, lr: lr, beta1: beta1, beta2: 0.999)
        optimizerD = Adam(parameters: netDA.parameters + netDB.parameters, lr: lr, beta1: beta1, beta2: 0.999)
        poolA = ImagePool(capacity: poolSize)
        poolB = ImagePool(capacity: poolSize)
        rng = RNG(seed: seed)
    }

    public static let lossNames = ["D_A", "G_A", "cycle_A", "idt_A", "D_B", "G_B", "cycle_B", "idt_B"]

    @discardableResult
    public func step(realA: Tensor, realB: Tensor) -> [String: Double] {
        for net in [netGA, netGB, netDA, netDB] { net.train() }
        KeptDiscriminatorTransforms.hold([netDA, netDB], keep: keepDiscriminatorTransforms)

        // Generators, discriminators frozen. The reference sums all six losses and back-propagates once, which
        // keeps all six generator graphs alive together. Gradients add up, so each part is back-propagated as
        // soon as it is complete instead: the cycle through a fake (GAN loss on it + cycle loss of its
        // reconstruction) down to the fake, then the fake's own generator graph with that gradient; then each
        // identity loss. At most two generator graphs are alive, the generators run in the reference's order
        // (fake_B, rec_A, fake_A, rec_B, idt_A, idt_B: same dropout draws and norm statistics), and the
        // results differ from one backward pass only by the order of float additions.
        netDA.setRequiresGrad(false); netDB.setRequiresGrad(false)
        netGA.zeroGrad(); netGB.zeroGrad()
        let keepTransforms = realA.shape.h * realA.shape.w <= keepWeightTransformsUpToPixels
        if keepTransforms { netGA.module.freezeWeights(); netGB.module.freezeWeights() }
        var losses: [String: Double] = [:]
        let (fakeB, recA) = cycle(from: realA, forward: netGA, back: netGB, judge: netDA, lambda: lambdaA,
                                  ganName: "G_A", cycleName: "cycle_A", losses: &losses)
        let (fakeA, recB) = cycle(from: realB, forward: netGB, back: netGA, judge: netDB, lambda: lambdaB,
                                  ganName: "G_B", cycleName: "cycle_B", losses: &losses)
        var idtA: Tensor?, idtB: Tensor?
        if lambdaIdentity > 0 {
            // G_A should leave B alone and G_B should leave A alone.
            let a = netGA(realB)
            let lossIdtA = l1Loss(a, realB) * (lambdaB * lambdaIdentity)
            lossIdtA.backward()
            let b = netGB(realA)
            let lossIdtB = l1Loss(b, realA) * (lambdaA * lambdaIdentity)
            lossIdtB.backward()
            losses["idt_A"] = Double(lossIdtA.item); losses["idt_B"] = Double(lossIdtB.item)
            idtA = a.detached(); idtB = b.detached()
        } else {
            losses["idt_A"] = 0; losses["idt_B"] = 0
        }
        if keepTransforms { netGA.module.thawWeights(); netGB.module.thawWeights() }
        optimizerG.step()

        // Discriminators on real images and on pooled fakes.
        netDA.setRequiresGrad(true); netDB.setRequiresGrad(true)
        netDA.zeroGrad(); netDB.zeroGrad()
        let pooledB = poolB.query(fakeB, rng: &rng)
        losses["D_A"] = discriminatorStep(netDA, real: realB, fake: pooledB, losses: &losses, gpName: "D_A_GP")
        let pooledA = poolA.query(fakeA, rng: &rng)
        losses["D_B"] = discriminatorStep(netDB, real: realA, fake: pooledA, losses: &losses, gpName: "D_B_GP")
        KeptDiscriminatorTransforms.step(optimizerD, of: [netDA, netDB], keep: keepDiscriminatorTransforms)

        visuals = [("real_A", realA.detached()), ("fake_B", fakeB.detached()), ("rec_A", recA.detached())]
        if let idtB { visuals.append(("idt_B", idtB)) }
        visuals += [("real_B", realB.detached()), ("fake_A", fakeA.detached()), ("rec_B", recB.detached())]
        if let idtA { visuals.append(("idt_A", idtA)) }
        return losses
    }

    /// One direction of the generator step: fake = forward(real), GAN loss of judge(fake) plus lambda times the
    /// L1 cycle loss of back(fake) against real, back-propagated into both generators. Returns the fake and the
    /// reconstruction (values only; their graphs are released).
    private func cycle(from real: Tensor, forward: Network, back: Network, judge: Network, lambda: Float,
                       ganName: String, cycleName: String,
                       losses: inout [String: Double]) -> (fake: Tensor, reconstruction: Tensor) {
        let fake = forward(real)
        // A leaf on the fake's values collects d(GAN + cycle)/d(fake), so the reconstruction's graph can be
        // freed before the fake's generator graph is walked.
        let fakeLeaf = fake.detached()
        fakeLeaf.requiresGrad = true
        let reconstruction = back(fakeLeaf)
        let lossGAN = ganMode.loss(judge(fakeLeaf), targetIsReal: true)
        let lossCycle = l1Loss(reconstruction, real) * lambda
        losses[ganName] = Double(lossGAN.item)
        losses[cycleName] = Double(lossCycle.item)
        (lossGAN + lossCycle).backward()
        if let gradient = fakeLeaf.grad { fake.backward(gradient: gradient) }
        return (fake.detached(), reconstruction.detached())
    }

    private func discriminatorStep(_ netD: Network, real: Tensor, fake: Tensor, losses: inout [String: Double],
                                   gpName: String) -> Double {
        let lossReal = ganMode.loss(netD(real), targetIsReal: true)
        let lossFake = ganMode.loss(netD(fake), targetIsReal: false)
        let loss = (lossReal + lossFake) * 0.5
        loss.backward()
        if ganMode == .wgangp {
            losses[gpName] = Double(gradientPenalty(netD, real: real, fake: fake, lambda: lambdaGP, rng: &rng))
        }
        return Double(loss.item)
    }

    public var networks: [(name: String, network: Network)] {
        [("G_A", netGA), ("G_B", netGB), ("D_A", netDA), ("D_B", netDB)]
    }
    public var optimizers: [(name: String, optimizer: Adam)] { [("G", optimizerG), ("D", optimizerD)] }
}
