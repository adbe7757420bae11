/// The reference's `UnetGenerator`: `numDowns` stride-2 down-convolutions to a 1x1 bottleneck (for an input
/// of 2^numDowns pixels) and as many up-convolutions, with skip connections between mirrored levels.
/// unet_256: numDowns 8; unet_128: numDowns 7. H and W must be divisible by 2^numDowns.
///
/// Keys: `model.model.0.weight` (outermost down-conv), `model.model.1.model.1.weight` (next level's
/// down-conv), ... each level's inner block is child 3 of its Sequential (child 1 for the outermost).
public final class UNetGenerator: Module {
    public let numDowns: Int

    public init(inputNc: Int, outputNc: Int, numDowns: Int, ngf: Int = 64, norm: NormKind = .batch,
                useDropout: Bool = false, randomness: RandomSource) {
        precondition(numDowns >= 5, "UNetGenerator needs numDowns >= 5, got \(numDowns)")
        self.numDowns = numDowns
        super.init()
        var block = UNetSkipBlock(outerNc: ngf * 8, innerNc: ngf * 8, position: .innermost, norm: norm)
        for _ in 0..<(numDowns - 5) {
            block = UNetSkipBlock(outerNc: ngf * 8, innerNc: ngf * 8, position: .middle(block), norm: norm,
                                  dropout: useDropout ? randomness : nil)
        }
        block = UNetSkipBlock(outerNc: ngf * 4, innerNc: ngf * 8, position: .middle(block), norm: norm)
        block = UNetSkipBlock(outerNc: ngf * 2, innerNc: ngf * 4, position: .middle(block), norm: norm)
        block = UNetSkipBlock(outerNc: ngf, innerNc: ngf * 2, position: .middle(block), norm: norm)
        block = UNetSkipBlock(outerNc: outputNc, innerNc: ngf, inputNc: inputNc, position: .outermost(block),
                              norm: norm)
        addChild("model", block)
    }

    public override var typeName: String { "UnetGenerator" }
    public override func forward(_ x: Tensor) -> Tensor { children[0].module.forward(x) }
}

/// One level of the U-Net (the reference's `UnetSkipConnectionBlock`):
///   outermost: [Conv, inner, ReLU, ConvT(bias), Tanh]                  → no skip
///   middle:    [LeakyReLU, Conv, norm, inner, ReLU, ConvT, norm (, Dropout)] → cat([x, f(x)])
///   innermost: [LeakyReLU, Conv, ReLU, ConvT, norm]                    → cat([x, f(x)])
/// Down-convolutions (outermost and innermost included) and inner up-convolutions have a bias only with
/// instance norm; the outermost up-convolution always has one.
///
/// The reference's down LeakyReLU is in place, so its skip half is really LeakyReLU(x); the parent applies
/// ReLU to the concatenation before anything else reads it, and ReLU(LeakyReLU(x)) = ReLU(x) with the same
/// derivative, so using x here gives identical outputs and gradients.
public final class UNetSkipBlock: Module {
    public enum Position {
        case outermost(UNetSkipBlock)
        case middle(UNetSkipBlock)
        case innermost
    }

    public let isOutermost: Bool

    public init(outerNc: Int, innerNc: Int, inputNc: Int? = nil, position: Position, norm: NormKind,
                dropout: RandomSource? = nil) {
        let inputNc = inputNc ?? outerNc
        let useBias = norm.convolutionsUseBias
        let downConv = Conv2d(inputNc, innerNc, kernelSize: 4, stride: 2, padding: 1, bias: useBias)
        var layers: [Module]
        switch position {
        case .outermost(let inner):
            isOutermost = true
            layers = [downConv, inner, ReLU(),
                      ConvTranspose2d(innerNc * 2, outerNc, kernelSize: 4, stride: 2, padding: 1), Tanh()]
        case .middle(let inner):
            isOutermost = false
            layers = [LeakyReLU(0.2), downConv, norm.makeLayer(innerNc), inner, ReLU(),
                      ConvTranspose2d(innerNc * 2, outerNc, kernelSize: 4, stride: 2, padding: 1, bias: useBias),
                      norm.makeLayer(outerNc)]
            if let dropout { layers.append(Dropout(0.5, randomness: dropout)) }
        case .innermost:
            isOutermost = false
            layers = [LeakyReLU(0.2), downConv, ReLU(),
                      ConvTranspose2d(innerNc, outerNc, kernelSize: 4, stride: 2, padding: 1, bias: useBias),
                      norm.makeLayer(outerNc)]
        }
        super.init()
        addChild("model", Sequential(layers))
    }

    public override var typeName: String { "UnetSkipConnectionBlock" }

    public override func forward(_ x: Tensor) -> Tensor {
        let y = children[0].module.forward(x)
        return isOutermost ? y : concatChannels([x, y])
    }
}
