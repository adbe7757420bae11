/// Parameterless element-wise layers. They occupy an index in a `Sequential` like in PyTorch.

public final class ReLU: Module {
    public override init() { super.init() }
    public override func forward(_ x: Tensor) -> Tensor { x.relu() }
    public override var layerDescription: String { "ReLU()" }
}

public final class LeakyReLU: Module {
    public let negativeSlope: Float
    public init(_ negativeSlope: Float = 0.2) {
        self.negativeSlope = negativeSlope
        super.init()
    }
    public override func forward(_ x: Tensor) -> Tensor { x.leakyRelu(negativeSlope) }
    public override var layerDescription: String { "LeakyReLU(negative_slope=\(negativeSlope))" }
}

public final class Tanh: Module {
    public override init() { super.init() }
    public override func forward(_ x: Tensor) -> Tensor { x.tanh() }
    public override var layerDescription: String { "Tanh()" }
}

public final class Sigmoid: Module {
    public override init() { super.init() }
    public override func forward(_ x: Tensor) -> Tensor { x.sigmoid() }
    public override var layerDescription: String { "Sigmoid()" }
}

/// Returns its input (the reference's `Identity`, used for norm "none"; it still takes a Sequential index).
public final class Identity: Module {
    public override init() { super.init() }
    public override func forward(_ x: Tensor) -> Tensor { x }
    public override var layerDescription: String { "Identity()" }
}
