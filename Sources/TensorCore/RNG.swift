import Foundation

/// Seeded, serialisable random generator (xoshiro256**, seeded through SplitMix64).
/// Passed explicitly (`inout`) to everything random, so a run is reproducible and its state can be saved.
public struct RNG: RandomNumberGenerator, Sendable, Codable, Equatable {
    public var state: [UInt64]

    public init(seed: UInt64) {
        var s = seed
        var st = [UInt64](repeating: 0, count: 4)
        for i in 0..<4 {
            s &+= 0x9E37_79B9_7F4A_7C15
            var z = s
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            st[i] = z ^ (z >> 31)
        }
        state = st
    }

    @inline(__always) private static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    public mutating func next() -> UInt64 {
        let result = RNG.rotl(state[1] &* 5, 7) &* 9
        let t = state[1] << 17
        state[2] ^= state[0]; state[3] ^= state[1]; state[1] ^= state[2]; state[0] ^= state[3]
        state[2] ^= t
        state[3] = RNG.rotl(state[3], 45)
        return result
    }

    /// Uniform in [0, 1) with 24 random bits.
    public mutating func uniform() -> Float { Float(next() >> 40) * (1.0 / 16_777_216.0) }
    /// Uniform in [lo, hi).
    public mutating func uniform(_ lo: Float, _ hi: Float) -> Float { lo + (hi - lo) * uniform() }
    /// Standard normal (Box–Muller, double precision inside).
    public mutating func normal() -> Float {
        let u1 = max(Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0), 1e-300)
        let u2 = Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
        return Float((-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2))
    }
    /// Fills `count` floats with N(mean, std²) draws: Box–Muller as in `normal()`, but each pair of uniforms gives
    /// two values (the cosine and the sine branch), so one log and one cosine serve two draws, and the state
    /// stays in registers instead of the array. Weight initialisation spent ~2.6 s of a unet_256 run's start in
    /// `normal()`. Element 2i is what `normal()` would have returned for the same pair; an odd last element
    /// uses the cosine branch only.
    public mutating func fillNormal(_ p: UnsafeMutablePointer<Float>, count: Int, mean: Float, std: Float) {
        var s0 = state[0], s1 = state[1], s2 = state[2], s3 = state[3]
        @inline(__always) func draw() -> UInt64 {
            let result = RNG.rotl(s1 &* 5, 7) &* 9
            let t = s1 << 17
            s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
            s2 ^= t
            s3 = RNG.rotl(s3, 45)
            return result
        }
        let scale = 1.0 / 9_007_199_254_740_992.0
        var i = 0
        while i < count {
            let u1 = max(Double(draw() >> 11) * scale, 1e-300)
            let u2 = Double(draw() >> 11) * scale
            let radius = (-2 * Foundation.log(u1)).squareRoot(), cosine = Foundation.cos(2 * Double.pi * u2)
            p[i] = mean + std * Float(radius * cosine)
            if i + 1 < count {
                // sin(2πu2) from the cosine: positive for u2 < 1/2. Near |cos| = 1 this loses ~1e-8 absolute,
                // far below a Float's resolution of the result.
                let sine = (max(0, 1 - cosine * cosine)).squareRoot()
                p[i + 1] = mean + std * Float(radius * (u2 < 0.5 ? sine : -sine))
            }
            i += 2
        }
        state = [s0, s1, s2, s3]
    }
    /// Integer in 0..<n.
    public mutating func int(below n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }
    /// True with probability p.
    public mutating func bernoulli(_ p: Float) -> Bool { uniform() < p }
}
