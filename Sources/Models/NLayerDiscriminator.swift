/// The reference's `NLayerDiscriminator` (PatchGAN; `basic` = 3 layers, a 70x70 receptive field):
/// Conv4 s2 (bias), LeakyReLU; for n in 1..<nLayers: Conv4 s2, norm, LeakyReLU;
/// Conv4 s1, norm, LeakyReLU; Conv4 s1 → 1 channel (bias). Logits, no sigmoid.
/// Keys: `model.0.weight`, `model.2.weight`, ...
public final class NLayerDiscriminator: Module {
    public let nLayers: Int

    public init(inputNc: Int, ndf: Int = 64, nLayers: Int = 3, norm: NormKind = .batch) {
        precondition(nLayers >= 0, "NLayerDiscriminator: negative layer count \(nLayers)")
        self.nLayers = nLayers
        let useBias = norm.convolutionsUseBias
        var layers: [Module] = [Conv2d(inputNc, ndf, kernelSize: 4, stride: 2, padding: 1), LeakyReLU(0.2)]
        var mult = 1
        for n in stride(from: 1, to: nLayers, by: 1) {
            let previous = mult
            mult = min(1 << n, 8)
            layers += [Conv2d(ndf * previous, ndf * mult, kernelSize: 4, stride: 2, padding: 1, bias: useBias),
                       norm.makeLayer(ndf * mult), LeakyReLU(0.2)]
        }
        let previous = mult
        mult = min(1 << nLayers, 8)
        layers += [Conv2d(ndf * previous, ndf * mult, kernelSize: 4, stride: 1, padding: 1, bias: useBias),
                   norm.makeLayer(ndf * mult), LeakyReLU(0.2),
                   Conv2d(ndf * mult, 1, kernelSize: 4, stride: 1, padding: 1)]
        super.init()
        addChild("model", Sequential(layers))
    }

    public override func forward(_ x: Tensor) -> Tensor { children[0].module.forward(x) }
}

/// The name DESIGN.md uses for the PatchGAN discriminator.
public typealias PatchDiscriminator = NLayerDiscriminator
