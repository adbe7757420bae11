import Kernels

/// The Winograd-transformed weights of one 3x3 or 4x4 stride-1 conv layer (or of one 4x4 stride-2 transposed conv;
/// or, for a transposed conv of 17-64 input pixels, its weight transposed: `convTranspose2dKeepsTransposedWeight`),
/// kept while its weights do not change (a frozen network: inference, or a generator between two optimizer
/// steps): U for the forward pass and, made only when a backward pass asks, the flipped U of the input gradient. Made on first use after `invalidate()`,
/// into the same buffers each time: a CycleGAN step re-makes them once per step, and fresh allocations
/// (page faults, zero fill) ate the gain. A backward pass makes the flipped one from the weights as they are
/// then, so it is right even if the layer was thawed and changed since its forward pass.
public final class WinogradWeights {
    private var forward = KeptTransform(kind: .forward)
    private var inputGradient = KeptTransform(kind: .flipped)

    public init() {}

    /// Marks the kept transforms stale (the weights are about to change, or did); their buffers are reused.
    public func invalidate() {
        forward.isCurrent = false
        inputGradient.isCurrent = false
    }

    /// U of `weight` [O,C,r,r].
    func pointer(for weight: Tensor) -> UnsafePointer<Float> { forward.pointer(for: weight) }

    /// U of a transposed conv's `weight` [Cin,Cout,4,4] (`winogradPrepareTransposedWeights`).
    func transposedPointer(for weight: Tensor) -> UnsafePointer<Float> { forward.pointer(for: weight, layer: .transposed) }

    /// A transposed conv's `weight` [Cin,Cout,kh,kw] as [Cout·kh·kw, Cin] (`convTranspose2dKeepsTransposedWeight`).
    func transposedMatrixPointer(for weight: Tensor) -> UnsafePointer<Float> {
        forward.pointer(for: weight, layer: .transposedMatrix)
    }

    /// U of a 4x4 stride-2 conv's `weight` [O,C,4,4] (`winogradPrepareStridedWeights`).
    func stridedPointer(for weight: Tensor) -> UnsafePointer<Float> { forward.pointer(for: weight, layer: .strided) }

    /// U of the rotated, channel-swapped kernel (the input gradient's convolution).
    func flippedPointer(for weight: Tensor) -> UnsafePointer<Float> { inputGradient.pointer(for: weight) }
}

private struct KeptTransform {
    enum Kind { case forward, flipped }
    let kind: Kind
    var buffer: Tensor?
    var isCurrent = false

    init(kind: Kind) { self.kind = kind }

    /// Which Winograd the layer runs, or the plain transpose. An up-conv switches between its Winograd transform
    /// and its transpose when its input size does; the two never have the same count, which tells them apart.
    enum Layer { case stride1, transposed, strided, transposedMatrix }

    mutating func pointer(for weight: Tensor, layer: Layer = .stride1) -> UnsafePointer<Float> {
        let o = weight.shape[0], c = weight.shape[1]
        let count: Int
        switch layer {
        case .stride1: count = winogradTransformedWeightCount(outChannels: o, channels: c)
        case .transposed: count = winogradTransposedWeightCount(inChannels: o, outChannels: c)
        case .strided: count = winogradStridedWeightCount(outChannels: o, channels: c)
        case .transposedMatrix: count = weight.count
        }
        if let buffer, isCurrent, buffer.count == count { return UnsafePointer(buffer.data) }
        let u = buffer?.count == count ? buffer! : Tensor(shape: [count], storage: Storage(uninitializedCount: count), offset: 0)
        switch layer {
        case .transposed:
            winogradPrepareTransposedWeights(weight.data, inChannels: o, outChannels: c, into: u.data)
        case .strided:
            winogradPrepareStridedWeights(weight.data, outChannels: o, channels: c, into: u.data)
        case .transposedMatrix:
            transposeMatrix(weight.data, rows: o, cols: weight.count / o, lds: weight.count / o, u.data, ldd: o,
                            accumulate: false)
        case .stride1:
            winogradPrepareWeights(weight.data, outChannels: o, channels: c, kernelSize: weight.shape[2],
                                   flipped: kind == .flipped, into: u.data)
        }
        buffer = u
        isCurrent = true
        return UnsafePointer(u.data)
    }
}
