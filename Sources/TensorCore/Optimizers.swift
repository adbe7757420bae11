import Foundation
import Kernels

/// Adam with PyTorch semantics (bias-corrected moments, eps added after the square root, no weight decay).
/// State is kept per parameter in PyTorch's layout (`exp_avg`, `exp_avg_sq`, one step count) so it can be
/// saved and restored for exact resume.
///
/// The moments of all parameters are views into two flat blocks, in parameter order, so consecutive
/// parameters that are adjacent views of one storage (a network's flat parameter block) with adjacent
/// gradients are updated in one loop.
public final class Adam {
    public let parameters: [Tensor]
    public var lr: Float
    public var beta1: Float
    public var beta2: Float
    public var eps: Float
    /// Number of steps taken (PyTorch's `state['step']`).
    public var stepCount: Int = 0
    /// First and second moments, one tensor per parameter (same shapes).
    public let expAvg: [Tensor]
    public let expAvgSq: [Tensor]

    public init(parameters: [Tensor], lr: Float, beta1: Float = 0.9, beta2: Float = 0.999, eps: Float = 1e-8) {
        self.parameters = parameters
        self.lr = lr
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        let total = parameters.reduce(0) { $0 + $1.count }
        let avgStorage = Storage(count: total), avgSqStorage = Storage(count: total)
        var avg: [Tensor] = [], avgSq: [Tensor] = []
        var offset = 0
        for p in parameters {
            avg.append(Tensor(shape: p.shape, storage: avgStorage, offset: offset))
            avgSq.append(Tensor(shape: p.shape, storage: avgSqStorage, offset: offset))
            offset += p.count
        }
        expAvg = avg
        expAvgSq = avgSq
    }

    /// One update from the parameters' current gradients (a parameter without a gradient is skipped).
    public func step() {
        precondition(fusedIndex.isEmpty, "Adam.step: this optimizer updates during backward (beginFusedStep)")
        stepCount += 1
        let scalars = stepScalars()
        for block in contiguousBlocks(parameters) {
            update(block.first, count: block.count, gradient: parameters[block.first].grad!.data, scalars)
        }
    }

    /// The per-step constants of the update. PyTorch's hyper-parameters are Python doubles and its scalar
    /// arithmetic (1 - beta1, bias corrections, step size) is done in Double, then rounded to Float by the
    /// tensor ops. Recover the decimal the user wrote (0.999, not Float(0.999)) and follow the same path, so the
    /// update matches PyTorch's rounding.
    private struct StepScalars { var w1, beta2, w2, stepSize, bc2Sqrt: Float }

    private func stepScalars() -> StepScalars {
        let b1 = decimalValue(beta1), b2 = decimalValue(beta2), t = Double(stepCount)
        let biasCorrection1 = 1 - pow(b1, t)
        let biasCorrection2 = 1 - pow(b2, t)
        return StepScalars(w1: Float(1 - b1), beta2: Float(b2), w2: Float(1 - b2),
                           stepSize: Float(decimalValue(lr) / biasCorrection1), bc2Sqrt: Float(pow(biasCorrection2, 0.5)))
    }

    /// Adam over `count` floats from parameter `first` on (its moments are laid out like the parameters).
    private func update(_ first: Int, count: Int, gradient: UnsafePointer<Float>, _ k: StepScalars) {
        adamUpdate(parameters[first].data, gradient, expAvg: expAvg[first].data, expAvgSq: expAvgSq[first].data,
                   count, w1: k.w1, beta2: k.beta2, w2: k.w2, eps: eps, stepSize: k.stepSize,
                   biasCorrection2Sqrt: k.bc2Sqrt)
    }

    // MARK: updating during backward

    /// Parameter index by graph node, once `updateDuringBackward()` has been called.
    private var fusedIndex: [ObjectIdentifier: Int] = [:]
    /// The current fused step's constants (nil before the first `beginFusedStep()`).
    private var fusedScalars: StepScalars?

    /// From now on each parameter is updated inside `backward()`, the moment its gradient is complete, and its
    /// gradient is dropped right after (its block goes back to `LargeBlocks`, for the next parameter's): the
    /// gradients of the whole network never exist at once (for unet_256, 218 MB of them) and are never zeroed,
    /// stored or read back as a block. Call `beginFusedStep()` before each step's single backward pass instead
    /// of `zeroGrad()` … `step()`. The arithmetic per parameter is the same as `step()`'s, so the results are
    /// identical. Only for a step with one backward pass through the parameters: a second pass would start
    /// another update. Parameters drop their gradient views (a network's flat gradient block is then never
    /// touched).
    public func updateDuringBackward() {
        for (i, p) in parameters.enumerated() {
            p.grad = nil
            p.node.gradientSink = self
            fusedIndex[ObjectIdentifier(p.node)] = i
        }
    }

    /// Starts a fused step: counts it and fixes its constants; the following backward pass updates every
    /// parameter it reaches (the others are skipped, like `step()` skips parameters without a gradient).
    public func beginFusedStep() {
        precondition(!fusedIndex.isEmpty, "Adam.beginFusedStep: call updateDuringBackward() first")
        stepCount += 1
        fusedScalars = stepScalars()
    }

    /// Zeroes every parameter's gradient.
    public func zeroGrad() { for p in parameters { p.zeroGrad() } }
}

extension Adam: GradientSink {
    public func gradientReady(_ node: GraphNode, _ gradient: Tensor) {
        guard let i = fusedIndex[ObjectIdentifier(node)] else { return }
        guard let scalars = fusedScalars else {
            preconditionFailure("Adam: a backward pass reached the parameters without beginFusedStep()")
        }
        update(i, count: parameters[i].count, gradient: gradient.data, scalars)
    }
}

/// Plain SGD (optional momentum 0): p -= lr * grad.
public final class SGD {
    public let parameters: [Tensor]
    public var lr: Float
    public init(parameters: [Tensor], lr: Float) { self.parameters = parameters; self.lr = lr }
    public func step() {
        for block in contiguousBlocks(parameters) {
            let p = parameters[block.first]
            sgdUpdate(p.data, p.grad!.data, lr: lr, block.count)
        }
    }
    public func zeroGrad() { for p in parameters { p.zeroGrad() } }
}

/// A run of consecutive parameters with gradients whose values and gradients are each one contiguous range.
struct ParameterBlock: Equatable {
    /// Index of the first parameter of the run.
    var first: Int
    /// Number of parameters in the run.
    var parameterCount: Int
    /// Number of floats in the run.
    var count: Int
}

/// Groups parameters into runs that one kernel loop can update: parameter i+1 follows parameter i directly
/// in the same storage, and so does its gradient. Parameters without a gradient are left out.
func contiguousBlocks(_ parameters: [Tensor]) -> [ParameterBlock] {
    var blocks: [ParameterBlock] = []
    var previous: Tensor?
    for (i, p) in parameters.enumerated() {
        guard let g = p.grad else { previous = nil; continue }
        if let q = previous, let qg = q.grad, var last = blocks.last,
           follows(p, q), follows(g, qg) {
            last.parameterCount += 1
            last.count += p.count
            blocks[blocks.count - 1] = last
        } else {
            blocks.append(ParameterBlock(first: i, parameterCount: 1, count: p.count))
        }
        previous = p
    }
    return blocks
}

/// True when `b` starts right where `a` ends in the same storage.
private func follows(_ b: Tensor, _ a: Tensor) -> Bool {
    a.storage === b.storage && a.offset + a.count == b.offset
}

/// The shortest decimal that rounds to `x` (Swift's description), read as a Double: 0.999 for Float(0.999).
private func decimalValue(_ x: Float) -> Double { Double(x.description) ?? Double(x) }
