/// Reflection padding of H and W by `padding` on every side (PyTorch `ReflectionPad2d(padding)`).
public final class ReflectionPad2d: Module {
    public let padding: Int
    public init(_ padding: Int) {
        self.padding = padding
        super.init()
    }
    public override func forward(_ x: Tensor) -> Tensor { reflectionPad2d(x, padding) }
    public override var extraDescription: String { "(\(padding), \(padding), \(padding), \(padding))" }
}
