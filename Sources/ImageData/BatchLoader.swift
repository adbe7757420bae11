/// A batch of preprocessed samples as tensors in [-1, 1].
public struct Batch: Sendable {
    /// Input side, [N, C_in, H, W].
    public let a: Tensor
    /// Target side, [N, C_out, H, W]; nil for single-folder datasets.
    public let b: Tensor?
    public let aPaths: [String]
    public let bPaths: [String]
    /// Dataset indices of the samples, in batch order.
    public let indices: [Int]
    /// Which batch of the epoch this is.
    public let index: Int

    public var count: Int { indices.count }
}

/// Cuts a dataset into batches, epoch by epoch: a fresh order per epoch (shuffled from the seed and
/// the epoch number, or dataset order), and per-sample random numbers derived from (seed, epoch,
/// position), so a batch is the same whether it is loaded here, in a prefetcher or after a resume.
public struct BatchLoader: Sendable {
    public let dataset: any ImageDataset
    public let batchSize: Int
    public let shuffle: Bool
    public let seed: UInt64
    /// Drop a last, smaller batch (the reference keeps it).
    public let dropLast: Bool

    public init(dataset: any ImageDataset, batchSize: Int = 1, shuffle: Bool = true, seed: UInt64 = 0,
                dropLast: Bool = false) {
        precondition(batchSize > 0, "batch size must be positive")
        self.dataset = dataset
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.seed = seed
        self.dropLast = dropLast
    }

    public var batchesPerEpoch: Int {
        dropLast ? dataset.count / batchSize : (dataset.count + batchSize - 1) / batchSize
    }

    /// The dataset indices of an epoch in visiting order.
    public func order(epoch: Int) -> [Int] {
        var order = Array(0..<dataset.count)
        if shuffle {
            var rng = RNG(seed: mixSeed(seed, UInt64(bitPattern: Int64(epoch)), 0x5348_5546_464C_45))  // "SHUFFLE"
            for i in stride(from: order.count - 1, to: 0, by: -1) {
                order.swapAt(i, rng.int(below: i + 1))
            }
        }
        return order
    }

    /// Batch `index` of `epoch`, loaded on the calling thread.
    public func batch(epoch: Int, index: Int) throws -> Batch {
        try batch(epoch: epoch, index: index, order: order(epoch: epoch))
    }

    func batch(epoch: Int, index: Int, order: [Int]) throws -> Batch {
        precondition(index >= 0 && index < batchesPerEpoch, "batch \(index) of \(batchesPerEpoch)")
        let positions = (index * batchSize)..<min((index + 1) * batchSize, order.count)
        var samples: [Sample] = []
        samples.reserveCapacity(positions.count)
        for position in positions {
            var rng = RNG(seed: mixSeed(seed, UInt64(bitPattern: Int64(epoch)), UInt64(position)))
            samples.append(try dataset.sample(at: order[position], rng: &rng))
        }
        let aPaths = samples.map(\.aPath)
        let a = try stackImages(samples.map(\.a), paths: aPaths)
        var b: Tensor?
        var bPaths: [String] = []
        let targets = samples.compactMap(\.b)
        if targets.count == samples.count {
            bPaths = samples.map { $0.bPath ?? $0.aPath }
            b = try stackImages(targets, paths: bPaths)
        }
        return Batch(a: a, b: b, aPaths: aPaths, bPaths: bPaths, indices: positions.map { order[$0] }, index: index)
    }

    /// Starts a background thread that loads the batches of `epoch` (from `startBatch`) ahead of use.
    public func prefetcher(epoch: Int, startBatch: Int = 0, depth: Int = 2) -> BatchPrefetcher {
        BatchPrefetcher(loader: self, epoch: epoch, startBatch: startBatch, depth: depth)
    }
}

/// SplitMix64-style mixing of three numbers into one seed.
func mixSeed(_ a: UInt64, _ b: UInt64, _ c: UInt64) -> UInt64 {
    func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    return mix(mix(mix(a) ^ b) ^ c)
}
