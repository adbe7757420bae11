import XCTest
import Kernels

/// The vectorised Adam loops (C at every vector level the CPU has, and Swift) against the scalar formula, bit for bit: a block long enough to be split over the
/// threads, with an odd length so the scalar tail runs too, for both of PyTorch's lerp branches.
final class AdamKernelTests: XCTestCase {
    func testVectorLoopIsBitIdenticalToScalarFormula() {
        let n = 300_007
        var state: UInt64 = 12345
        func next(_ scale: Float) -> Float {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return (Float(state >> 40) / Float(1 << 24) - 0.5) * scale
        }
        let grad = (0..<n).map { _ in next(2) }
        let m0 = (0..<n).map { _ in next(0.2) }, v0 = (0..<n).map { _ in abs(next(0.01)) }
        let p0 = (0..<n).map { _ in next(1) }
        forEachVectorLevel { level in  // the C variants (AVX-512, AVX2) and the portable loop
        for w1: Float in [0.1, 0.5] {  // beta1 0.9 and 0.5 (pix2pix): the two lerp formulas
            let beta2: Float = 0.999, w2: Float = 1 - beta2, eps: Float = 1e-8
            let stepSize: Float = 0.0002 / 0.75, bc2: Float = 0.0447
            var p = p0, m = m0, v = v0
            p.withUnsafeMutableBufferPointer { pp in m.withUnsafeMutableBufferPointer { mp in
                v.withUnsafeMutableBufferPointer { vp in
                    adamUpdate(pp.baseAddress!, grad, expAvg: mp.baseAddress!, expAvgSq: vp.baseAddress!, n, w1: w1,
                               beta2: beta2, w2: w2, eps: eps, stepSize: stepSize, biasCorrection2Sqrt: bc2)
                }
            } }
            var mismatches = 0
            for i in 0..<n {
                let g = grad[i]
                let mi = w1 < 0.5 ? m0[i] + w1 * (g - m0[i]) : g - (g - m0[i]) * (1 - w1)
                let vi = v0[i] * beta2 + w2 * g * g
                let pi = p0[i] + -stepSize * (mi / (vi.squareRoot() / bc2 + eps))
                if m[i].bitPattern != mi.bitPattern || v[i].bitPattern != vi.bitPattern
                    || p[i].bitPattern != pi.bitPattern { mismatches += 1 }
            }
            XCTAssertEqual(mismatches, 0, "w1 \(w1), vector level \(level)")
            XCTAssertNotEqual(p, p0)
        }
        }
    }
}
