import XCTest
@testable import TensorCore

/// Training steps must not grow memory: the tape is freed by backward, op results by ARC.
final class MemoryTests: XCTestCase {
    /// A small network built from convolutions, pads, norms, activations, dropout, concat/slice, elementwise
    /// ops and losses, trained with Adam. Returns the loss.
    private struct TinyNet {
        let scale: Tensor, convWeight: Tensor, convBias: Tensor, upWeight: Tensor
        let bnWeight: Tensor, bnBias: Tensor, runningMean: Tensor, runningVar: Tensor
        let adam: Adam

        init(rng: inout RNG) {
            scale = Tensor.uniform([2, 6, 8, 8], 0.5, 1.5, rng: &rng, requiresGrad: true)
            convWeight = Tensor.randn([6, 6, 3, 3], std: 0.2, rng: &rng, requiresGrad: true)
            convBias = Tensor(zeros: [6], requiresGrad: true)
            upWeight = Tensor.randn([6, 6, 4, 4], std: 0.2, rng: &rng, requiresGrad: true)
            bnWeight = Tensor(filled: 1, shape: [6], requiresGrad: true)
            bnBias = Tensor(zeros: [6], requiresGrad: true)
            runningMean = Tensor(zeros: [6])
            runningVar = Tensor(filled: 1, shape: [6])
            adam = Adam(parameters: [scale, convWeight, convBias, upWeight, bnWeight, bnBias], lr: 1e-3, beta1: 0.5)
        }

        func step(_ x: Tensor, _ target: Tensor, rng: inout RNG) -> Float {
            var h = zeroPad2d(x, 1)                                        // [2,3,8,8]
            h = concatChannels([h, h.tanh()]) * scale                      // [2,6,8,8]
            h = conv2d(h, weight: convWeight, bias: convBias, stride: 1, padding: 1)
            h = batchNorm2d(h, weight: bnWeight, bias: bnBias, runningMean: runningMean, runningVar: runningVar,
                            training: true).leakyRelu(0.2)
            h = convTranspose2d(h, weight: upWeight, bias: nil, stride: 2, padding: 1)   // [2,6,16,16]
            h = instanceNorm2d(reflectionPad2d(h, 2)).relu()               // [2,6,20,20]
            let (dropped, _) = dropout(h, p: 0.5, rng: &rng)
            let swapped = concatBatch([dropped.batchSlice(1, 2), dropped.batchSlice(0, 1)])
            let out = swapped.sigmoid()
            let loss = mseLoss(out, target: 1) + l1Loss(out, target) + bceWithLogitsLoss(swapped, target: 0)
                + h.mean() * 0.1 + (h - swapped).sum() * 1e-4
            loss.backward()
            adam.step()
            adam.zeroGrad()
            return loss.item
        }
    }

    func testTrainingStepsDoNotGrowMemory() {
        let nodesBefore = Autograd.liveGraphNodes
        var rng = RNG(seed: 61)
        let net = TinyNet(rng: &rng)
        let target = Tensor.uniform([2, 6, 20, 20], 0, 1, rng: &rng)
        var buffersAfterWarmUp = 0
        var losses: [Float] = []
        for iteration in 0..<50 {
            let x = Tensor.randn([2, 3, 6, 6], rng: &rng)
            losses.append(net.step(x, target, rng: &rng))
            XCTAssertEqual(Autograd.liveGraphNodes, nodesBefore, "graph released after step \(iteration)")
            if iteration == 4 { buffersAfterWarmUp = StorageStats.liveBuffers }
            if iteration > 4 { XCTAssertEqual(StorageStats.liveBuffers, buffersAfterWarmUp, "buffers at step \(iteration)") }
        }
        XCTAssert(losses.allSatisfy(\.isFinite))
        XCTAssertEqual(net.adam.stepCount, 50)
        XCTAssertNotEqual(net.runningMean.toArray(), [Float](repeating: 0, count: 6), "running stats were updated")
    }

    func testGraphWithoutBackwardIsFreed() {
        // Backward closures hold their output unowned: dropping an unused graph frees everything.
        let nodesBefore = Autograd.liveGraphNodes, buffersBefore = StorageStats.liveBuffers
        do {
            var rng = RNG(seed: 62)
            let x = Tensor.randn([1, 2, 5, 5], rng: &rng, requiresGrad: true)
            let y = instanceNorm2d(reflectionPad2d(x, 1)).tanh().sigmoid()
            let z = concatChannels([y, y]).batchSlice(0, 1)
            let loss = bceWithLogitsLoss(z, target: 1) + z.sum()
            XCTAssertGreaterThan(Autograd.liveGraphNodes, nodesBefore + 5)
            XCTAssert(loss.item.isFinite)
        }
        XCTAssertEqual(Autograd.liveGraphNodes, nodesBefore)
        XCTAssertEqual(StorageStats.liveBuffers, buffersBefore)
    }
}
