import Kernels
import TensorCore

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
    private var winogradWeights: Tensor?

    public override func forward(_ x: Tensor) -> Tensor {
        conv2d(x, weight: weight, bias: bias, stride: stride, padding: padding,
               winogradWeights: weightsFrozen ? preparedWinogradWeights(for: x) : nil)
    }

    /// The transformed weights when this call runs through Winograd (made on first use), else nil.
    private func preparedWinogradWeights(for x: Tensor) -> Tensor? {
        let s = x.shape
        guard s.rank == 4, s.c == inChannels, s.h + 2 * padding >= kernelSize, s.w + 2 * padding >= kernelSize
        else { return nil }  // conv2d reports the bad shape
        let g = ConvGeometry(channels: inChannels, height: s.h, width: s.w, kernelH: kernelSize, kernelW: kernelSize,
                             stride: stride, padding: padding)
        guard conv2dUsesWinograd(outChannels: outChannels, geometry: g) else { return nil }
        if let winogradWeights { return winogradWeights }
        let prepared = Tensor(zeros: [winogradTransformedWeightCount(outChannels: outChannels, channels: inChannels)])
        winogradPrepareWeights(weight.data, outChannels: outChannels, channels: inChannels, into: prepared.data)
        winogradWeights = prepared
        return prepared
    }

    public override func dropDerivedWeights() { winogradWeights = nil }

    public override var extraDescription: String {
        "\(inChannels), \(outChannels), kernel_size=(\(kernelSize), \(kernelSize)), stride=(\(stride), \(stride))"
            + (padding != 0 ? ", padding=(\(padding), \(padding))" : "") + (hasBias ? "" : ", bias=False")
    }
}
