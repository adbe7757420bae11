/// A layer or a network: named parameters, named buffers, named children, and a train/eval mode.
///
/// Names follow PyTorch: a parameter's full key is the dotted path of child names down to it
/// (`model.1.weight`), and keys are listed in PyTorch's order (a module's own parameters, then its children's,
/// depth first), so `namedParameters()` lines up with `state_dict()` and with `net.parameters()`.
open class Module {
    /// True in training mode (batch statistics, active dropout); set for the whole subtree by `train(_:)`.
    public private(set) var isTraining = true
    /// Direct children in registration order (PyTorch's `_modules`).
    public private(set) var children: [(name: String, module: Module)] = []
    /// This module's own parameters (not its children's), in registration order.
    public private(set) var localParameters: [(name: String, tensor: Tensor)] = []
    /// This module's own buffers, in registration order.
    public private(set) var localBuffers: [(name: String, buffer: ModuleBuffer)] = []
    /// Set by `freezeWeights()`: the caller promises the weights stay as they are until `thawWeights()`, so
    /// layers may keep values derived from them between calls (Conv2d keeps its Winograd-transformed weights).
    public private(set) var weightsFrozen = false

    public init() {}

    /// The layer's computation. Subclasses override it.
    open func forward(_ x: Tensor) -> Tensor {
        fatalError("\(type(of: self)) does not implement forward")
    }

    public func callAsFunction(_ x: Tensor) -> Tensor { forward(x) }

    /// The reference's class name (PyTorch's, e.g. `UnetSkipConnectionBlock`), used by `summary()`.
    open var typeName: String { String(describing: type(of: self)) }

    /// The layer's settings as PyTorch's `extra_repr` prints them (e.g. `3, 8, kernel_size=(4, 4), ...`).
    open var extraDescription: String { "" }

    // MARK: registration (used by subclasses while they are built)

    /// Adds a parameter (a leaf that requires a gradient) and returns its index for `parameter(_:)`.
    @discardableResult
    public func addParameter(_ name: String, _ tensor: Tensor) -> Int {
        precondition(!localParameters.contains { $0.name == name }, "parameter \(name) registered twice")
        tensor.requiresGrad = true
        localParameters.append((name, tensor))
        return localParameters.count - 1
    }

    public func addBuffer(_ name: String, _ buffer: ModuleBuffer) {
        precondition(!localBuffers.contains { $0.name == name }, "buffer \(name) registered twice")
        localBuffers.append((name, buffer))
    }

    public func addChild(_ name: String, _ module: Module) {
        precondition(!children.contains { $0.name == name }, "child \(name) registered twice")
        module.train(isTraining)
        children.append((name, module))
    }

    /// The parameter registered at `index` (layers read their weights through this, because
    /// `flattenParameters()` may replace the tensor objects by views into one block).
    @inline(__always) public func parameter(_ index: Int) -> Tensor { localParameters[index].tensor }

    /// Replaces the tensor of a parameter (same shape), e.g. by a view into a flat block.
    public func replaceParameter(at index: Int, with tensor: Tensor) {
        precondition(tensor.shape == localParameters[index].tensor.shape,
                     "replaceParameter: \(tensor.shape) for \(localParameters[index].tensor.shape)")
        localParameters[index].tensor = tensor
        dropDerivedWeights()
    }

    // MARK: frozen weights (inference, or a generator between two optimizer steps)

    /// Promises that no parameter of this subtree changes until `thawWeights()`: converters call it once the
    /// weights are loaded (CycleGAN's trainer for its generator phase), so per-call work that depends only on
    /// the weights is done once.
    public func freezeWeights() {
        visitModules { _, module in
            module.weightsFrozen = true
            module.dropDerivedWeights()  // anything derived earlier may predate the last weight change
        }
    }

    /// Ends `freezeWeights()` and drops what layers derived from the weights (call it before changing them).
    public func thawWeights() {
        visitModules { _, module in
            module.weightsFrozen = false
            module.dropDerivedWeights()
        }
    }

    /// Forgets values derived from the weights (they are about to change, or just did). Layers that keep
    /// such values override it.
    open func dropDerivedWeights() {}

    // MARK: mode

    /// Training mode (`true`) or evaluation mode (`false`) for this module and all below it.
    public func train(_ on: Bool = true) {
        isTraining = on
        for child in children { child.module.train(on) }
    }

    /// Evaluation mode: BatchNorm uses running statistics, Dropout is the identity.
    public func eval() { train(false) }

    // MARK: traversal

    /// This module (key "") and every descendant with its dotted path, parents before children.
    public func namedModules(prefix: String = "") -> [(name: String, module: Module)] {
        var result: [(name: String, module: Module)] = []
        visitModules(prefix: prefix) { result.append(($0, $1)) }
        return result
    }

    /// Calls `body` for this module and every descendant, parents first (depth first, in order).
    public func visitModules(prefix: String = "", _ body: (String, Module) -> Void) {
        body(prefix, self)
        for child in children {
            child.module.visitModules(prefix: Module.join(prefix, child.name), body)
        }
    }

    /// Every parameter with its full key, in PyTorch's order.
    public func namedParameters(prefix: String = "") -> [(name: String, tensor: Tensor)] {
        var result: [(name: String, tensor: Tensor)] = []
        visitModules(prefix: prefix) { path, module in
            for p in module.localParameters { result.append((Module.join(path, p.name), p.tensor)) }
        }
        return result
    }

    /// Every buffer with its full key, in PyTorch's order.
    public func namedBuffers(prefix: String = "") -> [(name: String, buffer: ModuleBuffer)] {
        var result: [(name: String, buffer: ModuleBuffer)] = []
        visitModules(prefix: prefix) { path, module in
            for b in module.localBuffers { result.append((Module.join(path, b.name), b.buffer)) }
        }
        return result
    }

    /// The parameters in PyTorch's order (what an optimizer gets).
    public func parameters() -> [Tensor] { namedParameters().map(\.tensor) }

    /// Number of scalar parameters (PyTorch's `sum(p.numel() for p in net.parameters())`).
    public var parameterCount: Int { parameters().reduce(0) { $0 + $1.count } }

    /// Switches gradient tracking of every parameter (the reference's `set_requires_grad(net, flag)`).
    public func setRequiresGrad(_ on: Bool) {
        for p in parameters() { p.requiresGrad = on }
    }

    /// Zeroes every parameter's gradient.
    public func zeroGrad() {
        for p in parameters() { p.zeroGrad() }
    }

    /// The module tree printed like PyTorch's `print(net)` (without `inplace` flags: our layers never work
    /// in place), e.g. for `translate inspect`.
    public func summary() -> String {
        if children.isEmpty { return "\(typeName)(\(extraDescription))" }
        var lines = ["\(typeName)("]
        if !extraDescription.isEmpty { lines.append("  " + extraDescription) }
        for child in children {
            let text = child.module.summary().split(separator: "\n", omittingEmptySubsequences: false)
            lines.append("  (\(child.name)): " + text[0])
            lines += text.dropFirst().map { "  " + $0 }
        }
        lines.append(")")
        return lines.joined(separator: "\n")
    }

    /// "a.b" from path "a" and name "b" ("b" at the root).
    public static func join(_ prefix: String, _ name: String) -> String {
        prefix.isEmpty ? name : prefix + "." + name
    }
}

/// A named non-parameter state tensor of a module (what PyTorch's `register_buffer` holds).
public enum ModuleBuffer {
    /// Float32 values, e.g. BatchNorm's running_mean and running_var.
    case float(Tensor)
    /// An integer counter, e.g. BatchNorm's num_batches_tracked (stored as a 0-d int64 by PyTorch).
    case counter(Counter)
}

/// A mutable integer shared between a layer and its buffer entry.
public final class Counter {
    public var value: Int
    public init(_ value: Int = 0) { self.value = value }
}
