/// A built network: its spec, its module tree (keys = the reference's state_dict keys), its parameters in one
/// flat block with gradients in another, and the random source of its dropout layers.
///
///     var rng = RNG(seed: 1)
///     let netG = try makeNetwork(.generator("unet_256", norm: .batch, dropout: true), rng: &rng)
///     netG.train(); let fake = netG(realA); ...; loss.backward(); adam.step()   // Adam(parameters: netG.parameters, ...)
///     netG.eval(); let out = withNoGrad { netG(x) }
public final class Network {
    public let spec: ModelSpec
    public let module: Module
    /// Parameter values and gradients, one block each, in `parameters` order.
    public let flat: FlatParameters
    /// Parameters in PyTorch's `net.parameters()` order; each is a view into `flat.values` and its `grad`
    /// a view into `flat.gradients`.
    public let parameters: [Tensor]
    /// Their state_dict keys, same order.
    public let parameterNames: [String]
    /// Drives every Dropout layer of this network (save/restore `randomness.rng` for exact resume).
    public let randomness: RandomSource

    /// Builds the architecture of `spec` with untouched weights (convolutions zero, BatchNorm weight 1);
    /// use `makeNetwork` for initialised weights or `load(stateDict:)` to fill them.
    public init(spec: ModelSpec, dropoutSeed: UInt64 = 0) throws {
        let arch = try spec.architecture()
        let randomness = RandomSource(seed: dropoutSeed)
        let module: Module
        switch arch {
        case .unet(let numDowns):
            module = UNetGenerator(inputNc: spec.inputNc, outputNc: spec.outputNc, numDowns: numDowns,
                                   ngf: spec.filters, norm: spec.norm, useDropout: spec.dropout,
                                   randomness: randomness)
        case .resnet(let blocks):
            module = ResNetGenerator(inputNc: spec.inputNc, outputNc: spec.outputNc, ngf: spec.filters,
                                     norm: spec.norm, useDropout: spec.dropout, blocks: blocks,
                                     randomness: randomness)
        case .nLayers(let n):
            module = NLayerDiscriminator(inputNc: spec.inputNc, ndf: spec.filters, nLayers: n, norm: spec.norm)
        case .pixel:
            module = PixelDiscriminator(inputNc: spec.inputNc, ndf: spec.filters, norm: spec.norm)
        }
        self.spec = spec
        self.module = module
        self.randomness = randomness
        flat = module.flattenParameters()
        LargeBlocks.releaseCached()  // the per-layer parameter blocks flattening just freed
        let named = module.namedParameters()
        parameters = named.map(\.tensor)
        parameterNames = named.map(\.name)
    }

    // MARK: running

    public func forward(_ x: Tensor) -> Tensor { module.forward(x) }
    public func callAsFunction(_ x: Tensor) -> Tensor { module.forward(x) }

    public var isTraining: Bool { module.isTraining }
    /// Training mode: BatchNorm uses (and updates) batch statistics, Dropout is active.
    public func train(_ on: Bool = true) { module.train(on) }
    /// Evaluation mode: BatchNorm uses running statistics, Dropout is off.
    public func eval() { module.train(false) }

    // MARK: parameters and state

    public var parameterCount: Int { flat.count }
    /// Zeroes all gradients (one memset over the flat block).
    public func zeroGrad() { flat.zeroGradients() }
    /// Freezes (`false`) or unfreezes the parameters, e.g. D while G is updated.
    public func setRequiresGrad(_ on: Bool) { for p in parameters { p.requiresGrad = on } }

    public func namedParameters() -> [(name: String, tensor: Tensor)] { Array(zip(parameterNames, parameters)) }
    public func namedBuffers() -> [(name: String, buffer: ModuleBuffer)] { module.namedBuffers() }

    public var dropoutLayers: [(name: String, layer: Dropout)] { module.dropoutLayers() }
    /// Turns dropout off (identity) or on while keeping the train/eval mode.
    public func setDropoutEnabled(_ on: Bool) { module.setDropoutEnabled(on) }

    /// Copies all parameter values and buffers from a network of the same spec (e.g. to snapshot or average).
    public func copyState(from other: Network) {
        precondition(other.spec == spec && other.flat.count == flat.count, "copyState: different architectures")
        flat.values.pointer.update(from: other.flat.values.pointer, count: flat.count)
        for (mine, theirs) in zip(namedBuffers(), other.namedBuffers()) {
            switch (mine.buffer, theirs.buffer) {
            case let (.float(a), .float(b)): a.assign(from: b)
            case let (.counter(a), .counter(b)): a.value = b.value
            default: preconditionFailure("copyState: buffer \(mine.name) differs")
            }
        }
    }
}

/// Builds and initialises a network like the reference's `define_G` / `define_D` + `init_net`:
/// conv weights by `initialization` (default N(0, 0.02²)), biases 0, BatchNorm weight N(1, gain²).
/// Draws from `rng` (weights first, then one number that seeds the dropout source).
public func makeNetwork(_ spec: ModelSpec, initialization: WeightInit = .normal, gain: Float = 0.02,
                        rng: inout RNG) throws -> Network {
    let network = try Network(spec: spec)
    initializeWeights(network.module, method: initialization, gain: gain, rng: &rng)
    network.randomness.rng = RNG(seed: rng.next())
    return network
}
