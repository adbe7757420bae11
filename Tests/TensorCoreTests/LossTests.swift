import XCTest
@testable import TensorCore

final class LossTests: XCTestCase {
    let x: [Float] = [0.5, -1, 2, 0]
    let y: [Float] = [1, -1.5, 0, 0.25]

    func testReductions() {
        let t = Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, -6], requiresGrad: true)
        XCTAssertEqual(t.sum().shape, [1])
        XCTAssertEqual(t.sum().item, 9)
        XCTAssertEqual(t.mean().item, 1.5)
        (t.sum() * 2 + t.mean() * 6).backward()
        XCTAssertEqual(t.grad!.toArray(), [3, 3, 3, 3, 3, 3])
        // Large sums accumulate in Double: 1e6 ones plus one 0.5 are counted exactly.
        let big = Tensor(filled: 1, shape: [1_000_001])
        big[0] = 0.5
        XCTAssertEqual(big.sum().item, 1_000_000.5)
    }

    func testL1AndMSEValues() {
        let a = Tensor(shape: [4], values: x), b = Tensor(shape: [4], values: y)
        XCTAssertEqual(l1Loss(a, b).item, 0.8125)
        XCTAssertEqual(mseLoss(a, b).item, 1.140625)
        XCTAssertEqual(mseLoss(a, target: 0.75).item, 1.3125)
        XCTAssertEqual(l1Loss(a, b).shape, [1])
    }

    func testL1AndMSEBackwardValues() {
        let a = Tensor(shape: [4], values: x, requiresGrad: true), b = Tensor(shape: [4], values: y, requiresGrad: true)
        l1Loss(a, b).backward()
        XCTAssertEqual(a.grad!.toArray(), [-0.25, 0.25, 0.25, -0.25])
        XCTAssertEqual(b.grad!.toArray(), [0.25, -0.25, -0.25, 0.25])
        a.grad = nil; b.grad = nil
        mseLoss(a, b).backward()   // 2 (x - y) / 4
        XCTAssertEqual(a.grad!.toArray(), [-0.25, 0.25, 1, -0.125])
        XCTAssertEqual(b.grad!.toArray(), [0.25, -0.25, -1, 0.125])
        a.grad = nil
        mseLoss(a, target: 1).backward()
        XCTAssertEqual(a.grad!.toArray(), [-0.25, -1, 0.5, -0.5])
    }

    func testBCEValues() {
        let a = Tensor(shape: [4], values: x, requiresGrad: true)
        let b = Tensor(shape: [4], values: [1, 0, 0.3, 1], requiresGrad: true)
        // numpy: mean(max(x,0) - x*y + log1p(exp(-|x|)))
        XCTAssertEqual(Double(bceWithLogitsLoss(a, b).item), 0.7518534658253118, accuracy: 1e-6)
        XCTAssertEqual(Double(bceWithLogitsLoss(a, target: 1).item), 0.6518534658253118, accuracy: 1e-6)
        XCTAssertEqual(Double(bceWithLogitsLoss(a, target: 0).item), 1.026853465825312, accuracy: 1e-6)
        bceWithLogitsLoss(a, b).backward()
        assertValues(a.grad!, [-0.09438516719953635, 0.06723535534249878, 0.1451992694944706, -0.125], "d/dlogits")
        assertValues(b.grad!, [-0.125, 0.25, -0.5, 0], "d/dtarget")
    }

    func testBCEIsStableForLargeLogits() {
        let a = Tensor(shape: [4], values: [100, -100, 100, -100], requiresGrad: true)
        let b = Tensor(shape: [4], values: [1, 1, 0, 0])
        let loss = bceWithLogitsLoss(a, b)
        XCTAssert(loss.item.isFinite)
        XCTAssertEqual(loss.item, 50, accuracy: 1e-5)   // (0 + 100 + 100 + 0) / 4
        loss.backward()
        assertValues(a.grad!, [0, -0.25, 0.25, 0], "gradient at |x| = 100")
        XCTAssertEqual(bceWithLogitsLoss(Tensor(shape: [2], values: [100, 100]), target: 1).item, 0, accuracy: 1e-6)
        XCTAssertEqual(bceWithLogitsLoss(Tensor(shape: [2], values: [-100, -100]), target: 1).item, 100, accuracy: 1e-4)
    }

    func testGradients() {
        var rng = RNG(seed: 51)
        for shape: Shape in [[5], [1, 1, 3, 3], [2, 3, 4, 5]] {
            let a = randomTensor(shape, &rng), b = randomTensor(shape, &rng)
            let probabilities = Tensor.uniform(shape, 0, 1, rng: &rng)
            checkGradients("sum \(shape)", inputs: [a]) { $0[0].sum() }
            checkGradients("mean \(shape)", inputs: [a]) { $0[0].mean() }
            checkGradients("l1 \(shape)", inputs: [a, b]) { l1Loss($0[0], $0[1]) }
            checkGradients("mse \(shape)", inputs: [a, b]) { mseLoss($0[0], $0[1]) }
            checkGradients("mse const \(shape)", inputs: [a]) { mseLoss($0[0], target: 0.5) }
            checkGradients("bce \(shape)", inputs: [a, probabilities]) { bceWithLogitsLoss($0[0] * 3, $0[1]) }
            checkGradients("bce const 1 \(shape)", inputs: [a]) { bceWithLogitsLoss($0[0] * 3, target: 1) }
            checkGradients("bce const 0 \(shape)", inputs: [a]) { bceWithLogitsLoss($0[0] * 3, target: 0) }
            // The same tensor on both sides.
            checkGradients("mse(x, 2x) \(shape)", inputs: [a, a]) { mseLoss($0[0], $0[1] * 2) }
            checkGradients("l1(x*x, x) \(shape)", inputs: [a]) { l1Loss($0[0] * $0[0], $0[0]) }
            checkGradients("bce(x, sigmoid x) \(shape)", inputs: [a]) { bceWithLogitsLoss($0[0], $0[0].sigmoid()) }
        }
    }
}
