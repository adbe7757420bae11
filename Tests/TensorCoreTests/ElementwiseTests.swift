import XCTest
@testable import TensorCore

final class ElementwiseTests: XCTestCase {
    func testValues() {
        let a = Tensor(shape: [2, 2], values: [1, 2, 3, 4])
        let b = Tensor(shape: [2, 2], values: [0.5, -1, 2, 0])
        XCTAssertEqual((a + b).toArray(), [1.5, 1, 5, 4])
        XCTAssertEqual((a - b).toArray(), [0.5, 3, 1, 4])
        XCTAssertEqual((a * b).toArray(), [0.5, -2, 6, 0])
        XCTAssertEqual((a * 2).toArray(), [2, 4, 6, 8])
        XCTAssertEqual((a + 1).toArray(), [2, 3, 4, 5])
    }

    func testGradients() {
        var rng = RNG(seed: 1)
        for shape: Shape in [[3], [1, 2, 3, 5], [2, 3, 7, 1]] {
            let a = Tensor.randn(shape, rng: &rng), b = Tensor.randn(shape, rng: &rng)
            checkGradients("add", inputs: [a, b]) { $0[0] + $0[1] }
            checkGradients("sub", inputs: [a, b]) { $0[0] - $0[1] }
            checkGradients("mul", inputs: [a, b]) { $0[0] * $0[1] }
            checkGradients("scale", inputs: [a]) { $0[0] * 1.5 + 0.25 }
            checkGradients("reshape", inputs: [a]) { $0[0].reshaped([shape.count]) * $0[0].reshaped([shape.count]) }
            // The same tensor used twice gets both contributions.
            checkGradients("mul same tensor", inputs: [a, a]) { $0[0] * $0[1] }
            checkGradients("add same tensor", inputs: [a]) { ($0[0] + $0[0]) * $0[0] }
        }
    }

    func testGradientAccumulatesAcrossUses() {
        let x = Tensor(shape: [2], values: [3, -2], requiresGrad: true)
        let y = x * x + x * 3            // dy/dx = 2x + 3
        y.backward()
        XCTAssertEqual(x.grad!.toArray(), [9, -1])
        // A second backward adds into the same gradient until it is zeroed.
        (x * 2).backward()
        XCTAssertEqual(x.grad!.toArray(), [11, 1])
        x.zeroGrad()
        XCTAssertEqual(x.grad!.toArray(), [0, 0])
    }

    func testNoGradAndDetach() {
        let x = Tensor(shape: [2], values: [1, 2], requiresGrad: true)
        let y = withNoGrad { x * 2 }
        XCTAssertFalse(y.requiresGrad)
        let z = x.detached() * 3
        XCTAssertFalse(z.requiresGrad)
        XCTAssertEqual(z.toArray(), [3, 6])
    }

    func testGraphIsReleased() {
        let before = Autograd.liveGraphNodes
        let buffersBefore = StorageStats.liveBuffers
        var rng = RNG(seed: 5)
        let w = Tensor.randn([64], rng: &rng, requiresGrad: true)
        for _ in 0..<50 {
            let x = Tensor.randn([64], rng: &rng)
            let y = (x * w + w) * w
            y.backward()
            w.zeroGrad()
        }
        XCTAssertEqual(Autograd.liveGraphNodes, before)
        // w, its gradient and the RNG-free temporaries: only w and w.grad stay alive.
        XCTAssertEqual(StorageStats.liveBuffers, buffersBefore + 2)
    }
}
