import XCTest
@testable import Training

final class GradientPenaltyTests: XCTestCase {
    /// The penalty's parameter gradient (central difference along the needed direction) matches a plain
    /// finite difference of the penalty value itself.
    func testParameterGradientMatchesFiniteDifferenceOfPenalty() throws {
        var rng = RNG(seed: 21)
        let d = try makeNetwork(.discriminator("n_layers", inputNc: 3, ndf: 4, norm: .none, nLayers: 1),
                                initialization: .normal, gain: 0.3, rng: &rng)
        let real = Tensor.uniform([2, 3, 10, 10], -1, 1, rng: &rng)
        let fake = Tensor.uniform([2, 3, 10, 10], -1, 1, rng: &rng)

        func penalty() -> Double {
            var r = RNG(seed: 5)
            let value = gradientPenalty(d, real: real, fake: fake, lambda: 10, rng: &r)
            return Double(value)
        }
        d.zeroGrad()
        var r = RNG(seed: 5)
        let gp = gradientPenalty(d, real: real, fake: fake, lambda: 10, rng: &r)
        XCTAssertGreaterThan(gp, 0)
        let analytic = (0..<d.flat.count).map { d.flat.gradients.pointer[$0] }

        var checked = 0
        var pick = RNG(seed: 77)
        for _ in 0..<12 {
            let i = pick.int(below: d.flat.count)
            let p = d.flat.values.pointer
            let saved = p[i], h: Float = 1e-3
            p[i] = saved + h; d.zeroGrad(); let plus = penalty()
            p[i] = saved - h; d.zeroGrad(); let minus = penalty()
            p[i] = saved
            let numeric = (plus - minus) / Double(2 * h)
            let err = abs(Double(analytic[i]) - numeric) / max(1, abs(numeric))
            XCTAssertLessThan(err, 3e-2, "parameter \(i): analytic \(analytic[i]) numeric \(numeric)")
            checked += 1
        }
        XCTAssertEqual(checked, 12)
    }
}
