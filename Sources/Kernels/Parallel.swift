import Foundation

/// A raw pointer that may cross into `concurrentPerform` closures (Swift 6 requires Sendable captures).
/// The caller guarantees that concurrent chunks touch disjoint memory.
public struct SendablePointer<T>: @unchecked Sendable {
    public let pointer: UnsafeMutablePointer<T>
    @inlinable public init(_ pointer: UnsafeMutablePointer<T>) { self.pointer = pointer }
}

/// Number of worker threads our own loops use (OpenBLAS keeps its own pool for GEMM; the two never nest).
nonisolated(unsafe) public var kernelThreadCount: Int = max(1, ProcessInfo.processInfo.activeProcessorCount)

/// Splits `0..<count` into contiguous chunks and runs `body(start, end)` on each, in parallel when the
/// total work (`count * costPerItem` bytes or flops, roughly) is worth a thread hop (~1 MB, see DESIGN).
@inlinable
public func parallelFor(_ count: Int, costPerItem: Int = 1, _ body: (Int, Int) -> Void) {
    if count <= 0 { return }
    let threads = kernelThreadCount
    if threads <= 1 || count == 1 || count &* costPerItem < 262_144 {
        body(0, count)
        return
    }
    let chunks = min(threads, count)
    withoutActuallyEscaping(body) { body in
        let box = UnsafeBody(body)
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            let start = count &* chunk / chunks
            let end = count &* (chunk &+ 1) / chunks
            box.body(start, end)
        }
    }
}

/// Lets a non-Sendable closure run inside `concurrentPerform`; safe because the chunks are disjoint.
public struct UnsafeBody: @unchecked Sendable {
    public let body: (Int, Int) -> Void
    @inlinable public init(_ body: @escaping (Int, Int) -> Void) { self.body = body }
}

/// Visits `rows` x `columns` in `tile` x `tile` blocks, rows of blocks in parallel (`costPerRowOfBlocks` as for
/// `parallelFor`): `body(r0, r1, c0, c1)` per block. Blocked loops keep both a row-major read and a
/// column-major write (transposes, scatters into planes) within a few cache lines.
@inline(__always)
public func forEachBlock(rows: Int, columns: Int, tile: Int = 16, costPerRowOfBlocks: Int,
                         _ body: (_ r0: Int, _ r1: Int, _ c0: Int, _ c1: Int) -> Void) {
    let rowBlocks = (rows &+ tile &- 1) / tile
    parallelFor(rowBlocks, costPerItem: costPerRowOfBlocks) { start, end in
        for rb in start..<end {
            let r0 = rb &* tile, r1 = min(rows, r0 &+ tile)
            var c0 = 0
            while c0 < columns {
                let c1 = min(columns, c0 &+ tile)
                body(r0, r1, c0, c1)
                c0 = c1
            }
        }
    }
}

/// p[0..<count] = 0 on all cores when it is large: one core's memset does not reach the memory bandwidth
/// (zeroing a network's gradients is a 200+ MB pass every step for the U-Net 256).
public func zeroFill(_ p: UnsafeMutablePointer<Float>, count: Int) {
    let out = SendablePointer(p)
    parallelFor(count, costPerItem: 1) { start, end in (out.pointer + start).update(repeating: 0, count: end &- start) }
}
