/// 2-D transposed convolution with square kernels (PyTorch semantics).
/// weight: [in, out, k, k] (PyTorch's convention: in and out swapped relative to Conv2d); bias: [out].
public final class ConvTranspose2d: Module {
    public let inChannels: Int
    public let outChannels: Int
    public let kernelSize: Int
    public let stride: Int
    public let padding: Int
    public let outputPadding: Int
    public let hasBias: Bool

    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
                outputPadding: Int = 0, bias: Bool = true) {
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
        self.outputPadding = outputPadding
        self.hasBias = bias
        super.init()
        addParameter("weight", Tensor(zeros: [inChannels, outChannels, kernelSize, kernelSize]))
        if bias { addParameter("bias", Tensor(zeros: [outChannels])) }
    }

    public var weight: Tensor { parameter(0) }
    public var bias: Tensor? { hasBias ? parameter(1) : nil }

    /// Winograd-transformed weights, kept while the weights are frozen (they depend on the weights only).
    private let winogradWeights = WinogradWeights()

    public override func forward(_ x: Tensor) -> Tensor {
        convTranspose2d(x, weight: weight, bias: bias, stride: stride, padding: padding, outputPadding: outputPadding,
                        winogradWeights: weightsFrozen ? winogradWeights : nil)
    }

    public override func dropDerivedWeights() { winogradWeights.invalidate() }

    public override var extraDescription: String {
        "\(inChannels), \(outChannels), kernel_size=(\(kernelSize), \(kernelSize)), stride=(\(stride), \(stride))"
            + (padding != 0 ? ", padding=(\(padding), \(padding))" : "")
            + (outputPadding != 0 ? ", output_padding=(\(outputPadding), \(outputPadding))" : "")
            + (hasBias ? "" : ", bias=False")
    }
}
