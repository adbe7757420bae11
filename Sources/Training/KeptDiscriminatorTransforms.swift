import Models

/// A discriminator's weights change only at its optimizer step, yet a training step runs it three times (twice in
/// its own phase, once in the generator's) and back through it three times. Freezing it between two optimizer
/// steps lets its Winograd layers make their weight transforms (forward and input-gradient) once per update
/// instead of once per pass: pix2pix's PatchGAN conv4 alone re-made 4.7 M transformed floats six times a step.
/// Loading a state dict drops what frozen layers derived, so a resumed run starts from the loaded weights.
enum KeptDiscriminatorTransforms {
    /// Freezes (`keep`) or thaws the discriminators, leaving those already so as they are (and their transforms).
    static func hold(_ nets: [Network], keep: Bool) {
        for net in nets where net.module.weightsFrozen != keep {
            if keep { net.module.freezeWeights() } else { net.module.thawWeights() }
        }
    }

    /// The discriminators' optimizer step: thawed while their weights change, then held again.
    static func step(_ optimizer: Adam, of nets: [Network], keep: Bool) {
        hold(nets, keep: false)
        optimizer.step()
        hold(nets, keep: keep)
    }
}
