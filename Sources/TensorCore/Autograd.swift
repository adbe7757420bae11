/// Global autodiff switch. Training code runs single-threaded above the kernels, so a plain flag suffices.
public enum Autograd {
    nonisolated(unsafe) public static var isEnabled = true
    /// Number of tensors currently holding a backward step (a leak check for tests).
    nonisolated(unsafe) public static var liveGraphNodes = 0
}

/// Runs `body` without recording ops (inference, EMA updates, evaluation).
@discardableResult
public func withNoGrad<T>(_ body: () throws -> T) rethrows -> T {
    let saved = Autograd.isEnabled
    Autograd.isEnabled = false
    defer { Autograd.isEnabled = saved }
    return try body()
}

/// Takes a leaf's gradient as soon as a backward pass has completed it (every op that used the leaf has added
/// its part), instead of leaving it in the leaf's `grad`. A fused optimizer (`Adam.updateDuringBackward`) updates
/// the parameter right there, so a network's gradients never all exist at once.
public protocol GradientSink: AnyObject {
    /// `node`'s completed gradient; backward drops it from the node right before this call.
    func gradientReady(_ node: GraphNode, _ gradient: Tensor)
}

/// The graph side of a tensor: whether gradients flow into it, its gradient, and (for op results) the op's
/// inputs and backward step. It does not reference the tensor's values, so a recorded graph only keeps the
/// activations that backward steps capture themselves; an intermediate result that no backward step needs is
/// freed as soon as the forward code drops it (like PyTorch's saved tensors).
public final class GraphNode {
    let shape: Shape
    /// Whether gradients flow into the tensor (the tensor's `requiresGrad`).
    public var requiresGrad: Bool
    /// d(loss)/d(tensor), same shape as the tensor; nil until something flows back.
    public var grad: Tensor?
    var parents: [GraphNode] = []
    var backwardFn: ((UnsafeMutablePointer<Float>) -> Void)?
    /// Where a leaf's completed gradient goes instead of `grad` (weak: the sink owns the parameters).
    public weak var gradientSink: GradientSink?

    init(shape: Shape, requiresGrad: Bool) {
        self.shape = shape
        self.requiresGrad = requiresGrad
    }

    /// Pointer to the gradient, allocating a zero gradient on first use. Op backward closures add into it.
    public func gradData() -> UnsafeMutablePointer<Float> {
        if let g = grad { return g.data }
        let g = Tensor(zeros: shape)
        grad = g
        return g.data
    }

    /// The gradient for a backward step that writes every element of it: when nothing has added to it yet, a
    /// fresh buffer that is not zeroed first, with `overwrite` true (store, do not add). Most activation
    /// gradients have one consumer, so this saves a zero-fill pass over them.
    public func gradDataForWriting() -> (data: UnsafeMutablePointer<Float>, overwrite: Bool) {
        if let g = grad { return (g.data, false) }
        let g = Tensor(uninitialized: shape)
        grad = g
        return (g.data, true)
    }

    /// Drops the backward step and the inputs (frees the activations it kept alive).
    func releaseGraph() {
        if backwardFn != nil { Autograd.liveGraphNodes -= 1 }
        backwardFn = nil
        parents = []
    }

    deinit { if backwardFn != nil { Autograd.liveGraphNodes -= 1 } }

    /// Nodes reachable from `self` through recorded ops, inputs before the ops that use them.
    func topologicalOrder() -> [GraphNode] {
        var order: [GraphNode] = []
        var visited = Set<ObjectIdentifier>()
        // Iterative DFS (deep networks would overflow a recursive one).
        var stack: [(GraphNode, Bool)] = [(self, false)]
        while let (node, expanded) = stack.popLast() {
            if expanded { order.append(node); continue }
            let id = ObjectIdentifier(node)
            if visited.contains(id) { continue }
            visited.insert(id)
            stack.append((node, true))
            for p in node.parents where p.requiresGrad && !visited.contains(ObjectIdentifier(p)) {
                stack.append((p, false))
            }
        }
        return order
    }
}

extension Tensor {
    /// Records `self` as the result of an op on `inputs` when any input requires a gradient.
    /// `backward` receives d(loss)/d(self) and must add (`+=`) into each input's `gradData()`,
    /// only for inputs with `requiresGrad`. It captures only what it needs: an input's `node` when only its
    /// gradient is written, the input itself when its values are read, and for the output's values a
    /// `savedView()` (never `self`: the graph must not keep the result alive, nor the result its graph).
    @discardableResult
    public func recorded(from inputs: [Tensor],
                         backward: @escaping (_ gradOut: UnsafeMutablePointer<Float>) -> Void) -> Tensor {
        guard willRecord(inputs) else { return self }
        let node = self.node
        node.requiresGrad = true
        node.parents = inputs.map(\.node)
        node.backwardFn = backward
        Autograd.liveGraphNodes += 1
        return self
    }

    /// A view of this tensor's values without graph state, for a backward step to keep (the values stay
    /// alive while the step exists; the tensor object itself may go).
    public func savedView() -> Tensor {
        storage.isSavedForBackward = true
        return Tensor(shape: shape, storage: storage, offset: offset)
    }

    /// Back-propagates from this tensor. `gradient` defaults to ones (the usual call on a scalar loss).
    /// Gradients accumulate into every reachable tensor with `requiresGrad`; the graph is released as it is
    /// walked (like PyTorch without `retain_graph`), and intermediate gradients are dropped.
    public func backward(gradient: Tensor? = nil) {
        guard requiresGrad else { return }
        let root = node
        let order = root.topologicalOrder()
        let g = root.gradData()
        if let gradient {
            precondition(gradient.count == count, "backward: gradient \(gradient.shape) for \(shape)")
            for i in 0..<count { g[i] += gradient.data[i] }
        } else {
            for i in 0..<count { g[i] += 1 }
        }
        // Leaves with a gradient sink: how many recorded uses have yet to pass their part back.
        var pendingUses: [ObjectIdentifier: Int] = [:]
        for node in order where node.backwardFn != nil {
            for p in node.parents where p.requiresGrad && p.gradientSink != nil {
                pendingUses[ObjectIdentifier(p), default: 0] += 1
            }
        }
        for node in order.reversed() {
            guard let fn = node.backwardFn else { continue }
            let parents = node.parents
            if let gOut = node.grad { fn(gOut.data) }
            node.releaseGraph()
            node.grad = nil  // an intermediate result: its gradient has been passed on
            if pendingUses.isEmpty { continue }
            for p in parents where p.requiresGrad {
                guard let sink = p.gradientSink, let left = pendingUses[ObjectIdentifier(p)] else { continue }
                pendingUses[ObjectIdentifier(p)] = left - 1
                if left == 1, let gradient = p.grad {
                    p.grad = nil
                    sink.gradientReady(p, gradient)
                }
            }
        }
    }

    /// Drops this tensor's backward step and inputs (frees the activations it kept alive).
    public func releaseGraph() { graphNode?.releaseGraph() }
}

/// Whether an op on `inputs` gets recorded (autodiff on and some input requires a gradient). Ops check it
/// before preparing what their backward step keeps, so inference allocates no graph state.
@inline(__always)
public func willRecord(_ inputs: [Tensor]) -> Bool {
    Autograd.isEnabled && inputs.contains { $0.requiresGrad }
}

@inline(__always)
public func willRecord(_ inputs: Tensor...) -> Bool { willRecord(inputs) }
