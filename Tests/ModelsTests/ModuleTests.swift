import XCTest
import Kernels
@testable import Models

/// The NN module system: keys, order, flat parameter block, modes, dropout control.
final class ModuleTests: XCTestCase {
    func testSequentialKeysKeepIndicesOfParameterlessLayers() {
        let net = Sequential([Conv2d(3, 4, kernelSize: 3, bias: true), LeakyReLU(0.2),
                              Conv2d(4, 8, kernelSize: 3, bias: false), BatchNorm2d(8), ReLU()])
        XCTAssertEqual(net.namedParameters().map(\.name), ["0.weight", "0.bias", "2.weight", "3.weight", "3.bias"])
        XCTAssertEqual(net.namedBuffers().map(\.name),
                       ["3.running_mean", "3.running_var", "3.num_batches_tracked"])
        XCTAssertEqual(net.parameterCount, 3 * 4 * 9 + 4 + 4 * 8 * 9 + 8 + 8)
    }

    func testSequentialRunsReflectionPadAndConvAsOneOp() {
        let saved = conv2dLowering
        defer { conv2dLowering = saved }
        conv2dLowering = .winograd
        var rng = RNG(seed: 5)
        let net = Sequential([ReflectionPad2d(1), Conv2d(8, 8, kernelSize: 3), ReLU()])
        initializeWeights(net, method: .normal, gain: 0.1, rng: &rng)
        let x = Tensor.uniform([1, 8, 12, 9], -1, 1, rng: &rng)
        let conv = net.layers[1] as! Conv2d
        let explicit = withNoGrad { conv(reflectionPad2d(x, 1)).relu() }
        // Storage made by the forward pass: the conv output and the ReLU's, no padded copy of x.
        let before = StorageStats.liveBytes
        StorageStats.resetPeak()
        let fused = withNoGrad { net(x) }
        XCTAssertEqual(StorageStats.peakBytes - before, 2 * 8 * 12 * 9 * MemoryLayout<Float>.stride)
        XCTAssertEqual(fused.shape, explicit.shape)
        for (a, b) in zip(fused.toArray(), explicit.toArray()) { XCTAssertEqual(a, b, accuracy: 1e-5) }
    }

    func testFlattenParametersMakesContiguousViewsWithGradientViews() {
        let net = Sequential([Conv2d(2, 3, kernelSize: 1), BatchNorm2d(3)])
        let conv = net.layers[0] as! Conv2d
        conv.weight.data[5] = 7  // values survive flattening
        let flat = net.flattenParameters()
        XCTAssertEqual(flat.count, 6 + 3 + 3 + 3)
        var offset = 0
        for (name, p) in net.namedParameters() {
            XCTAssertTrue(p.storage === flat.values, name)
            XCTAssertEqual(p.offset, offset, name)
            XCTAssertTrue(p.grad?.storage === flat.gradients, name)
            XCTAssertEqual(p.grad?.offset, offset, name)
            XCTAssertTrue(p.requiresGrad)
            XCTAssertEqual(p.name, name)
            offset += p.count
        }
        XCTAssertEqual(conv.weight.data[5], 7)
        XCTAssertEqual(flat.values.pointer[5], 7)
        // Layers now compute with the views: a write into the block reaches the layer.
        flat.values.pointer[0] = 3
        XCTAssertEqual(conv.weight.data[0], 3)
        flat.gradients.pointer[2] = 1
        flat.zeroGradients()
        XCTAssertEqual(conv.weight.grad?.data[2], 0)
    }

    func testTrainEvalReachesEveryLayer() {
        let inner = Sequential([BatchNorm2d(2), Dropout(0.5, randomness: RandomSource(seed: 1))])
        let net = Sequential([Conv2d(2, 2, kernelSize: 1), inner])
        XCTAssertTrue(net.namedModules().allSatisfy { $0.module.isTraining })
        net.eval()
        XCTAssertTrue(net.namedModules().allSatisfy { !$0.module.isTraining })
        net.train()
        XCTAssertTrue(net.namedModules().allSatisfy { $0.module.isTraining })
        XCTAssertEqual(net.namedModules().map(\.name), ["", "0", "1", "1.0", "1.1"])
    }

    func testDropoutModesAndReplay() {
        let source = RandomSource(seed: 3)
        let layer = Dropout(0.5, randomness: source)
        let x = Tensor(filled: 1, shape: [1, 2, 4, 4])
        layer.eval()
        XCTAssertEqual(layer(x).toArray(), x.toArray())
        layer.train()
        let y = layer(x).toArray()
        XCTAssertTrue(y.allSatisfy { $0 == 0 || $0 == 2 })
        XCTAssertTrue(y.contains(0) && y.contains(2))
        layer.isEnabled = false
        XCTAssertEqual(layer(x).toArray(), x.toArray())
        layer.isEnabled = true
        let mask = Tensor(shape: [1, 2, 4, 4], values: (0..<32).map { Float($0 % 3 == 0 ? 1 : 0) })
        layer.replayMask = mask
        XCTAssertEqual(layer(x).toArray(), mask.toArray().map { $0 * 2 })
        // The shared source makes masks reproducible from a seed.
        layer.replayMask = nil
        source.rng = RNG(seed: 9)
        let first = layer(x).toArray()
        source.rng = RNG(seed: 9)
        XCTAssertEqual(layer(x).toArray(), first)
    }

    func testBatchNormCountsTrainingBatchesOnly() {
        let bn = BatchNorm2d(2)
        let x = Tensor(shape: [2, 2, 1, 2], values: [1, 2, 3, 4, 5, 6, 7, 8])
        _ = bn(x)
        _ = withNoGrad { bn(x) }  // no_grad does not stop running statistics, as in PyTorch
        XCTAssertEqual(bn.batchesTracked.value, 2)
        bn.eval()
        _ = bn(x)
        XCTAssertEqual(bn.batchesTracked.value, 2)
        // Channel 0 holds 1, 2, 5, 6: mean 3.5, unbiased variance 17/3; two updates with momentum 0.1.
        XCTAssertEqual(bn.runningMean[0], 3.5 * (1 - 0.81), accuracy: 1e-5)
        XCTAssertEqual(bn.runningVar[0], 0.81 + 17.0 / 3.0 * (1 - 0.81), accuracy: 1e-5)
    }

    func testSetRequiresGradFreezesParameters() throws {
        var rng = RNG(seed: 1)
        let net = try makeNetwork(.discriminator("pixel", inputNc: 3, ndf: 4), rng: &rng)
        net.setRequiresGrad(false)
        XCTAssertTrue(net.parameters.allSatisfy { !$0.requiresGrad })
        net.setRequiresGrad(true)
        XCTAssertTrue(net.parameters.allSatisfy { $0.requiresGrad })
    }
}
