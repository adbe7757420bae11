import Kernels

/// The Winograd-transformed weights U of one 3x3 conv layer's forward pass, kept while its weights do not
/// change (a frozen network: inference, or a generator between two optimizer steps). Made on first use after
/// `invalidate()`, into the same buffer each time: a CycleGAN step re-makes them once per step, and fresh
/// allocations (page faults, zero fill) ate the gain. The backward pass transforms afresh: keeping the
/// flipped transform as well cost as much memory again and measured slower.
public final class WinogradWeights {
    private var buffer: Tensor?
    private var isCurrent = false

    public init() {}

    /// Marks the kept transform stale (the weights are about to change, or did); its buffer is reused.
    public func invalidate() { isCurrent = false }

    /// U of `weight` [O,C,3,3].
    func pointer(for weight: Tensor) -> UnsafePointer<Float> {
        let o = weight.shape[0], c = weight.shape[1]
        let count = winogradTransformedWeightCount(outChannels: o, channels: c)
        if let buffer, isCurrent, buffer.count == count { return UnsafePointer(buffer.data) }
        let u = buffer?.count == count ? buffer! : Tensor(shape: [count], storage: Storage(uninitializedCount: count), offset: 0)
        winogradPrepareWeights(weight.data, outChannels: o, channels: c, into: u.data)
        buffer = u
        isCurrent = true
        return UnsafePointer(u.data)
    }
}
