import Kernels

/// The Winograd-transformed weights of one 3x3 or 4x4 stride-1 conv layer, kept while its weights do not change (a frozen
/// network: inference, or a generator between two optimizer steps): U for the forward pass and, made only
/// when a backward pass asks, the flipped U of the input gradient. Made on first use after `invalidate()`,
/// into the same buffers each time: a CycleGAN step re-makes them once per step, and fresh allocations
/// (page faults, zero fill) ate the gain. A backward pass makes the flipped one from the weights as they are
/// then, so it is right even if the layer was thawed and changed since its forward pass.
public final class WinogradWeights {
    private var forward = KeptTransform(flipped: false)
    private var inputGradient = KeptTransform(flipped: true)

    public init() {}

    /// Marks the kept transforms stale (the weights are about to change, or did); their buffers are reused.
    public func invalidate() {
        forward.isCurrent = false
        inputGradient.isCurrent = false
    }

    /// U of `weight` [O,C,r,r].
    func pointer(for weight: Tensor) -> UnsafePointer<Float> { forward.pointer(for: weight) }

    /// U of the rotated, channel-swapped kernel (the input gradient's convolution).
    func flippedPointer(for weight: Tensor) -> UnsafePointer<Float> { inputGradient.pointer(for: weight) }
}

private struct KeptTransform {
    let flipped: Bool
    var buffer: Tensor?
    var isCurrent = false

    init(flipped: Bool) { self.flipped = flipped }

    mutating func pointer(for weight: Tensor) -> UnsafePointer<Float> {
        let o = weight.shape[0], c = weight.shape[1]
        let count = winogradTransformedWeightCount(outChannels: o, channels: c)
        if let buffer, isCurrent, buffer.count == count { return UnsafePointer(buffer.data) }
        let u = buffer?.count == count ? buffer! : Tensor(shape: [count], storage: Storage(uninitializedCount: count), offset: 0)
        winogradPrepareWeights(weight.data, outChannels: o, channels: c, kernelSize: weight.shape[2], flipped: flipped,
                               into: u.data)
        buffer = u
        isCurrent = true
        return UnsafePointer(u.data)
    }
}
