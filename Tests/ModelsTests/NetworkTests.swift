import XCTest
@testable import Models

/// Network-level behaviour the trainer relies on: steps do not leak, gradients land in the flat block,
/// copying state.
final class NetworkTests: XCTestCase {
    func testTrainingStepsDoNotLeakAndGradientsLandInTheFlatBlock() throws {
        var rng = RNG(seed: 21)
        let net = try makeNetwork(.generator("unet_32", ngf: 2, norm: .batch, dropout: true), rng: &rng)
        let x = Tensor.uniform([1, 3, 32, 32], -1, 1, rng: &rng)
        let target = Tensor.uniform([1, 3, 32, 32], -1, 1, rng: &rng)
        let optimizer = Adam(parameters: net.parameters, lr: 2e-4, beta1: 0.5)
        var liveBuffers: [Int] = []
        for _ in 0..<5 {
            net.zeroGrad()
            let loss = mseLoss(net(x), target)
            loss.backward()
            XCTAssertEqual(Autograd.liveGraphNodes, 0)
            let gradients = UnsafeBufferPointer(start: net.flat.gradients.pointer, count: net.flat.count)
            XCTAssertGreaterThan(gradients.reduce(0) { $0 + abs($1) }, 0)
            // Every parameter's gradient is still its view into the flat block (nothing was reallocated).
            XCTAssertTrue(net.parameters.allSatisfy { $0.grad?.storage === net.flat.gradients })
            optimizer.step()
            liveBuffers.append(StorageStats.liveBuffers)  // measured with this step's loss still alive
        }
        XCTAssertEqual(Set(liveBuffers.dropFirst()).count, 1, "\(liveBuffers)")
    }

    func testCopyStateCopiesParametersAndBuffers() throws {
        var rng = RNG(seed: 1)
        let spec = ModelSpec.discriminator("basic", inputNc: 3, ndf: 2, norm: .batch)
        let a = try makeNetwork(spec, rng: &rng), b = try makeNetwork(spec, rng: &rng)
        _ = a(Tensor.uniform([2, 3, 32, 32], -1, 1, rng: &rng))  // moves a's running statistics and counters
        b.copyState(from: a)
        XCTAssertEqual(Array(UnsafeBufferPointer(start: b.flat.values.pointer, count: b.flat.count)),
                       Array(UnsafeBufferPointer(start: a.flat.values.pointer, count: a.flat.count)))
        for (x, y) in zip(a.namedBuffers(), b.namedBuffers()) {
            switch (x.buffer, y.buffer) {
            case let (.float(s), .float(t)): XCTAssertEqual(s.toArray(), t.toArray(), x.name)
            case let (.counter(s), .counter(t)): XCTAssertEqual(s.value, 1); XCTAssertEqual(t.value, 1)
            default: XCTFail(x.name)
            }
        }
        // Copies, not shared storage.
        a.flat.values.pointer[0] += 1
        XCTAssertNotEqual(a.flat.values.pointer[0], b.flat.values.pointer[0])
    }

    func testEvalForwardIsDeterministicAndTrainDropoutUsesTheSource() throws {
        var rng = RNG(seed: 2)
        let net = try makeNetwork(.generator("resnet_1blocks", ngf: 2, norm: .instance, dropout: true), rng: &rng)
        let x = Tensor.uniform([1, 3, 16, 16], -1, 1, rng: &rng)
        net.eval()
        let a = withNoGrad { net(x) }.toArray(), b = withNoGrad { net(x) }.toArray()
        XCTAssertEqual(a, b)
        net.train()
        net.randomness.rng = RNG(seed: 5)
        let c = withNoGrad { net(x) }.toArray()
        net.randomness.rng = RNG(seed: 5)
        XCTAssertEqual(withNoGrad { net(x) }.toArray(), c)
        XCTAssertNotEqual(c, a)
    }
}
