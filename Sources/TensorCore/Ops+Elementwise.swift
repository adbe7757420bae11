import Kernels

private func checkSameShape(_ op: String, _ a: Tensor, _ b: Tensor) {
    precondition(a.shape == b.shape, "\(op): shapes \(a.shape) and \(b.shape) differ")
}

/// a + b (same shapes).
public func + (a: Tensor, b: Tensor) -> Tensor {
    checkSameShape("add", a, b)
    let out = Tensor(uninitialized: a.shape)
    addForward(a.data, b.data, out.data, out.count)
    let n = out.count
    guard willRecord(a, b) else { return out }
    let aNode = a.node, bNode = b.node  // the operands' values are not needed backward
    return out.recorded(from: [a, b]) { g in
        if aNode.requiresGrad { axpy(g, scale: 1, into: aNode.gradData(), n) }
        if bNode.requiresGrad { axpy(g, scale: 1, into: bNode.gradData(), n) }
    }
}

/// a - b (same shapes).
public func - (a: Tensor, b: Tensor) -> Tensor {
    checkSameShape("sub", a, b)
    let out = Tensor(uninitialized: a.shape)
    subForward(a.data, b.data, out.data, out.count)
    let n = out.count
    guard willRecord(a, b) else { return out }
    let aNode = a.node, bNode = b.node  // the operands' values are not needed backward
    return out.recorded(from: [a, b]) { g in
        if aNode.requiresGrad { axpy(g, scale: 1, into: aNode.gradData(), n) }
        if bNode.requiresGrad { axpy(g, scale: -1, into: bNode.gradData(), n) }
    }
}

/// a * b elementwise (same shapes).
public func * (a: Tensor, b: Tensor) -> Tensor {
    checkSameShape("mul", a, b)
    let out = Tensor(uninitialized: a.shape)
    mulForward(a.data, b.data, out.data, out.count)
    let n = out.count
    return out.recorded(from: [a, b]) { g in
        if a.requiresGrad { mulAccumulate(g, b.data, into: a.gradData(), n) }
        if b.requiresGrad { mulAccumulate(g, a.data, into: b.gradData(), n) }
    }
}

/// a * s (scalar scale).
public func * (a: Tensor, s: Float) -> Tensor {
    let out = Tensor(uninitialized: a.shape)
    affineForward(a.data, scale: s, shift: 0, out.data, out.count)
    let n = out.count
    guard willRecord(a) else { return out }
    let aNode = a.node
    return out.recorded(from: [a]) { g in axpy(g, scale: s, into: aNode.gradData(), n) }
}
public func * (s: Float, a: Tensor) -> Tensor { a * s }

/// a + s (scalar shift).
public func + (a: Tensor, s: Float) -> Tensor {
    let out = Tensor(uninitialized: a.shape)
    affineForward(a.data, scale: 1, shift: s, out.data, out.count)
    let n = out.count
    guard willRecord(a) else { return out }
    let aNode = a.node
    return out.recorded(from: [a]) { g in axpy(g, scale: 1, into: aNode.gradData(), n) }
}

extension Tensor {
    /// Same values under another shape of equal element count (shares storage).
    public func reshaped(_ newShape: Shape) -> Tensor {
        precondition(newShape.count == count, "reshape \(shape) to \(newShape): element counts differ")
        let out = Tensor(shape: newShape, storage: storage, offset: offset)
        let input = self
        let n = count
        guard willRecord(input) else { return out }
        let inputNode = input.node
        return out.recorded(from: [input]) { g in axpy(g, scale: 1, into: inputNode.gradData(), n) }
    }
}
