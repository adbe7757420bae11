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

        var object = try XCTUnwrap(try JSONSerialization.jsonObject(with: o.jsonData()) as? [String: Any])
        XCTAssertNotNil(object.removeValue(forKey: "lowMemory"))
        let older = try JSONDecoder().decode(TrainOptions.self, from: JSONSerialization.data(withJSONObject: object))
        XCTAssertNil(older.lowMemory)
        XCTAssertEqual(older.netG, "resnet_1blocks")
    }
}
