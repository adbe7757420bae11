import XCTest
@testable import Training

final class TrainerTests: XCTestCase {
    func testPix2PixReportsReferenceLossesAndUpdatesBothNetworks() throws {
        let trainer = try Tiny.pix2pix()
        let (a, b) = Tiny.pair()
        let g0 = trainer.netG.parameters[0].toArray(), d0 = trainer.netD.parameters[0].toArray()
        let losses = trainer.step(realA: a, realB: b)
        XCTAssertEqual(Set(losses.keys), Set(Pix2PixTrainer.lossNames))
        for (name, v) in losses { XCTAssertTrue(v.isFinite && v >= 0, "\(name) = \(v)") }
        XCTAssertNotEqual(trainer.netG.parameters[0].toArray(), g0)
        XCTAssertNotEqual(trainer.netD.parameters[0].toArray(), d0)
        XCTAssertEqual(trainer.optimizerG.stepCount, 1)
        XCTAssertTrue(trainer.netG.parameters.allSatisfy { $0.grad == nil }, "G is updated during backward")
        XCTAssertEqual(trainer.optimizerD.stepCount, 1)
        XCTAssertEqual(trainer.visuals.map(\.name), ["real_A", "fake_B", "real_B"])
        // D is called three times in train mode (fake, real, fake for G): BatchNorm counts each batch.
        let counters = trainer.netD.namedBuffers().compactMap { entry -> Int? in
            if case .counter(let c) = entry.buffer { return c.value } else { return nil }
        }
        XCTAssertFalse(counters.isEmpty)
        XCTAssertTrue(counters.allSatisfy { $0 == 3 })
    }

    func testPix2PixWithWGANGPUpdatesDAfterBothBackwardPasses() throws {
        let trainer = try Tiny.pix2pix(ganMode: .wgangp)
        let (a, b) = Tiny.pair()
        let d0 = trainer.netD.parameters[0].toArray()
        let losses = trainer.step(realA: a, realB: b)
        XCTAssertNotNil(losses["D_GP"])
        for (name, v) in losses { XCTAssertTrue(v.isFinite, "\(name) = \(v)") }
        XCTAssertNotEqual(trainer.netD.parameters[0].toArray(), d0)
        XCTAssertEqual(trainer.optimizerD.stepCount, 1)
        XCTAssertTrue(trainer.netD.parameters.allSatisfy { $0.grad != nil },
                      "D keeps its gradients: the penalty adds a second backward pass before its Adam step")
    }

    func testPix2PixOverfitsOnePair() throws {
        let trainer = try Tiny.pix2pix(seed: 5)
        trainer.netG.setDropoutEnabled(false)
        let (a, b) = Tiny.pair()
        let first = trainer.step(realA: a, realB: b)["G_L1"]!
        var last = first
        for _ in 0..<80 { last = trainer.step(realA: a, realB: b)["G_L1"]! }
        XCTAssertLessThan(last, first / 10, "L1 \(first) → \(last)")
    }

    func testSameSeedSameLosses() throws {
        let (a, b) = Tiny.pair()
        func run() throws -> [[String: Double]] {
            let t = try Tiny.pix2pix(seed: 8)
            return (0..<3).map { _ in t.step(realA: a, realB: b) }
        }
        XCTAssertEqual(try run(), try run())
        func runCycle() throws -> [[String: Double]] {
            let t = try Tiny.cycleGAN(seed: 8)
            return (0..<3).map { _ in t.step(realA: a, realB: b) }
        }
        XCTAssertEqual(try runCycle(), try runCycle())
    }

    func testCycleGANStepLossesAndPools() throws {
        let trainer = try Tiny.cycleGAN()
        let (a, b) = Tiny.pair(size: 24)
        let gA0 = trainer.netGA.parameters[0].toArray(), dB0 = trainer.netDB.parameters[0].toArray()
        let losses = trainer.step(realA: a, realB: b)
        XCTAssertEqual(Set(losses.keys), Set(CycleGANTrainer.lossNames))
        XCTAssertGreaterThan(losses["idt_A"]!, 0)
        XCTAssertNotEqual(trainer.netGA.parameters[0].toArray(), gA0)
        XCTAssertNotEqual(trainer.netDB.parameters[0].toArray(), dB0)
        XCTAssertEqual(trainer.poolA.images.count, 1)
        XCTAssertEqual(trainer.poolB.images.count, 1)
        XCTAssertEqual(trainer.visuals.map(\.name), ["real_A", "fake_B", "rec_A", "idt_B", "real_B", "fake_A", "rec_B", "idt_A"])
        // The cycle loss is lambda · mean |G_B(G_A(A)) - A|: recompute it from the visuals.
        let recA = trainer.visuals[2].image
        var sum = 0.0
        for i in 0..<a.count { sum += Double(abs(recA.data[i] - a.data[i])) }
        XCTAssertEqual(losses["cycle_A"]!, 10 * sum / Double(a.count), accuracy: 1e-4)
    }

    func testNoGraphSurvivesAStep() throws {
        let trainer = try Tiny.cycleGAN(seed: 12)
        let (a, b) = Tiny.pair(size: 16)
        trainer.step(realA: a, realB: b)
        let nodes = Autograd.liveGraphNodes, buffers = StorageStats.liveBuffers
        for _ in 0..<5 { trainer.step(realA: a, realB: b) }
        XCTAssertEqual(Autograd.liveGraphNodes, nodes)
        // The pool fills by one image per step per domain (capacity 3), nothing else may grow.
        XCTAssertEqual(StorageStats.liveBuffers, buffers + 4)
    }
}
