import Kernels

/// Concatenation along the channel axis (dim 1) of NCHW tensors with equal N, H, W.
public func concatChannels(_ tensors: [Tensor]) -> Tensor {
    concatenate(tensors, axis: 1, op: "concatChannels")
}

/// Concatenation along the batch axis (dim 0) of tensors with equal C, H, W.
public func concatBatch(_ tensors: [Tensor]) -> Tensor {
    concatenate(tensors, axis: 0, op: "concatBatch")
}

extension Tensor {
    /// Items start..<end of the batch axis (a differentiable slice; a view sharing this tensor's storage).
    public func batchSlice(_ start: Int, _ end: Int) -> Tensor {
        precondition(shape.rank >= 1 && 0 <= start && start < end && end <= shape[0],
                     "batchSlice \(start)..<\(end) of \(shape)")
        let item = count / shape[0]
        var dims = shape.dims
        dims[0] = end - start
        let out = Tensor(shape: Shape(dims), storage: storage, offset: offset + start * item)
        let x = self, n = out.count
        guard willRecord(x) else { return out }
        let xNode = x.node
        return out.recorded(from: [x]) { g in axpy(g, scale: 1, into: xNode.gradData() + start * item, n) }
    }
}

/// Joins tensors along `axis` (0 or 1); all other dimensions must agree.
/// Viewed as [outer, size(axis) * inner]: each input contributes one run per outer index.
private func concatenate(_ tensors: [Tensor], axis: Int, op: String) -> Tensor {
    precondition(!tensors.isEmpty, "\(op): no tensors")
    let first = tensors[0].shape
    precondition(first.rank > axis, "\(op): rank \(first.rank) has no axis \(axis)")
    var total = 0
    for t in tensors {
        var a = t.shape.dims, b = first.dims
        precondition(a.count == b.count, "\(op): shapes \(t.shape) and \(first) differ in rank")
        total += a[axis]
        a[axis] = 0; b[axis] = 0
        precondition(a == b, "\(op): shapes \(t.shape) and \(first) differ outside axis \(axis)")
    }
    var dims = first.dims
    dims[axis] = total
    let outer = dims[0..<axis].reduce(1, *)
    let inner = dims[(axis + 1)...].reduce(1, *)
    let out = Tensor(uninitialized: Shape(dims))
    let outRun = total * inner
    var offsets: [Int] = []
    var position = 0
    for t in tensors {
        let run = t.shape[axis] * inner
        copyBlocks(t.data, srcStride: run, out.data + position, dstStride: outRun, blocks: outer, length: run)
        offsets.append(position)
        position += run
    }
    guard willRecord(tensors) else { return out }
    // Backward only routes gradient slices: keep the inputs' nodes and sizes, not their values.
    let parts = tensors.map { (node: $0.node, run: $0.shape[axis] * inner) }
    return out.recorded(from: tensors) { g in
        for (part, start) in zip(parts, offsets) where part.node.requiresGrad {
            accumulateBlocks(g + start, srcStride: outRun, part.node.gradData(), dstStride: part.run,
                             blocks: outer, length: part.run)
        }
    }
}
