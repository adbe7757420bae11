import Kernels

/// An NCHW (or any rank) Float32 tensor: a shape, a view into aligned `Storage`, and autodiff state.
///
/// Values live at `data[0..<count]`. Tensors that share storage (views, `detached()`) see each other's
/// writes. Gradients are tensors of the same shape, allocated on first use (or assigned up front as views
/// into a network's flat gradient block).
public final class Tensor: @unchecked Sendable, CustomStringConvertible {
    public let shape: Shape
    public let storage: Storage
    public let offset: Int

    /// Optional name, used in error messages and by modules.
    public var name: String?

    /// Gradient state and recorded op, created on first use (most tensors never need one).
    var graphNode: GraphNode?

    /// The graph side of this tensor (created on first use). Backward steps capture an input's node instead of
    /// the input when they only write its gradient, so the input's values can be freed.
    public var node: GraphNode {
        if let n = graphNode { return n }
        let n = GraphNode(shape: shape, requiresGrad: false)
        graphNode = n
        return n
    }

    /// Whether gradients flow into this tensor. Leaves (parameters, inputs) set it; op results inherit it.
    public var requiresGrad: Bool {
        get { graphNode?.requiresGrad ?? false }
        set { if newValue || graphNode != nil { node.requiresGrad = newValue } }
    }

    /// d(loss)/d(self), same shape; nil until something flows back.
    public var grad: Tensor? {
        get { graphNode?.grad }
        set { if newValue != nil || graphNode != nil { node.grad = newValue } }
    }

    // MARK: construction

    /// Zero-filled tensor.
    public init(zeros shape: Shape, requiresGrad: Bool = false) {
        self.shape = shape
        self.storage = Storage(count: shape.count)
        self.offset = 0
        if requiresGrad { self.requiresGrad = true }
    }

    /// Tensor with arbitrary contents, for op outputs that a kernel overwrites entirely (no zeroing pass).
    public init(uninitialized shape: Shape, requiresGrad: Bool = false) {
        self.shape = shape
        self.storage = Storage(uninitializedCount: shape.count)
        self.offset = 0
        if requiresGrad { self.requiresGrad = true }
    }

    /// A view of `shape.count` floats of `storage` starting at `offset`.
    public init(shape: Shape, storage: Storage, offset: Int = 0, requiresGrad: Bool = false) {
        precondition(offset >= 0 && offset + shape.count <= storage.count,
                     "view \(shape) at offset \(offset) exceeds storage of \(storage.count) floats")
        self.shape = shape
        self.storage = storage
        self.offset = offset
        if requiresGrad { self.requiresGrad = true }
    }

    /// Tensor holding a copy of `values` (row-major).
    public convenience init(shape: Shape, values: [Float], requiresGrad: Bool = false) {
        precondition(values.count == shape.count, "\(values.count) values for shape \(shape)")
        self.init(zeros: shape, requiresGrad: requiresGrad)
        values.withUnsafeBufferPointer { data.update(from: $0.baseAddress!, count: values.count) }
    }

    /// Every element equal to `value`.
    public convenience init(filled value: Float, shape: Shape, requiresGrad: Bool = false) {
        self.init(zeros: shape, requiresGrad: requiresGrad)
        if value != 0 { data.update(repeating: value, count: count) }
    }

    /// A rank-1 single-element tensor (how losses are returned; PyTorch fixtures store scalars as [1]).
    public convenience init(scalar: Float) { self.init(shape: [1], values: [scalar]) }

    /// Normal(mean, std²) entries.
    public static func randn(_ shape: Shape, mean: Float = 0, std: Float = 1, rng: inout RNG,
                             requiresGrad: Bool = false) -> Tensor {
        let t = Tensor(zeros: shape, requiresGrad: requiresGrad)
        rng.fillNormal(t.data, count: t.count, mean: mean, std: std)
        return t
    }

    /// Uniform [lo, hi) entries.
    public static func uniform(_ shape: Shape, _ lo: Float = 0, _ hi: Float = 1, rng: inout RNG,
                               requiresGrad: Bool = false) -> Tensor {
        let t = Tensor(zeros: shape, requiresGrad: requiresGrad)
        let p = t.data
        for i in 0..<t.count { p[i] = rng.uniform(lo, hi) }
        return t
    }

    // MARK: access

    @inline(__always) public var data: UnsafeMutablePointer<Float> { storage.pointer + offset }
    @inline(__always) public var count: Int { shape.count }

    public func toArray() -> [Float] { Array(UnsafeBufferPointer(start: data, count: count)) }

    /// The single value of a one-element tensor.
    public var item: Float {
        precondition(count == 1, "item of a tensor of shape \(shape)")
        return data[0]
    }

    public subscript(_ i: Int) -> Float {
        get { precondition(i >= 0 && i < count); return data[i] }
        set { precondition(i >= 0 && i < count); data[i] = newValue }
    }

    /// NCHW element access (slow; for tests and tools, not for hot loops).
    public subscript(n: Int, c: Int, h: Int, w: Int) -> Float {
        get { data[((n * shape[1] + c) * shape[2] + h) * shape[3] + w] }
        set { data[((n * shape[1] + c) * shape[2] + h) * shape[3] + w] = newValue }
    }

    /// Independent copy of the values (no graph, no gradient).
    public func copy() -> Tensor {
        let t = Tensor(zeros: shape)
        t.data.update(from: data, count: count)
        return t
    }

    /// Same values (shared storage), cut from the graph: gradients stop here.
    public func detached() -> Tensor { Tensor(shape: shape, storage: storage, offset: offset) }

    /// Overwrites the values with those of `other` (same element count). Not recorded on the tape.
    public func assign(from other: Tensor) {
        precondition(other.count == count, "assign: \(other.shape) into \(shape)")
        data.update(from: other.data, count: count)
    }

    /// Pointer to the gradient, allocating a zero gradient on first use. Op backward closures add into it.
    public func gradData() -> UnsafeMutablePointer<Float> { node.gradData() }

    /// Sets the gradient to zero (keeps an assigned gradient view, so flat gradient blocks stay shared).
    public func zeroGrad() {
        if let g = grad { zeroFill(g.data, count: g.count) }
    }

    /// True when this tensor was produced by a recorded op (it has a backward step).
    public var hasGraph: Bool { graphNode?.backwardFn != nil }

    public var description: String {
        let head = toArray().prefix(8).map { String(format4($0)) }.joined(separator: ", ")
        return "Tensor\(shape)[\(head)\(count > 8 ? ", …" : "")]"
    }
}

private func format4(_ x: Float) -> String {
    let v = (Double(x) * 10_000).rounded() / 10_000
    return String(v)
}
