import XCTest
@testable import TensorCore

/// Adam updating each parameter inside backward (`updateDuringBackward`) against the usual zeroGrad / backward /
/// step: the same values bit for bit, for parameters that get their gradient through several ops (one used twice
/// in one op and again at the end of the graph, one at two depths) and one that backward never reaches.
final class FusedAdamTests: XCTestCase {
    private func parameters() -> [Tensor] {
        [Tensor(shape: [2, 3], values: [0.5, -1, 0.25, 2, -0.75, 1.5], requiresGrad: true),
         Tensor(shape: [2, 3], values: [1, 0.5, -2, 0.125, 3, -0.5], requiresGrad: true),
         Tensor(shape: [2, 3], values: [-0.3, 0.7, 1.1, -1.3, 0.2, 0.9], requiresGrad: true),
         Tensor(shape: [4], values: [1, 2, 3, 4], requiresGrad: true)]
    }

    /// p0 three times (twice in one product, once last), p1 at two depths, p2 once, p3 not at all.
    private func loss(_ p: [Tensor], step: Int) -> Tensor {
        let s = Float(step + 1)
        let x = Tensor(shape: [2, 3], values: [1, -2, 0.5, 0.25, s, -s])
        let target = Tensor(shape: [2, 3], values: [0.1, 0.2, -0.3, s, 0.5, -0.6])
        let h = p[0] * p[0] + x * p[1]
        let k = h * p[2] + p[1]
        return mseLoss(k * p[0], target)
    }

    func testUpdatesDuringBackwardAreThoseOfStep() {
        let usual = parameters(), fused = parameters()
        let reference = Adam(parameters: usual, lr: 0.01, beta1: 0.5, beta2: 0.999)
        let adam = Adam(parameters: fused, lr: 0.01, beta1: 0.5, beta2: 0.999)
        adam.updateDuringBackward()
        for step in 0..<3 {
            reference.zeroGrad()
            loss(usual, step: step).backward()
            reference.step()

            adam.beginFusedStep()
            loss(fused, step: step).backward()
            XCTAssertTrue(fused.allSatisfy { $0.grad == nil }, "gradients are dropped once used")
        }
        XCTAssertEqual(adam.stepCount, 3)
        for i in usual.indices {
            XCTAssertEqual(fused[i].toArray(), usual[i].toArray(), "parameter \(i)")
            XCTAssertEqual(adam.expAvg[i].toArray(), reference.expAvg[i].toArray(), "exp_avg \(i)")
            XCTAssertEqual(adam.expAvgSq[i].toArray(), reference.expAvgSq[i].toArray(), "exp_avg_sq \(i)")
        }
        XCTAssertNotEqual(fused[0].toArray(), parameters()[0].toArray(), "the step moved the parameters")
        XCTAssertEqual(fused[3].toArray(), [1, 2, 3, 4], "a parameter backward never reaches is left alone")
        XCTAssertEqual(adam.expAvg[3].toArray(), [0, 0, 0, 0])
    }

    /// A sink sees each leaf once, only after every op that uses it has passed its part back: the gradient it
    /// gets is the whole one, as plain backward leaves it in `grad`.
    func testSinkGetsEachCompleteGradientOnce() {
        final class Recorder: GradientSink {
            var received: [ObjectIdentifier: [[Float]]] = [:]
            func gradientReady(_ node: GraphNode, _ gradient: Tensor) {
                received[ObjectIdentifier(node), default: []].append(gradient.toArray())
            }
        }
        let plain = parameters(), sunk = parameters()
        loss(plain, step: 0).backward()
        let recorder = Recorder()
        for p in sunk { p.node.gradientSink = recorder }
        loss(sunk, step: 0).backward()
        for i in 0..<3 {
            XCTAssertEqual(recorder.received[ObjectIdentifier(sunk[i].node)] ?? [], [plain[i].grad!.toArray()], "\(i)")
            XCTAssertNil(sunk[i].grad)
        }
        XCTAssertNil(recorder.received[ObjectIdentifier(sunk[3].node)])
    }
}
