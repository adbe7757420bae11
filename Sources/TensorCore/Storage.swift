#if canImport(Glibc)
import Glibc
#endif

/// Live storage counters, so tests can prove that training steps do not leak.
public enum StorageStats {
    nonisolated(unsafe) public static var liveBuffers = 0
    nonisolated(unsafe) public static var liveBytes = 0
    private static let lock = SpinLock()
    static func add(_ bytes: Int) { lock.locked { liveBuffers += 1; liveBytes += bytes } }
    static func remove(_ bytes: Int) { lock.locked { liveBuffers -= 1; liveBytes -= bytes } }
}

/// A 64-byte aligned Float buffer, freed when the last tensor using it goes away.
public final class Storage: @unchecked Sendable {
    public let pointer: UnsafeMutablePointer<Float>
    public let count: Int

    /// Zero-filled storage of `count` floats.
    public init(count: Int) {
        precondition(count >= 0, "negative storage size")
        self.count = count
        let bytes = max(count, 1) * MemoryLayout<Float>.stride
        var raw: UnsafeMutableRawPointer?
        guard posix_memalign(&raw, 64, bytes) == 0, let raw else {
            fatalError("out of memory allocating \(bytes) bytes")
        }
        memset(raw, 0, bytes)
        pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
        StorageStats.add(bytes)
    }

    deinit {
        free(pointer)
        StorageStats.remove(max(count, 1) * MemoryLayout<Float>.stride)
    }
}

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
