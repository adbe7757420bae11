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

extension Tensor {
    /// Records `self` as the result of an op on `inputs` when any input requires a gradient.
    /// `backward` receives d(loss)/d(self) and must add (`+=`) into each input's `gradData()`,
    /// only for inputs with `requiresGrad`. It captures inputs strongly and `self` (if needed) `unowned`.
    @discardableResult
    public func recorded(from inputs: [Tensor],
                         backward: @escaping (_ gradOut: UnsafeMutablePointer<Float>) -> Void) -> Tensor {
        guard Autograd.isEnabled, inputs.contains(where: { $0.requiresGrad }) else { return self }
        requiresGrad = true
        parents = inputs
        backwardFn = backward
        Autograd.liveGraphNodes += 1
        return self
    }

    /// Back-propagates from this tensor. `gradient` defaults to ones (the usual call on a scalar loss).
    /// Gradients accumulate into every reachable tensor with `requiresGrad`; the graph is released as it is
    /// walked (like PyTorch without `retain_graph`), and intermediate gradients are dropped.
    public func backward(gradient: Tensor? = nil) {
        guard requiresGrad else { return }
        let order = topologicalOrder()
        let g = gradData()
        if let gradient {
            precondition(gradient.count == count, "backward: gradient \(gradient.shape) for \(shape)")
            for i in 0..<count { g[i] += gradient.data[i] }
        } else {
            for i in 0..<count { g[i] += 1 }
        }
        for node in order.reversed() {
            guard let fn = node.backwardFn else { continue }
            if let gOut = node.grad { fn(gOut.data) }
            node.releaseGraph()
            node.grad = nil  // an intermediate result: its gradient has been passed on
        }
    }

    /// Drops this tensor's backward step and inputs (frees the activations it kept alive).
    public func releaseGraph() {
        if backwardFn != nil { Autograd.liveGraphNodes -= 1 }
        backwardFn = nil
        parents = []
    }

    /// Nodes reachable from `self` through recorded ops, inputs before the ops that use them.
    func topologicalOrder() -> [Tensor] {
        var order: [Tensor] = []
        var visited = Set<ObjectIdentifier>()
        // Iterative DFS (deep networks would overflow a recursive one).
        var stack: [(Tensor, Bool)] = [(self, false)]
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
