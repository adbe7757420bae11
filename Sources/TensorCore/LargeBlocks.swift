/// Where storages of 1 MB and more (activations, their gradients, parameters) and large conv columns get their
/// memory: one `BlockArena` for the process.
///
/// A training step frees and allocates the same blocks every step; from malloc they fragmented glibc's heap
/// (a CycleGAN 256 step held ~0.45 GB of free but unusable holes), and kept per exact size they held each size's
/// own high-water mark. The arena serves any request from any free space that fits, so after the first step the
/// step runs in the memory it needs at once, with no system calls.
public enum LargeBlocks {
    /// Smallest request served here (smaller ones stay with malloc).
    public static let threshold = 1 << 20
    /// Address space only: pages cost memory once written. 1 TiB leaves room for any model this machine holds.
    static let shared = BlockArena(reservation: 1 << 40)

    /// A page-aligned block of at least `bytes` (contents undefined) and its size, for `give`.
    static func take(_ bytes: Int) -> (block: UnsafeMutableRawPointer, size: Int) { shared.take(bytes) }

    /// Takes back a block from `take`.
    static func give(_ block: UnsafeMutableRawPointer, size: Int) { shared.give(block, size: size) }

    /// Free bytes that may still be resident.
    public static var cachedBytes: Int { shared.cachedBytes }

    /// Hands every free page back to the system (after a phase whose sizes will not recur, like building a
    /// network).
    public static func releaseCached() { shared.releaseFree() }
}
