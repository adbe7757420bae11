/// 2-D convolution with square kernels. weight: [out, in, k, k]; bias: [out] when present.
/// Weights start at zero: networks are initialised as a whole by `initializeWeights` (as the reference's
/// `init_weights` overwrites PyTorch's default init), or loaded from a state dict.
public final class Conv2d: Module {
    public let inChannels: Int
    public let outChannels: Int
    public let kernelSize: Int
    public let stride: Int
    public let padding: Int
    public let hasBias: Bool

    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
                bias: Bool = true) {
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
        self.hasBias = bias
        super.init()
        addParameter("weight", Tensor(zeros: [outChannels, inChannels, kernelSize, kernelSize]))
        if bias { addParameter("bias", Tensor(zeros: [outChannels])) }
    }

    public var weight: Tensor { parameter(0) }
    public var bias: Tensor? { hasBias ? parameter(1) : nil }

    /// Winograd-transformed weights, kept while the weights are frozen (they depend on the weights only).
    private let winogradWeights = WinogradWeights()

    public override func forward(_ x: Tensor) -> Tensor {
        conv2d(x, weight: weight, bias: bias, stride: stride, padding: padding,
               winogradWeights: weightsFrozen ? winogradWeights : nil)
    }

    /// This layer applied to x reflection-padded by `padding` (a `ReflectionPad2d(padding)` before it), in one op
    /// that need not materialise the padded input. Requires stride 1 and no padding of the layer's own.
    public func forward(_ x: Tensor, reflectionPadding: Int) -> Tensor {
        precondition(stride == 1 && padding == 0, "Conv2d.forward(reflectionPadding:): needs stride 1, padding 0")
        return reflectionPaddedConv2d(x, padding: reflectionPadding, weight: weight, bias: bias,
                                      winogradWeights: weightsFrozen ? winogradWeights : nil)
    }

    public override func dropDerivedWeights() { winogradWeights.invalidate() }

    public override var extraDescription: String {
        "\(inChannels), \(outChannels), kernel_size=(\(kernelSize), \(kernelSize)), stride=(\(stride), \(stride))"
            + (padding != 0 ? ", padding=(\(padding), \(padding))" : "") + (hasBias ? "" : ", bias=False")
    }
}
