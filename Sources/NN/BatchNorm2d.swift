/// BatchNorm2d with affine parameters and running statistics (PyTorch defaults: eps 1e-5, momentum 0.1).
/// Training: normalise with the batch mean and biased variance, update the running buffers (unbiased
/// variance) and count the batch. Evaluation: normalise with the running buffers.
public final class BatchNorm2d: Module {
    public let channels: Int
    public let eps: Float
    public let momentum: Float
    public let runningMean: Tensor
    public let runningVar: Tensor
    /// PyTorch's `num_batches_tracked` (saved as a 0-d int64).
    public let batchesTracked: Counter

    public init(_ channels: Int, eps: Float = 1e-5, momentum: Float = 0.1) {
        self.channels = channels
        self.eps = eps
        self.momentum = momentum
        runningMean = Tensor(zeros: [channels])
        runningVar = Tensor(filled: 1, shape: [channels])
        batchesTracked = Counter(0)
        super.init()
        addParameter("weight", Tensor(filled: 1, shape: [channels]))
        addParameter("bias", Tensor(zeros: [channels]))
        addBuffer("running_mean", .float(runningMean))
        addBuffer("running_var", .float(runningVar))
        addBuffer("num_batches_tracked", .counter(batchesTracked))
    }

    public var weight: Tensor { parameter(0) }
    public var bias: Tensor { parameter(1) }

    public override func forward(_ x: Tensor) -> Tensor {
        if isTraining { batchesTracked.value += 1 }
        return batchNorm2d(x, weight: weight, bias: bias, runningMean: runningMean, runningVar: runningVar,
                           training: isTraining, momentum: momentum, eps: eps)
    }

    public override var extraDescription: String {
        "\(channels), eps=\(eps), momentum=\(momentum), affine=True, bias=True, track_running_stats=True"
    }
}
