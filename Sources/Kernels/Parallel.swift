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
