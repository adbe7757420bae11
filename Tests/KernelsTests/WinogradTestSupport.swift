import Kernels

/// Values in [-1, 1] from a fixed LCG (the same for a seed on every machine).
func randomValues(_ count: Int, seed: UInt64) -> [Float] {
    var state = seed &* 0x9E37_79B9_7F4A_7C15 &+ 1
    return (0..<count).map { _ in
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Float(Int64(bitPattern: state >> 11) % 2_000_001 - 1_000_000) / 1_000_000
    }
}

/// max |a - b| / max |b|: the error relative to the result's scale (what matters for a conv feeding a norm).
func relativeError(_ a: [Float], _ b: [Double]) -> Double {
    let scale = b.map(abs).max() ?? 0
    let worst = zip(a, b).map { abs(Double($0) - $1) }.max() ?? 0
    return scale == 0 ? worst : worst / scale
}

/// Runs `body` under each variant of the C vector kernels this CPU runs (AVX-512, AVX2) and under Kernels'
/// portable Swift loops (level 0), then restores the default.
func forEachVectorLevel(_ body: (Int) -> Void) {
    let saved = vectorKernelLevel
    defer { vectorKernelLevel = saved }
    for level in (0...saved).reversed() {
        vectorKernelLevel = level
        body(level)
    }
}
