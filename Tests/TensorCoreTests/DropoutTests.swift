import XCTest
@testable import TensorCore

final class DropoutTests: XCTestCase {
    func testMaskScalesKeptValues() {
        var rng = RNG(seed: 31)
        let x = Tensor.uniform([2, 3, 40, 40], -1, 1, rng: &rng)
        let (y, mask) = dropout(x, p: 0.5, rng: &rng)
        XCTAssertEqual(mask.shape, x.shape)
        var kept = 0
        for i in 0..<x.count {
            XCTAssert(mask[i] == 0 || mask[i] == 1)
            XCTAssertEqual(y[i], x[i] * mask[i] * 2)
            kept += Int(mask[i])
        }
        // 9600 draws at p = 0.5: the kept fraction is within 3% of one half (≈ 6 standard deviations).
        XCTAssertEqual(Double(kept) / Double(x.count), 0.5, accuracy: 0.03)

        let (_, mask2) = dropout(x, p: 0.2, rng: &rng)
        let kept2 = mask2.toArray().reduce(0, +)
        XCTAssertEqual(Double(kept2) / Double(x.count), 0.8, accuracy: 0.03)
    }

    func testSeedReproducesMask() {
        var a = RNG(seed: 5), b = RNG(seed: 5)
        let x = Tensor(filled: 1, shape: [1, 1, 10, 10])
        let (ya, ma) = dropout(x, p: 0.3, rng: &a)
        let (yb, mb) = dropout(x, p: 0.3, rng: &b)
        XCTAssertEqual(ma.toArray(), mb.toArray())
        XCTAssertEqual(ya.toArray(), yb.toArray())
        XCTAssertEqual(a, b)
    }

    func testEdgeProbabilities() {
        var rng = RNG(seed: 6)
        let x = Tensor(shape: [4], values: [1, -2, 3, -4])
        let (y0, m0) = dropout(x, p: 0, rng: &rng)
        XCTAssertEqual(m0.toArray(), [1, 1, 1, 1])
        XCTAssertEqual(y0.toArray(), x.toArray())
        let (y1, m1) = dropout(x, p: 1, rng: &rng)
        XCTAssertEqual(m1.toArray(), [0, 0, 0, 0])
        XCTAssertEqual(y1.toArray(), [0, 0, 0, 0])
    }

    func testReplayedMaskAndBackward() {
        let x = Tensor(shape: [1, 1, 2, 2], values: [1, -2, 3, -4], requiresGrad: true)
        let mask = Tensor(shape: [1, 1, 2, 2], values: [1, 0, 0, 1])
        let y = dropout(x, mask: mask, p: 0.5)
        XCTAssertEqual(y.toArray(), [2, 0, 0, -8])
        y.backward(gradient: Tensor(shape: [1, 1, 2, 2], values: [1, 2, 3, 4]))
        XCTAssertEqual(x.grad!.toArray(), [2, 0, 0, 8])
        let z = dropout(Tensor(shape: [2], values: [1, 1]), mask: Tensor(shape: [2], values: [1, 1]), p: 0.75)
        XCTAssertEqual(z.toArray(), [4, 4])
    }

    func testGradients() {
        var rng = RNG(seed: 32)
        for shape: Shape in [[1, 2, 3, 3], [2, 3, 5, 1]] {
            let x = randomTensor(shape, &rng)
            let (_, mask) = dropout(x, p: 0.4, rng: &rng)
            checkGradients("dropout \(shape)", inputs: [x]) { dropout($0[0], mask: mask, p: 0.4) }
            checkGradients("dropout twice \(shape)", inputs: [x, x]) { dropout($0[0], mask: mask, p: 0.4) * $0[1] }
        }
    }
}
