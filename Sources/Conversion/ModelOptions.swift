/// Which generator to load and, for a plain PyTorch state dict, its architecture in the reference's flags.
/// Every field is optional: our checkpoints carry the architecture, and a run folder names its generators.
public struct ModelOptions: Sendable, Equatable {
    /// `--netG`: unet_256, unet_128, resnet_9blocks, resnet_6blocks, ...
    public var netG: String?
    /// `--norm`: batch, instance or none.
    public var norm: NormKind?
    /// `--ngf`: filters of the last conv layer.
    public var ngf: Int?
    /// `--no-dropout` (true) or an explicit dropout (false); nil keeps what the file says or the default.
    public var noDropout: Bool?
    /// `--input-nc` / `--output-nc`: 1 (gray) or 3 (RGB).
    public var inputNc: Int?
    public var outputNc: Int?
    /// In a run folder: `G` (pix2pix), `G_A` or `G_B` (CycleGAN).
    public var generator: String?
    /// In a run folder: AtoB picks G_A, BtoA picks G_B (CycleGAN).
    public var direction: Direction?
    /// In a run folder: `latest` or an epoch number (`<epoch>_net_G.safetensors`).
    public var epoch: String

    public init(netG: String? = nil, norm: NormKind? = nil, ngf: Int? = nil, noDropout: Bool? = nil,
                inputNc: Int? = nil, outputNc: Int? = nil, generator: String? = nil, direction: Direction? = nil,
                epoch: String = "latest") {
        self.netG = netG
        self.norm = norm
        self.ngf = ngf
        self.noDropout = noDropout
        self.inputNc = inputNc
        self.outputNc = outputNc
        self.generator = generator
        self.direction = direction
        self.epoch = epoch
    }

    /// True when any architecture flag is given.
    public var hasArchitectureFlags: Bool {
        netG != nil || norm != nil || ngf != nil || noDropout != nil || inputNc != nil || outputNc != nil
    }

    /// `spec` with the flags that were given written over it.
    func applied(to spec: ModelSpec) -> ModelSpec {
        var s = spec
        if let netG, netG != s.kind {
            s.kind = netG
            s.numDowns = nil  // depth comes from the new kind
        }
        if let norm { s.norm = norm }
        if let ngf { s.filters = ngf }
        if let noDropout { s.dropout = !noDropout }
        if let inputNc { s.inputNc = inputNc }
        if let outputNc { s.outputNc = outputNc }
        return s
    }
}
