import XCTest
import Foundation
@testable import TensorCore

final class ActivationTests: XCTestCase {
    let input: [Float] = [-2, -0.5, 0, 0.5, 3]

    func testValues() {
        let x = Tensor(shape: [5], values: input)
        XCTAssertEqual(x.relu().toArray(), [0, 0, 0, 0.5, 3])
        XCTAssertEqual(x.leakyRelu(0.2).toArray(), [-0.4, -0.1, 0, 0.5, 3])
        assertValues(x.tanh(), [-0.9640275800758169, -0.46211715726000974, 0, 0.46211715726000974, 0.9950547536867305])
        assertValues(x.sigmoid(), [0.11920292202211755, 0.3775406687981454, 0.5, 0.6224593312018546, 0.9525741268224334])
        // Saturation without overflow.
        let big = Tensor(shape: [4], values: [-100, 100, -1000, 1000])
        assertValues(big.sigmoid(), [0, 1, 0, 1], accuracy: 1e-30, "sigmoid saturates")
        XCTAssert(big.sigmoid().toArray().allSatisfy { $0.isFinite })
        XCTAssertEqual(big.tanh().toArray(), [-1, 1, -1, 1])
    }

    func testBackwardValues() {
        let g = Tensor(shape: [5], values: [1, 2, 3, 4, 5])
        func grad(_ f: (Tensor) -> Tensor) -> [Float] {
            let x = Tensor(shape: [5], values: input, requiresGrad: true)
            f(x).backward(gradient: g)
            return x.grad!.toArray()
        }
        XCTAssertEqual(grad { $0.relu() }, [0, 0, 0, 4, 5])
        XCTAssertEqual(grad { $0.leakyRelu(0.2) }, [0.2, 0.4, 0.6, 4, 5])
        // tanh' = 1 - tanh², sigmoid' = s (1 - s).
        let t = input.map { Double(Foundation.tanh($0)) }, s = input.map { 1 / (1 + Foundation.exp(-Double($0))) }
        let tanhGrad = grad { $0.tanh() }, sigmoidGrad = grad { $0.sigmoid() }
        for i in 0..<5 {
            XCTAssertEqual(Double(tanhGrad[i]), Double(i + 1) * (1 - t[i] * t[i]), accuracy: 1e-6)
            XCTAssertEqual(Double(sigmoidGrad[i]), Double(i + 1) * s[i] * (1 - s[i]), accuracy: 1e-6)
        }
    }

    func testGradients() {
        var rng = RNG(seed: 21)
        for shape: Shape in [[7], [1, 3, 5, 5], [2, 2, 3, 1]] {
            let x = Tensor.uniform(shape, -3, 3, rng: &rng)
            checkGradients("relu \(shape)", inputs: [x]) { $0[0].relu() }
            checkGradients("leakyRelu \(shape)", inputs: [x]) { $0[0].leakyRelu(0.2) }
            checkGradients("tanh \(shape)", inputs: [x]) { $0[0].tanh() }
            checkGradients("sigmoid \(shape)", inputs: [x]) { $0[0].sigmoid() }
            // The same tensor in both branches.
            checkGradients("relu * x \(shape)", inputs: [x, x]) { $0[0].relu() * $0[1] }
            checkGradients("tanh(x) * sigmoid(x) \(shape)", inputs: [x]) { $0[0].tanh() * $0[0].sigmoid() }
            checkGradients("leaky(tanh) \(shape)", inputs: [x]) { $0[0].tanh().leakyRelu(0.1) }
        }
    }

    func testLargeTensorsMatchSmallOnes() {
        // Big enough for parallelFor to split the work; results must equal the per-element definition.
        var rng = RNG(seed: 22)
        let x = Tensor.uniform([1, 4, 128, 128], -4, 4, rng: &rng)
        let y = x.leakyRelu(0.2), s = x.sigmoid()
        for i in stride(from: 0, to: x.count, by: 997) {
            XCTAssertEqual(y[i], x[i] > 0 ? x[i] : 0.2 * x[i])
            XCTAssertEqual(Double(s[i]), 1 / (1 + Foundation.exp(-Double(x[i]))), accuracy: 1e-6)
        }
    }
}
