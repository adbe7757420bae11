import XCTest
import Kernels
@testable import Models

/// Frozen weights (inference): Conv2d keeps its Winograd-transformed weights between calls. The kept values
/// must give exactly the unfrozen result, and must never outlive a change of the weights.
final class FrozenWeightsTests: XCTestCase {
    private func randomConv(_ c: Int, _ o: Int, seed: UInt64) -> Conv2d {
        var rng = RNG(seed: seed)
        let conv = Conv2d(c, o, kernelSize: 3, padding: 1)
        initializeWeights(conv, method: .normal, gain: 0.1, rng: &rng)
        conv.bias!.assign(from: Tensor.uniform([o], -1, 1, rng: &rng))
        return conv
    }

    func testFrozenConvGivesTheUnfrozenResultAndForgetsOldWeights() {
        let conv = randomConv(32, 40, seed: 3)
        var rng = RNG(seed: 4)
        let x = Tensor.uniform([2, 32, 9, 11], -1, 1, rng: &rng)
        let g = ConvGeometry(channels: 32, height: 9, width: 11, kernelH: 3, kernelW: 3, stride: 1, padding: 1)
        XCTAssertTrue(conv2dUsesWinograd(outChannels: 40, geometry: g), "the layer must take the Winograd path")
        let unfrozen = withNoGrad { conv(x) }.toArray()

        conv.freezeWeights()
        XCTAssertEqual(withNoGrad { conv(x) }.toArray(), unfrozen)  // makes the transformed weights
        XCTAssertEqual(withNoGrad { conv(x) }.toArray(), unfrozen)  // reuses them

        // Re-initialising a frozen layer must not leave the old transform behind.
        var rng2 = RNG(seed: 9)
        initializeWeights(conv, method: .normal, gain: 0.1, rng: &rng2)
        let reference = randomConv(32, 40, seed: 3)
        reference.weight.data.update(from: conv.weight.data, count: conv.weight.count)
        reference.bias!.data.update(from: conv.bias!.data, count: 40)
        let expected = withNoGrad { reference(x) }.toArray()
        XCTAssertNotEqual(expected, unfrozen)
        XCTAssertEqual(withNoGrad { conv(x) }.toArray(), expected)

        // Thawed: weights written directly are used at once.
        conv.thawWeights()
        XCTAssertFalse(conv.weightsFrozen)
        conv.weight.data[0] += 1
        reference.weight.data[0] += 1
        XCTAssertEqual(withNoGrad { conv(x) }.toArray(), withNoGrad { reference(x) }.toArray())
    }

    /// The U-Net's up-convs keep their polyphase Winograd transforms the same way.
    func testFrozenTransposedConvGivesTheUnfrozenResultAndForgetsOldWeights() {
        var rng = RNG(seed: 13)
        let up = ConvTranspose2d(32, 16, kernelSize: 4, stride: 2, padding: 1)
        assertKeepsExactTransforms(up, input: Tensor.uniform([1, 32, 7, 9], -1, 1, rng: &rng), rng: &rng)
    }

    /// An up-conv of 17-64 input pixels keeps its weight transposed for the narrow product (AVX-512): the frozen
    /// result is the unfrozen one up to the order of additions, and a new weight replaces the kept copy.
    func testFrozenTransposedConvOfFewPixelsKeepsItsWeightTransposed() {
        var rng = RNG(seed: 19)
        let up = ConvTranspose2d(48, 8, kernelSize: 4, stride: 2, padding: 1)
        let x = Tensor.uniform([2, 48, 6, 5], -1, 1, rng: &rng)
        let g = ConvGeometry(channels: 8, height: 12, width: 10, kernelH: 4, kernelW: 4, stride: 2, padding: 1)
        XCTAssertEqual(convTranspose2dKeepsTransposedWeight(inChannels: 48, geometry: g), narrowProductsAvailable)
        func assertClose(_ got: [Float], _ expected: [Float], _ label: String, tolerance: Float = 1e-5) {
            let worst = zip(got, expected).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? .infinity
            XCTAssertLessThan(worst, tolerance, "\(label): relative error \(worst)")
        }
        initializeWeights(up, method: .normal, gain: 0.1, rng: &rng)
        up.bias!.assign(from: Tensor.uniform([8], -1, 1, rng: &rng))
        let unfrozen = withNoGrad { up(x) }.toArray()
        up.freezeWeights()
        let frozen = withNoGrad { up(x) }.toArray()  // makes the kept copy
        assertClose(frozen, unfrozen, "frozen")
        XCTAssertEqual(withNoGrad { up(x) }.toArray(), frozen, "the kept copy is reused")

        initializeWeights(up, method: .normal, gain: 0.1, rng: &rng)  // while frozen: the copy must not outlive it
        let refrozen = withNoGrad { up(x) }.toArray()
        up.thawWeights()
        let changed = withNoGrad { up(x) }.toArray()
        XCTAssertNotEqual(changed, unfrozen)
        assertClose(refrozen, changed, "re-initialised while frozen")

        // A frozen up-conv whose input size changes switches between its kept transpose and its kept Winograd
        // transform, each right for its size (Winograd's rounding against the unfrozen columns: 4e-5, as against
        // the naive loops in ConvTests).
        let wide = ConvTranspose2d(32, 16, kernelSize: 4, stride: 2, padding: 1)
        initializeWeights(wide, method: .normal, gain: 0.1, rng: &rng)
        let inputs = [Tensor.uniform([1, 32, 6, 6], -1, 1, rng: &rng), Tensor.uniform([1, 32, 40, 40], -1, 1, rng: &rng)]
        let big = ConvGeometry(channels: 16, height: 80, width: 80, kernelH: 4, kernelW: 4, stride: 2, padding: 1)
        XCTAssertTrue(convTranspose2dUsesWinograd(inChannels: 32, geometry: big, weightsKept: true))
        let expected = inputs.map { x in withNoGrad { wide(x) }.toArray() }
        wide.freezeWeights()
        for round in 0..<2 {
            for (x, want) in zip(inputs, expected) {
                assertClose(withNoGrad { wide(x) }.toArray(), want, "round \(round), \(x.shape)",
                            tolerance: x.shape.h == 40 ? 4e-5 : 1e-5)
            }
        }
    }

    /// So do the 4x4 stride-2 down-convs.
    func testFrozenStridedConvGivesTheUnfrozenResultAndForgetsOldWeights() {
        var rng = RNG(seed: 17)
        let down = Conv2d(16, 24, kernelSize: 4, stride: 2, padding: 1)
        assertKeepsExactTransforms(down, input: Tensor.uniform([1, 16, 14, 18], -1, 1, rng: &rng), rng: &rng)
    }

    func testReflectionPaddedConvKeepsExactTransforms() {
        // A ResNet block's pad + conv, which Sequential runs as one op reading through the reflection.
        var rng = RNG(seed: 18)
        let padded = Sequential([ReflectionPad2d(1), Conv2d(16, 24, kernelSize: 3)])
        assertKeepsExactTransforms(padded, input: Tensor.uniform([1, 16, 13, 10], -1, 1, rng: &rng), rng: &rng)
    }

    /// Under the Winograd lowering: the frozen layer gives the unfrozen result when it makes its kept
    /// transforms and when it reuses them, and re-initialising it (which drops them) changes the result to
    /// what the thawed layer computes.
    private func assertKeepsExactTransforms(_ layer: Module, input x: Tensor, rng: inout RNG,
                                            file: StaticString = #filePath, line: UInt = #line) {
        let saved = conv2dLowering
        defer { conv2dLowering = saved }
        conv2dLowering = .winograd
        initializeWeights(layer, method: .normal, gain: 0.1, rng: &rng)
        let unfrozen = withNoGrad { layer(x) }.toArray()
        layer.freezeWeights()
        XCTAssertEqual(withNoGrad { layer(x) }.toArray(), unfrozen, file: file, line: line)  // makes them
        XCTAssertEqual(withNoGrad { layer(x) }.toArray(), unfrozen, file: file, line: line)  // reuses them
        initializeWeights(layer, method: .normal, gain: 0.1, rng: &rng)
        let changed = withNoGrad { layer(x) }.toArray()
        XCTAssertNotEqual(changed, unfrozen, file: file, line: line)
        layer.thawWeights()
        XCTAssertEqual(withNoGrad { layer(x) }.toArray(), changed, file: file, line: line)
    }

    /// Training between optimizer steps: a frozen layer's forward and all its gradients equal the unfrozen
    /// ones, and a backward step whose weights changed after its forward pass uses the new weights.
    func testFrozenConvGradientsAreExactAndNeverStale() {
        var rng = RNG(seed: 6)
        let x = Tensor.uniform([1, 32, 7, 10], -1, 1, rng: &rng)
        let dy = Tensor.uniform([1, 40, 7, 10], -1, 1, rng: &rng)
        func gradients(_ conv: Conv2d, changeWeightsBeforeBackward: Bool = false) -> [[Float]] {
            let input = x.copy()
            input.requiresGrad = true
            conv.zeroGrad()
            let y = conv(input)
            if changeWeightsBeforeBackward {
                conv.thawWeights()
                conv.weight.data[7] += 0.5
            }
            (y * dy).sum().backward()
            return [y.toArray(), input.grad!.toArray(), conv.weight.grad!.toArray(), conv.bias!.grad!.toArray()]
        }
        let plain = randomConv(32, 40, seed: 7), frozen = randomConv(32, 40, seed: 7)
        frozen.freezeWeights()
        func assertSame(_ got: [[Float]], _ expected: [[Float]], _ call: String) {
            for (i, name) in ["y", "dx", "dW", "db"].enumerated() {
                let worst = zip(got[i], expected[i]).map { abs($0 - $1) }.max() ?? 0
                XCTAssertEqual(worst, 0, "\(call): \(name) differs by up to \(worst)")
            }
        }
        let expected = gradients(plain)
        assertSame(gradients(frozen), expected, "first frozen call")  // makes the transform
        assertSame(gradients(frozen), expected, "second frozen call")  // reuses it

        // dx of the changed weights (dx depends on the weights; y and dW were computed before the change).
        let changed = gradients(frozen, changeWeightsBeforeBackward: true)
        plain.weight.data[7] += 0.5
        let input = x.copy()
        input.requiresGrad = true
        let reference = randomConv(32, 40, seed: 7)
        reference.weight.data.update(from: plain.weight.data, count: plain.weight.count)
        let y = reference(input)
        (y * dy).sum().backward()
        XCTAssertEqual(changed[1], input.grad!.toArray())
    }

    func testFrozenNetworkLoadsNewWeightsAndStaysExact() throws {
        let spec = ModelSpec.generator("resnet_6blocks", inputNc: 3, outputNc: 3, ngf: 8, norm: .instance,
                                       dropout: false)
        func network(seed: UInt64) throws -> Network {
            let net = try Network(spec: spec)
            var rng = RNG(seed: seed)
            initializeWeights(net.module, method: .normal, gain: 0.02, rng: &rng)
            net.eval()
            return net
        }
        let a = try network(seed: 1), b = try network(seed: 2)
        var rng = RNG(seed: 5)
        let x = Tensor.uniform([1, 3, 32, 32], -1, 1, rng: &rng)
        let expectedA = withNoGrad { a(x) }.toArray(), expectedB = withNoGrad { b(x) }.toArray()
        XCTAssertNotEqual(expectedA, expectedB)

        a.module.freezeWeights()
        XCTAssertEqual(withNoGrad { a(x) }.toArray(), expectedA)
        try a.load(stateDict: b.stateDict())
        XCTAssertTrue(a.module.weightsFrozen)
        XCTAssertEqual(withNoGrad { a(x) }.toArray(), expectedB)
    }
}
