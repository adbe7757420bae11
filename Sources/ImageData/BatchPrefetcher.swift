import Foundation

/// Loads the batches of one epoch on a background thread, `depth` batches ahead, while the caller
/// computes. `next()` hands them out in order; the time it spends blocked is measured, so a trainer
/// can log whether data loading keeps up (wait ≈ 0 when it does).
///
/// A decode error stops the thread and is thrown by `next()` when that batch is due. Dropping the
/// prefetcher (or `cancel()`) stops the thread after the batch it is working on.
public final class BatchPrefetcher: @unchecked Sendable {
    private let state: PrefetchState
    public let epoch: Int
    public let batchCount: Int
    private var delivered: Int

    /// Seconds `next()` spent waiting for the loader, in total and on the last call.
    public private(set) var totalWaitSeconds: Double = 0
    public private(set) var lastWaitSeconds: Double = 0

    init(loader: BatchLoader, epoch: Int, startBatch: Int, depth: Int) {
        self.epoch = epoch
        self.batchCount = loader.batchesPerEpoch
        self.delivered = max(0, min(startBatch, batchCount))
        let state = PrefetchState(capacity: max(1, depth))
        self.state = state
        let first = delivered, end = batchCount
        let thread = Thread {
            let order = loader.order(epoch: epoch)
            for index in first..<end {
                if state.isCancelled { return }
                let result = Result { try loader.batch(epoch: epoch, index: index, order: order) }
                guard state.put(result) else { return }
                if case .failure = result { return }
            }
        }
        thread.name = "translate.prefetch"
        thread.start()
    }

    deinit { state.cancel() }

    /// The next batch of the epoch, or nil when the epoch is over. Rethrows a loading error.
    public func next() throws -> Batch? {
        guard delivered < batchCount else { return nil }
        let start = DispatchTime.now().uptimeNanoseconds
        let result = state.take()
        lastWaitSeconds = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
        totalWaitSeconds += lastWaitSeconds
        delivered += 1
        switch result {
        case .success(let batch): return batch
        case .failure(let error):
            delivered = batchCount  // nothing follows an error
            throw error
        }
    }

    /// Stops the background thread (batches already loaded are dropped).
    public func cancel() {
        state.cancel()
        delivered = batchCount
    }
}

/// The bounded queue between the loading thread and `next()`. Kept apart from BatchPrefetcher so the
/// thread does not keep the prefetcher alive (its deinit is what cancels the thread).
private final class PrefetchState: @unchecked Sendable {
    private let condition = NSCondition()
    private var queue: [Result<Batch, Error>] = []
    private let capacity: Int
    private var cancelled = false

    init(capacity: Int) { self.capacity = capacity }

    var isCancelled: Bool {
        condition.lock(); defer { condition.unlock() }
        return cancelled
    }

    /// Blocks while the queue is full. False when cancelled.
    func put(_ result: Result<Batch, Error>) -> Bool {
        condition.lock(); defer { condition.unlock() }
        while queue.count >= capacity && !cancelled { condition.wait() }
        if cancelled { return false }
        queue.append(result)
        condition.broadcast()
        return true
    }

    /// Blocks until a result is available.
    func take() -> Result<Batch, Error> {
        condition.lock(); defer { condition.unlock() }
        while queue.isEmpty { condition.wait() }
        let result = queue.removeFirst()
        condition.broadcast()
        return result
    }

    func cancel() {
        condition.lock()
        cancelled = true
        queue.removeAll()
        condition.broadcast()
        condition.unlock()
    }
}
