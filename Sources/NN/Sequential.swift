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
        var i = 0
        while i < children.count {
            // A reflection pad before an unpadded stride-1 conv runs as one op that reads through the reflection.
            if let pad = children[i].module as? ReflectionPad2d, i + 1 < children.count,
               let conv = children[i + 1].module as? Conv2d, conv.stride == 1, conv.padding == 0 {
                y = conv.forward(y, reflectionPadding: pad.padding)
                i += 2
                continue
            }
            y = children[i].module.forward(y)
            i += 1
        }
        return y
    }
}
