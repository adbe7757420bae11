#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Scratch memory for im2col columns and Winograd tiles (DESIGN: "one shared im2col workspace sized for the
/// largest layer"). Nothing is kept in it between calls: backward passes rebuild their columns, so forward and
/// backward can share it.
///
/// Columns of 1 MB and more come from the `LargeBlocks` arena for the length of the call, so they share memory
/// with the step's activations instead of sitting beside them: a pix2pix 256 step's largest columns (40 MB with
/// the buffer's growth headroom) fit in space the step's activations leave free at that moment. Smaller requests
/// share one buffer that grows on demand and is never shrunk.
///
/// Training runs ops on one thread, but should two threads ever run convs at once, the second one gets a
/// temporary buffer instead of waiting or corrupting the first one's columns.
public final class ConvWorkspace: @unchecked Sendable {
    public static let shared = ConvWorkspace()

    private var buffer: UnsafeMutablePointer<Float>?
    /// Floats currently allocated for small requests.
    public private(set) var capacity = 0
    private var mutex = pthread_mutex_t()

    public init() { pthread_mutex_init(&mutex, nil) }

    deinit {
        free(buffer)
        pthread_mutex_destroy(&mutex)
    }

    /// Runs `body` with a buffer of at least `count` floats (contents undefined).
    public func withBuffer<R>(count: Int, _ body: (UnsafeMutablePointer<Float>) -> R) -> R {
        if count * MemoryLayout<Float>.stride >= LargeBlocks.threshold {
            let (block, size) = LargeBlocks.take(count * MemoryLayout<Float>.stride)
            defer { LargeBlocks.give(block, size: size) }
            return body(block.bindMemory(to: Float.self, capacity: count))
        }
        guard pthread_mutex_trylock(&mutex) == 0 else {
            let temporary = Self.allocate(count)
            defer { free(temporary) }
            return body(temporary)
        }
        defer { pthread_mutex_unlock(&mutex) }
        if count > capacity || buffer == nil {
            free(buffer)
            buffer = nil
            // Grow with headroom so a sequence of slightly larger layers does not reallocate each time.
            let newCapacity = max(count, capacity + capacity / 2, 1)
            buffer = Self.allocate(newCapacity)
            capacity = newCapacity
        }
        return body(buffer!)
    }

    /// Frees the buffer (e.g. after training, before a memory-hungry phase).
    public func release() {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        free(buffer)
        buffer = nil
        capacity = 0
    }

    private static func allocate(_ count: Int) -> UnsafeMutablePointer<Float> {
        var raw: UnsafeMutableRawPointer?
        let bytes = max(count, 1) * MemoryLayout<Float>.stride
        guard posix_memalign(&raw, 64, bytes) == 0, let raw else {
            fatalError("out of memory allocating a \(bytes)-byte conv workspace")
        }
        return raw.bindMemory(to: Float.self, capacity: max(count, 1))
    }
}
