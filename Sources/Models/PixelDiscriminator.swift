/// The reference's `PixelDiscriminator` (1x1 PatchGAN): Conv1 (bias), LeakyReLU, Conv1, norm, LeakyReLU,
/// Conv1 → 1 channel; the last two convolutions have a bias only with instance norm. Keys: `net.<i>`.
public final class PixelDiscriminator: Module {
    public init(inputNc: Int, ndf: Int = 64, norm: NormKind = .batch) {
        let useBias = norm.convolutionsUseBias
        let layers: [Module] = [
            Conv2d(inputNc, ndf, kernelSize: 1), LeakyReLU(0.2),
            Conv2d(ndf, ndf * 2, kernelSize: 1, bias: useBias), norm.makeLayer(ndf * 2), LeakyReLU(0.2),
            Conv2d(ndf * 2, 1, kernelSize: 1, bias: useBias),
        ]
        super.init()
        addChild("net", Sequential(layers))
    }

    public override func forward(_ x: Tensor) -> Tensor { children[0].module.forward(x) }
}
