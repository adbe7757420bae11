import XCTest
import Kernels
@testable import TensorCore

/// `reflectionPaddedConv2d` (the ResNet blocks' ReflectionPad2d + Conv2d as one op): under the Winograd lowering
/// it reads x through the reflection and folds the input gradient back, and must agree with the explicit
/// pad-then-conv form in values and in every gradient; under the others it is that form.
final class ReflectionPaddedConvTests: XCTestCase {
    /// (input shape, output channels, kernel, padding): odd and even sizes, tile rows and columns overhanging the
    /// padded grid by 0-3, padding up to the largest the input allows, both Winograd algorithms.
    private let cases: [(Shape, Int, Int, Int)] = [
        ([2, 3, 5, 7], 4, 3, 1),
        ([1, 2, 9, 6], 3, 3, 2),
        ([1, 3, 8, 8], 2, 3, 1),
        ([2, 2, 3, 4], 3, 3, 2),
        ([1, 2, 6, 5], 3, 4, 1),
        ([1, 3, 7, 7], 2, 4, 2),
        ([1, 2, 4, 11], 2, 3, 3),
        ([1, 2, 5, 70], 3, 3, 1),  // 18 tiles a row: the C transforms' vectors (16 or 8 tiles) and their tails
    ]

    private func withLowering(_ lowering: Conv2dLowering, _ body: () -> Void) {
        let saved = conv2dLowering
        defer { conv2dLowering = saved }
        conv2dLowering = lowering
        body()
    }

    func testMatchesExplicitPaddingInValuesAndGradients() {
        let savedLevel = vectorKernelLevel
        defer { vectorKernelLevel = savedLevel }
        for (lowering, level) in [(Conv2dLowering.winograd, savedLevel), (.winograd, 0), (.automatic, savedLevel),
                                  (.columns, savedLevel)] {
            vectorKernelLevel = level
            withLowering(lowering) {
                var rng = RNG(seed: 41)
                for (shape, o, k, p) in cases {
                    let name = "\(lowering) vector level \(level) x \(shape) o \(o) k \(k) p \(p)"
                    let x = randomTensor(shape, &rng), w = randomTensor([o, shape.c, k, k], &rng)
                    let b = randomTensor([o], &rng)
                    let fused = reflectionPaddedConv2d(x, padding: p, weight: w, bias: b)
                    let explicit = conv2d(reflectionPad2d(x, p), weight: w, bias: b)
                    XCTAssertEqual(fused.shape, explicit.shape, name)
                    assertValues(fused, explicit.toArray().map(Double.init), accuracy: 2e-5, "forward \(name)")

                    let upstream = randomTensor(fused.shape, &rng)
                    func gradients(_ f: (Tensor, Tensor, Tensor) -> Tensor) -> [[Float]] {
                        let xs = x.detached(), ws = w.detached(), bs = b.detached()
                        for t in [xs, ws, bs] { t.requiresGrad = true }
                        f(xs, ws, bs).backward(gradient: upstream)
                        return [xs, ws, bs].map { $0.grad!.toArray() }
                    }
                    let fusedGrads = gradients { reflectionPaddedConv2d($0, padding: p, weight: $1, bias: $2) }
                    let explicitGrads = gradients { conv2d(reflectionPad2d($0, p), weight: $1, bias: $2) }
                    for (what, (got, want)) in zip(["x", "weight", "bias"], zip(fusedGrads, explicitGrads)) {
                        let scale = max(1, want.map { abs($0) }.max() ?? 1)
                        for i in got.indices where abs(got[i] - want[i]) > 4e-5 * scale {
                            XCTFail("gradient of \(what), \(name): element \(i) \(got[i]) vs \(want[i])")
                            break
                        }
                    }
                }
            }
        }
    }

    func testFiniteDifferenceGradients() {
        withLowering(.winograd) {
            var rng = RNG(seed: 42)
            for (shape, o, k, p) in cases {
                let x = randomTensor(shape, &rng), w = randomTensor([o, shape.c, k, k], &rng)
                let b = randomTensor([o], &rng)
                checkGradients("reflection-padded conv x \(shape) k \(k) p \(p)", inputs: [x, w, b]) { t in
                    reflectionPaddedConv2d(t[0], padding: p, weight: t[1], bias: t[2])
                }
            }
        }
    }

    func testInputAndWeightUsedTwice() {
        withLowering(.winograd) {
            var rng = RNG(seed: 43)
            // x feeds both factors (through the fused op and directly), w both convs: every path must add up.
            let x = randomTensor([1, 2, 6, 5], &rng), w = randomTensor([2, 2, 3, 3], &rng)
            let b = randomTensor([2], &rng)
            checkGradients("reflection-padded conv, x and w twice", inputs: [x, w, b, x, w]) { t in
                reflectionPaddedConv2d(t[0], padding: 1, weight: t[1], bias: t[2])
                    * reflectionPaddedConv2d(t[3], padding: 1, weight: t[4], bias: nil) + t[3]
            }
        }
    }

    func testKeptWeightTransformsGiveTheSameValues() {
        withLowering(.winograd) {
            var rng = RNG(seed: 44)
            let x = randomTensor([1, 3, 9, 7], &rng), w = randomTensor([4, 3, 3, 3], &rng)
            let kept = WinogradWeights()
            let fresh = reflectionPaddedConv2d(x, padding: 1, weight: w, bias: nil)
            let reused = withNoGrad { reflectionPaddedConv2d(x, padding: 1, weight: w, bias: nil, winogradWeights: kept) }
            assertValues(reused, fresh.toArray().map(Double.init), accuracy: 1e-6, "kept transforms")
        }
    }
}
