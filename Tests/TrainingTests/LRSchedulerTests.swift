import XCTest
@testable import Training

final class LRSchedulerTests: XCTestCase {
    func testLinearMatchesReferenceRule() {
        // Reference: lr_l = 1 - max(0, k + epoch_count - n_epochs) / (n_epochs_decay + 1), k = steps taken.
        var s = LRScheduler(policy: .linear, baseLR: 2e-4, nEpochs: 3, nEpochsDecay: 4)
        var rates: [Float] = []
        for _ in 1...7 { rates.append(s.learningRate); s.step() }
        let expected: [Float] = [1, 1, 1, 0.8, 0.6, 0.4, 0.2].map { 2e-4 * $0 }
        for (a, b) in zip(rates, expected) { XCTAssertEqual(a, b, accuracy: 1e-10) }
    }

    func testLinearResumedAtEpochCountGivesSameRates() {
        var straight = LRScheduler(policy: .linear, baseLR: 1, nEpochs: 2, nEpochsDecay: 3)
        for _ in 0..<3 { straight.step() }
        let resumed = LRScheduler(policy: .linear, baseLR: 1, nEpochs: 2, nEpochsDecay: 3, epochCount: 4)
        XCTAssertEqual(straight.learningRate, resumed.learningRate)
        XCTAssertEqual(resumed.learningRate, 0.5, accuracy: 1e-7)  // 1 - (4 - 2) / 4
    }

    func testStepAndCosine() {
        var step = LRScheduler(policy: .step, baseLR: 1, nEpochs: 10, nEpochsDecay: 0, lrDecayIters: 2)
        var got: [Float] = []
        for _ in 0..<5 { got.append(step.learningRate); step.step() }
        XCTAssertEqual(got[0], 1); XCTAssertEqual(got[1], 1)
        XCTAssertEqual(got[2], 0.1, accuracy: 1e-7); XCTAssertEqual(got[4], 0.01, accuracy: 1e-8)

        var cosine = LRScheduler(policy: .cosine, baseLR: 1, nEpochs: 4, nEpochsDecay: 0)
        var c: [Float] = []
        for _ in 0..<5 { c.append(cosine.learningRate); cosine.step() }
        XCTAssertEqual(c[0], 1, accuracy: 1e-7)
        XCTAssertEqual(c[1], Float((1 + cos(Double.pi / 4)) / 2), accuracy: 1e-6)
        XCTAssertEqual(c[2], 0.5, accuracy: 1e-6)
        XCTAssertEqual(c[4], 0, accuracy: 1e-6)
    }

    func testPlateauReducesAfterPatience() {
        var s = LRScheduler(policy: .plateau, baseLR: 1, nEpochs: 1, nEpochsDecay: 0)
        s.step(metric: 1.0)                      // best = 1
        for _ in 0..<5 { s.step(metric: 0.995) } // < 1% better: 5 bad epochs, still patient
        XCTAssertEqual(s.learningRate, 1)
        s.step(metric: 0.999)                    // sixth bad epoch: ×0.2
        XCTAssertEqual(s.learningRate, 0.2, accuracy: 1e-7)
        s.step(metric: 0.5)                      // a real improvement resets the count
        XCTAssertEqual(s.plateauBadEpochs, 0)
    }

    func testCodableRoundTrip() throws {
        var s = LRScheduler(policy: .plateau, baseLR: 3e-4, nEpochs: 5, nEpochsDecay: 5)
        s.step(metric: 2); s.step(metric: 3)
        let back = try JSONDecoder().decode(LRScheduler.self, from: JSONEncoder().encode(s))
        XCTAssertEqual(back, s)
    }
}
