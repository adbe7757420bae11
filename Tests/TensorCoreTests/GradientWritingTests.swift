import XCTest
@testable import TensorCore

/// Backward steps that write every element of an input's gradient (activations, dropout, the normalisations)
/// store into a fresh, unzeroed buffer when they are its first writer and add to it otherwise.
final class GradientWritingTests: XCTestCase {
    func testFirstWriterOverwritesLaterWritersAdd() {
        let node = Tensor(zeros: [2, 3], requiresGrad: true).node
        let first = node.gradDataForWriting()
        XCTAssertTrue(first.overwrite)
        let second = node.gradDataForWriting()
        XCTAssertFalse(second.overwrite, "a gradient something has written to must be added to")
        XCTAssertEqual(first.data, second.data)
        XCTAssertEqual(node.gradData(), first.data)
    }

    /// Each such op next to a plain accumulating one (a product) on the same input, in both orders of their
    /// backward steps: the sum of both contributions, checked by central differences.
    func testOverwritingOpsShareAnInputWithAccumulatingOnes() {
        var rng = RNG(seed: 5)
        let ops: [(String, (Tensor) -> Tensor)] = [
            ("relu", { $0.relu() }), ("leakyRelu", { $0.leakyRelu(0.2) }), ("tanh", { $0.tanh() }),
            ("sigmoid", { $0.sigmoid() }), ("instanceNorm", { instanceNorm2d($0) }),
            ("batchNorm", { batchNorm2d($0, weight: nil, bias: nil, runningMean: nil, runningVar: nil, training: true) }),
        ]
        for (name, op) in ops {
            for shape: Shape in [[1, 2, 3, 5], [2, 3, 4, 4]] {
                let x = Tensor.uniform(shape, -1, 1, rng: &rng)
                // Away from ReLU's kink, which central differences of step 1e-2 would straddle.
                for i in 0..<x.count { x.data[i] += x.data[i] < 0 ? -0.05 : 0.05 }
                checkGradients("\(name)(x) + x·x \(shape)", inputs: [x, x]) { op($0[0]) + $0[0] * $0[1] }
                checkGradients("x·x + \(name)(x) \(shape)", inputs: [x, x]) { $0[0] * $0[1] + op($0[0]) }
                checkGradients("\(name)(x) twice \(shape)", inputs: [x]) { op($0[0]) * op($0[0]) }
            }
        }
        let x = Tensor.uniform([2, 3, 4, 4], -1, 1, rng: &rng)
        let mask = Tensor.uniform([2, 3, 4, 4], 0, 1, rng: &rng)
        for i in 0..<mask.count { mask.data[i] = mask.data[i] < 0.5 ? 0 : 1 }
        checkGradients("dropout(x) + x·x", inputs: [x, x]) { dropout($0[0], mask: mask, p: 0.5) + $0[0] * $0[1] }
        checkGradients("x·x + dropout(x)", inputs: [x, x]) { $0[0] * $0[1] + dropout($0[0], mask: mask, p: 0.5) }
    }

    /// The first writer's buffer may be memory a freed tensor left dirty (big tensors come from a reused
    /// arena): every element must be written. dL/dx of relu(x) + tanh(x) with dL/dout = 1, exactly.
    func testFreshGradientsIgnoreWhatTheirMemoryHeld() {
        let shape: Shape = [1, 8, 256, 128]  // 1 MB: arena-backed
        for _ in 0..<3 {
            let dirty = Tensor(uninitialized: shape)
            dirty.data.update(repeating: .nan, count: dirty.count)
        }
        var rng = RNG(seed: 8)
        let x = Tensor.uniform(shape, -1, 1, rng: &rng)
        x.requiresGrad = true
        let out = x.relu() + x.tanh()
        out.backward(gradient: Tensor(filled: 1, shape: shape))
        let grad = x.grad!
        for i in 0..<x.count {
            let v = x.data[i], t = Foundation.tanh(v)
            let expected: Float = (v > 0 ? 1 : 0) + (1 - t * t)
            if grad.data[i] != expected {
                XCTFail("element \(i): \(grad.data[i]) vs \(expected)")
                return
            }
        }
    }
}

import Foundation
