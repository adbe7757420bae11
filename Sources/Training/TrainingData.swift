import TensorCore

/// One batch of training pairs: A and B images as [N, C, H, W] in [-1, 1] (for unpaired data B is drawn
/// independently of A), with the files they came from.
public struct TrainingBatch {
    public var a: Tensor
    public var b: Tensor
    public var pathsA: [String]
    public var pathsB: [String]
    public init(a: Tensor, b: Tensor, pathsA: [String], pathsB: [String]) {
        self.a = a; self.b = b; self.pathsA = pathsA; self.pathsB = pathsB
    }
}

/// Where a training session gets its batches. An epoch's batches must be a pure function of the epoch
/// (order, crops and flips seeded by it), so that a resumed run sees exactly the batches it would have seen.
public protocol TrainingDataSource: AnyObject {
    /// Batches per epoch.
    var batchesPerEpoch: Int { get }
    /// Starts delivering the batches of `epoch` from batch index `start` on.
    func startEpoch(_ epoch: Int, from start: Int) throws
    /// The next batch of the current epoch, and the seconds the caller waited for it.
    func next() throws -> (batch: TrainingBatch, waitSeconds: Double)
}
