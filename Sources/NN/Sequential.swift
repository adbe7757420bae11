/// Layers applied in order, named "0", "1", ... like PyTorch's `nn.Sequential`.
/// Parameterless layers (activations, pads, dropout, Identity) still take an index, because the
/// state_dict keys of the layers after them depend on it.
public final class Sequential: Module {
    public init(_ layers: [Module]) {
        super.init()
        for (i, layer) in layers.enumerated() { addChild(String(i), layer) }
    }

    public var layers: [Module] { children.map(\.module) }

    public override func forward(_ x: Tensor) -> Tensor {
        var y = x
        for child in children { y = child.module.forward(y) }
        return y
    }
}
