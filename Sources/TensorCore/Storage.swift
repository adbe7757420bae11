#if canImport(Glibc)
import Glibc
#endif
import Kernels

/// Live storage counters, so tests can prove that training steps do not leak.
public enum StorageStats {
    nonisolated(unsafe) public static var liveBuffers = 0
    nonisolated(unsafe) public static var liveBytes = 0
    /// Highest `liveBytes` since the last `resetPeak()` (what a training step's tensors need at most).
    nonisolated(unsafe) public static var peakBytes = 0
    private static let lock = SpinLock()
    public static func resetPeak() { lock.locked { peakBytes = liveBytes } }
    static func add(_ bytes: Int) {
        lock.locked { liveBuffers += 1; liveBytes += bytes; peakBytes = max(peakBytes, liveBytes) }
    }
    static func remove(_ bytes: Int) { lock.locked { liveBuffers -= 1; liveBytes -= bytes } }
}

/// A 64-byte aligned Float buffer, freed when the last tensor using it goes away.
public final class Storage: @unchecked Sendable {
    public let pointer: UnsafeMutablePointer<Float>
    public let count: Int
    /// Set once a backward step keeps these values (`Tensor.savedView()`): they stay alive with the graph anyway,
    /// so a later op that can read either its input or its output backward keeps this one for free.
    public var isSavedForBackward = false

    /// Zero-filled storage of `count` floats.
    public convenience init(count: Int) {
        self.init(uninitializedCount: count)
        zeroFill()
    }

    /// Sets every float to 0 (on all cores when the buffer is large).
    public func zeroFill() { Kernels.zeroFill(pointer, count: max(count, 1)) }

    /// Storage of `count` floats with arbitrary contents, for op outputs that the kernel overwrites entirely
    /// (saves a memset pass over every activation).
    public init(uninitializedCount count: Int) {
        precondition(count >= 0, "negative storage size")
        _ = mallocTuning
        self.count = count
        let bytes = max(count, 1) * MemoryLayout<Float>.stride
        if bytes >= LargeBlocks.threshold {
            let (block, size) = LargeBlocks.take(bytes)
            pointer = block.bindMemory(to: Float.self, capacity: count)
            kind = .large(blockBytes: size)
        } else {
            var raw: UnsafeMutableRawPointer?
            guard posix_memalign(&raw, 64, bytes) == 0, let raw else {
                fatalError("out of memory allocating \(bytes) bytes")
            }
            pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
        }
        StorageStats.add(bytes)
    }

    /// Where `pointer` comes from, so deinit gives it back the same way.
    private enum Kind { case malloc, large(blockBytes: Int), mapped }
    private var kind = Kind.malloc

    /// Zero-filled storage whose pages cost no memory until first written: an anonymous mapping (zero pages on
    /// demand) instead of a malloc block filled with zeros. For blocks that may never be used, like the flat
    /// gradient block of a network whose optimizer updates during backward.
    public init(untouchedZerosCount count: Int) {
        precondition(count >= 0, "negative storage size")
        self.count = count
        let bytes = max(count, 1) * MemoryLayout<Float>.stride
        pointer = BlockArena.mapZeroPages(bytes).bindMemory(to: Float.self, capacity: max(count, 1))
        kind = .mapped
        StorageStats.add(bytes)
    }

    deinit {
        let bytes = max(count, 1) * MemoryLayout<Float>.stride
        switch kind {
        case .malloc: free(pointer)
        case .large(let size): LargeBlocks.give(UnsafeMutableRawPointer(pointer), size: size)
        case .mapped: munmap(pointer, bytes)
        }
        StorageStats.remove(bytes)
    }
}

/// Activations of a step are freed and allocated again in the same sizes every step. glibc serves blocks above
/// its mmap threshold (128 KB until it adapts) with fresh mmaps, so every step paid page faults, kernel page
/// zeroing and munmap for hundreds of MB. Keeping blocks up to 32 MB (glibc's maximum) on the heap and not
/// trimming it lets freed activations be reused by the next step. (Storages of 1 MB and more now come from
/// `LargeBlocks`; this still serves the smaller ones and the small conv workspace.)
private let mallocTuning: Void = {
    #if os(Linux)
    let mTrimThreshold: Int32 = -1, mMmapThreshold: Int32 = -3  // <malloc.h>, not in the Glibc module
    _ = glibcMallopt(mMmapThreshold, 32 << 20)
    _ = glibcMallopt(mTrimThreshold, 1 << 30)
    #endif
}()

#if os(Linux)
@_silgen_name("mallopt")
private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
#endif

/// Tiny mutex for counters (pthread mutex; Swift 6 friendly).
final class SpinLock: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    init() { pthread_mutex_init(&mutex, nil) }
    deinit { pthread_mutex_destroy(&mutex) }
    func locked<T>(_ body: () -> T) -> T {
        pthread_mutex_lock(&mutex); defer { pthread_mutex_unlock(&mutex) }
        return body()
    }
}
