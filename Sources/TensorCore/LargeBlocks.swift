#if canImport(Glibc)
import Glibc
#endif

/// Where storages of 1 MB and more (activations, their gradients, parameters) get their memory: anonymous
/// mappings that a freed storage hands back here, for the next request of the same size in pages.
///
/// A training step frees and allocates the same sizes every step, so after the first step nearly every request
/// finds its block. Carved from glibc's heap instead, the blocks fragmented it: a CycleGAN 256 step held
/// ~0.45 GB of free but unusable holes (peak RSS 1.58 GB against 1.2 GB now). Blocks of sizes that stop
/// recurring (other image sizes, a finished phase) must not stay mapped for ever, so a cached block is
/// unmapped once `idleLimit` requests have gone by without taking it, and the cache never holds more than
/// `cacheLimit` bytes.
public enum LargeBlocks {
    /// Smallest request served here (smaller ones stay with malloc).
    public static let threshold = 1 << 20
    /// Most bytes kept cached; the oldest blocks go first beyond it.
    static let cacheLimit = 1 << 30
    /// Requests after which an untaken cached block is unmapped (a CycleGAN 256 step makes ~600).
    static let idleLimit = 4096

    private struct Cached {
        var size: Int
        var block: UnsafeMutableRawPointer
        /// `requests` when the block was handed back.
        var since: Int
    }

    /// Cached blocks, oldest first.
    nonisolated(unsafe) private static var cached: [Cached] = []
    nonisolated(unsafe) private static var cachedBytesTotal = 0
    nonisolated(unsafe) private static var requests = 0
    private static let lock = SpinLock()
    private static let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))

    /// Bytes currently cached (mapped but unused).
    public static var cachedBytes: Int { lock.locked { cachedBytesTotal } }

    private static func rounded(_ bytes: Int) -> Int { (bytes + pageSize - 1) / pageSize * pageSize }

    /// A block of at least `bytes` (page-aligned, contents undefined).
    static func take(_ bytes: Int) -> UnsafeMutableRawPointer {
        let size = rounded(bytes)
        var found: UnsafeMutableRawPointer?
        let stale: [Cached] = lock.locked {
            requests += 1
            // The most recently cached block of this size: it is the likeliest still to be in cache memory.
            if let i = cached.lastIndex(where: { $0.size == size }) {
                found = cached.remove(at: i).block
                cachedBytesTotal -= size
            }
            return removeOldest { $0.since + idleLimit < requests }
        }
        unmap(stale)
        return found ?? mapZeroPages(size)
    }

    /// A fresh anonymous mapping of `bytes`: page-aligned zero pages that cost no memory until written.
    static func mapZeroPages(_ bytes: Int) -> UnsafeMutableRawPointer {
        guard let raw = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
              raw != MAP_FAILED else {
            fatalError("out of memory mapping \(bytes) bytes")
        }
        return raw
    }

    /// Takes back a block from `take(bytes)`.
    static func give(_ block: UnsafeMutableRawPointer, _ bytes: Int) {
        let size = rounded(bytes)
        let evicted: [Cached] = lock.locked {
            cached.append(Cached(size: size, block: block, since: requests))
            cachedBytesTotal += size
            return removeOldest { _ in cachedBytesTotal > cacheLimit }
        }
        unmap(evicted)
    }

    /// Unmaps every cached block (after a phase whose sizes will not recur, like building a network).
    public static func releaseCached() {
        let all: [Cached] = lock.locked { removeOldest { _ in true } }
        unmap(all)
    }

    /// Removes cached blocks from the oldest on while `condition` holds for the oldest (call under the lock).
    private static func removeOldest(while condition: (Cached) -> Bool) -> [Cached] {
        var count = 0
        while count < cached.count, condition(cached[count]) {
            cachedBytesTotal -= cached[count].size
            count += 1
        }
        let removed = Array(cached.prefix(count))
        cached.removeFirst(count)
        return removed
    }

    private static func unmap(_ blocks: [Cached]) {
        for entry in blocks { munmap(entry.block, entry.size) }
    }
}
