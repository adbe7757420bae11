// Reductions over flat buffers. Sums accumulate in Double over fixed-size blocks whose partial sums are added
// in block order, so the result does not depend on the number of threads.

@usableFromInline let reductionBlock = 16_384

/// Σ partial(start, end) over fixed blocks of 0..<n, blocks in parallel when large.
@inlinable
public func blockedSum(_ n: Int, costPerItem: Int = 1, _ partial: (Int, Int) -> Double) -> Double {
    if n <= reductionBlock { return partial(0, n) }
    let blocks = (n &+ reductionBlock &- 1) / reductionBlock
    return withUnsafeTemporaryAllocation(of: Double.self, capacity: blocks) { buffer in
        let sums = buffer.baseAddress!
        parallelFor(blocks, costPerItem: reductionBlock &* costPerItem) { s, e in
            for b in s..<e { sums[b] = partial(b &* reductionBlock, min(n, (b &+ 1) &* reductionBlock)) }
        }
        var total = 0.0
        for b in 0..<blocks { total += sums[b] }
        return total
    }
}

/// Σ x
public func sumAll(_ x: UnsafePointer<Float>, _ n: Int) -> Double {
    blockedSum(n) { s, e in
        var acc = 0.0
        for i in s..<e { acc += Double(x[i]) }
        return acc
    }
}

/// dst += v for every element (the gradient of a sum or mean).
public func addScalar(_ v: Float, into dst: UnsafeMutablePointer<Float>, _ n: Int) {
    parallelFor(n, costPerItem: 2) { s, e in for i in s..<e { dst[i] += v } }
}
