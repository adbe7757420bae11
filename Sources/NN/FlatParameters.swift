/// The parameters of a module tree laid out in one contiguous block, and their gradients in another,
/// in `namedParameters()` order. Each parameter is a view into `values` and its `grad` a view into
/// `gradients` at the same offset, so an optimizer updates the whole network in one loop and zeroing all
/// gradients is one memset.
public struct FlatParameters {
    public let values: Storage
    public let gradients: Storage
    /// Total number of scalar parameters.
    public var count: Int { values.count }

    /// Zeroes every gradient of the block.
    public func zeroGradients() { gradients.zeroFill() }
}

extension Module {
    /// Replaces every parameter by a view into one new flat block (values copied), assigns its gradient as a
    /// view into a second block (zeros), names it by its key and marks it as requiring a gradient.
    /// Layers read their weights through `parameter(_:)`, so they use the views from then on.
    @discardableResult
    public func flattenParameters() -> FlatParameters {
        let total = parameterCount
        // Both blocks in pages that cost nothing until written: the values as they are copied in, the gradients
        // when a backward pass writes them (never, for a network whose optimizer updates during backward).
        let values = Storage(untouchedZerosCount: total), gradients = Storage(untouchedZerosCount: total)
        var offset = 0
        visitModules { path, module in
            for (index, entry) in module.localParameters.enumerated() {
                let old = entry.tensor
                let view = Tensor(shape: old.shape, storage: values, offset: offset, requiresGrad: true)
                view.data.update(from: old.data, count: old.count)
                view.grad = Tensor(shape: old.shape, storage: gradients, offset: offset)
                view.name = Module.join(path, entry.name)
                module.replaceParameter(at: index, with: view)
                offset += old.count
            }
            // The layer's own blocks are free now: their pages go back at once, so building a network holds its
            // parameters once, not twice (436 MB at the peak for unet_256, more than it needs to convert).
            LargeBlocks.releaseCached()
        }
        return FlatParameters(values: values, gradients: gradients)
    }
}
