import Foundation
import XCTest
import Kernels
@testable import Training

/// CycleGAN keeps the generators' Winograd weight transforms through the generator phase of a step on
/// small images; the step must be bit-for-bit the one that recomputes them.
final class KeptTransformsTests: XCTestCase {
    private func trainer(keep: Bool) throws -> CycleGANTrainer {
        var rng = RNG(seed: 11)
        // ngf 8: 32 channels in the residual blocks, enough for the Winograd path.
        let spec = ModelSpec.generator("resnet_2blocks", inputNc: 3, outputNc: 3, ngf: 8, norm: .instance,
                                       dropout: false)
        let ga = try makeNetwork(spec, rng: &rng), gb = try makeNetwork(spec, rng: &rng)
        let dspec = ModelSpec.discriminator("n_layers", inputNc: 3, ndf: 4, norm: .instance, nLayers: 1)
        let da = try makeNetwork(dspec, rng: &rng), db = try makeNetwork(dspec, rng: &rng)
        let t = CycleGANTrainer(netGA: ga, netGB: gb, netDA: da, netDB: db, ganMode: .lsgan, lambdaA: 10,
                                lambdaB: 10, lambdaIdentity: 0.5, poolSize: 3, lr: 2e-3, beta1: 0.5, seed: 11)
        t.keepWeightTransformsUpToPixels = keep ? 128 * 128 : 0
        return t
    }

    func testKeptTransformsGiveTheSameSteps() throws {
        let (a, b) = Tiny.pair(size: 32)
        let g = ConvGeometry(channels: 32, height: 8, width: 8, kernelH: 3, kernelW: 3, stride: 1, padding: 0)
        XCTAssertTrue(conv2dUsesWinograd(outChannels: 32, geometry: g), "the residual convs must use Winograd")
        let kept = try trainer(keep: true), recomputed = try trainer(keep: false)
        for _ in 0..<3 {
            XCTAssertEqual(kept.step(realA: a, realB: b), recomputed.step(realA: a, realB: b))
        }
        for (p, q) in zip(kept.optimizerG.parameters, recomputed.optimizerG.parameters) {
            XCTAssertEqual(p.toArray(), q.toArray(), p.name ?? "")
        }
        XCTAssertFalse(kept.netGA.module.weightsFrozen, "the generators are thawed for their optimizer step")
    }

    private func pix2pix(keepD: Bool, seed: UInt64 = 5) throws -> Pix2PixTrainer {
        var rng = RNG(seed: seed)
        let g = try makeNetwork(.generator("unet", inputNc: 3, outputNc: 3, ngf: 4, norm: .batch, dropout: true,
                                           numDowns: 5), rng: &rng)
        // ndf 8 at 160x160: conv4 (32 → 64 channels, 19x19 out) runs F(3x3,4x4) Winograd.
        let d = try makeNetwork(.discriminator("n_layers", inputNc: 6, ndf: 8, norm: .batch, nLayers: 3), rng: &rng)
        let t = Pix2PixTrainer(netG: g, netD: d, ganMode: .vanilla, lambdaL1: 100, lr: 2e-3, beta1: 0.5, seed: 5)
        t.keepDiscriminatorTransforms = keepD
        return t
    }

    /// pix2pix's D keeps its transforms from one optimizer step to the next (three passes and three backward
    /// passes a step): the steps must be bit-for-bit those that recompute them, also across a state-dict load
    /// into the frozen D between steps.
    func testKeptDiscriminatorTransformsGiveTheSameSteps() throws {
        let (a, b) = Tiny.pair(size: 160)
        let g = ConvGeometry(channels: 32, height: 20, width: 20, kernelH: 4, kernelW: 4, stride: 1, padding: 1)
        XCTAssertTrue(conv2dUsesWinograd(outChannels: 64, geometry: g), "D's conv4 must use Winograd")
        let kept = try pix2pix(keepD: true), recomputed = try pix2pix(keepD: false)
        func assertSameWeights(_ line: UInt = #line) {
            for (p, q) in zip(kept.netD.parameters + kept.netG.parameters,
                              recomputed.netD.parameters + recomputed.netG.parameters) {
                XCTAssertEqual(p.toArray(), q.toArray(), p.name ?? "", line: line)
            }
        }
        for _ in 0..<2 {
            XCTAssertEqual(kept.step(realA: a, realB: b), recomputed.step(realA: a, realB: b))
            XCTAssertTrue(kept.netD.module.weightsFrozen, "D stays frozen between its optimizer steps")
            XCTAssertFalse(recomputed.netD.module.weightsFrozen)
        }
        assertSameWeights()
        // New weights into the frozen D (as a resume would): its kept transforms must not outlive them.
        var rng = RNG(seed: 99)
        let other = try makeNetwork(.discriminator("n_layers", inputNc: 6, ndf: 8, norm: .batch, nLayers: 3), rng: &rng)
        try kept.netD.load(stateDict: other.stateDict())
        try recomputed.netD.load(stateDict: other.stateDict())
        for _ in 0..<2 {
            XCTAssertEqual(kept.step(realA: a, realB: b), recomputed.step(realA: a, realB: b))
        }
        assertSameWeights()
    }

    /// `--low-memory` turns the keeping off, and options saved before the setting existed still load.
    func testLowMemoryOptionAndOlderSavedOptions() throws {
        var o = TrainOptions.defaults(for: .cycleGAN)
        o.netG = "resnet_1blocks"; o.ngf = 4; o.ndf = 4
        var rng = RNG(seed: 1)
        let normal = try XCTUnwrap(try TrainingSession.makeTrainer(o, rng: &rng) as? CycleGANTrainer)
        XCTAssertEqual(normal.keepWeightTransformsUpToPixels, 128 * 128)
        o.lowMemory = true
        let lean = try XCTUnwrap(try TrainingSession.makeTrainer(o, rng: &rng) as? CycleGANTrainer)
        XCTAssertEqual(lean.keepWeightTransformsUpToPixels, 0)
        XCTAssertTrue(normal.keepDiscriminatorTransforms)
        XCTAssertFalse(lean.keepDiscriminatorTransforms)
        var p = TrainOptions.defaults(for: .pix2pix)
        p.netG = "unet_128"; p.ngf = 4; p.ndf = 4
        XCTAssertTrue(try XCTUnwrap(try TrainingSession.makeTrainer(p, rng: &rng) as? Pix2PixTrainer)
            .keepDiscriminatorTransforms)
        p.lowMemory = true
        XCTAssertFalse(try XCTUnwrap(try TrainingSession.makeTrainer(p, rng: &rng) as? Pix2PixTrainer)
            .keepDiscriminatorTransforms)

        var object = try XCTUnwrap(try JSONSerialization.jsonObject(with: o.jsonData()) as? [String: Any])
        XCTAssertNotNil(object.removeValue(forKey: "lowMemory"))
        let older = try JSONDecoder().decode(TrainOptions.self, from: JSONSerialization.data(withJSONObject: object))
        XCTAssertNil(older.lowMemory)
        XCTAssertEqual(older.netG, "resnet_1blocks")
    }
}
