/// The reference's `ResnetGenerator` (reflection padding): ReflectionPad(3), Conv7, norm, ReLU;
/// 2 x [Conv3 s2, norm, ReLU]; `blocks` residual blocks; 2 x [ConvT3 s2 output_padding 1, norm, ReLU];
/// ReflectionPad(3), Conv7 (bias), Tanh. H and W must be divisible by 4.
/// Keys: `model.1.weight`, ..., residual blocks at `model.10.conv_block.1.weight` onwards.
public final class ResNetGenerator: Module {
    public let blocks: Int

    public init(inputNc: Int, outputNc: Int, ngf: Int = 64, norm: NormKind = .batch, useDropout: Bool = false,
                blocks: Int = 9, randomness: RandomSource) {
        precondition(blocks >= 0, "ResNetGenerator: negative block count \(blocks)")
        self.blocks = blocks
        let useBias = norm.convolutionsUseBias
        var layers: [Module] = [ReflectionPad2d(3), Conv2d(inputNc, ngf, kernelSize: 7, bias: useBias),
                                norm.makeLayer(ngf), ReLU()]
        let downsamplings = 2
        for i in 0..<downsamplings {
            let mult = 1 << i
            layers += [Conv2d(ngf * mult, ngf * mult * 2, kernelSize: 3, stride: 2, padding: 1, bias: useBias),
                       norm.makeLayer(ngf * mult * 2), ReLU()]
        }
        let mult = 1 << downsamplings
        for _ in 0..<blocks {
            layers.append(ResNetBlock(channels: ngf * mult, norm: norm, dropout: useDropout ? randomness : nil))
        }
        for i in 0..<downsamplings {
            let mult = 1 << (downsamplings - i)
            layers += [ConvTranspose2d(ngf * mult, ngf * mult / 2, kernelSize: 3, stride: 2, padding: 1,
                                       outputPadding: 1, bias: useBias),
                       norm.makeLayer(ngf * mult / 2), ReLU()]
        }
        layers += [ReflectionPad2d(3), Conv2d(ngf, outputNc, kernelSize: 7), Tanh()]
        super.init()
        addChild("model", Sequential(layers))
    }

    public override var typeName: String { "ResnetGenerator" }
    public override func forward(_ x: Tensor) -> Tensor { children[0].module.forward(x) }
}

/// x + [ReflectionPad(1), Conv3, norm, ReLU, (Dropout 0.5,) ReflectionPad(1), Conv3, norm](x)
/// (the reference's `ResnetBlock`; its Sequential is the child `conv_block`).
public final class ResNetBlock: Module {
    public init(channels: Int, norm: NormKind, dropout: RandomSource?) {
        let useBias = norm.convolutionsUseBias
        var layers: [Module] = [ReflectionPad2d(1), Conv2d(channels, channels, kernelSize: 3, bias: useBias),
                                norm.makeLayer(channels), ReLU()]
        if let dropout { layers.append(Dropout(0.5, randomness: dropout)) }
        layers += [ReflectionPad2d(1), Conv2d(channels, channels, kernelSize: 3, bias: useBias),
                   norm.makeLayer(channels)]
        super.init()
        addChild("conv_block", Sequential(layers))
    }

    public override var typeName: String { "ResnetBlock" }
    public override func forward(_ x: Tensor) -> Tensor { x + children[0].module.forward(x) }
}
