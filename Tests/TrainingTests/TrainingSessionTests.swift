import XCTest
@testable import Training

/// Deterministic in-memory data: batch `i` of epoch `e` is a pure function of (e, i).
final class SyntheticPairs: TrainingDataSource {
    let count: Int, size: Int
    private var epoch = 1, index = 0
    init(count: Int = 4, size: Int = 32) { self.count = count; self.size = size }
    var batchesPerEpoch: Int { count }
    func startEpoch(_ epoch: Int, from start: Int) throws { self.epoch = epoch; index = start }
    func next() throws -> (batch: TrainingBatch, waitSeconds: Double) {
        var rng = RNG(seed: UInt64(epoch * 1000 + index))
        index += 1
        let a = Tensor.uniform([1, 3, size, size], -1, 1, rng: &rng)
        let b = Tensor.uniform([1, 3, size, size], -1, 1, rng: &rng)
        return (TrainingBatch(a: a, b: b, pathsA: ["a"], pathsB: ["b"]), 0)
    }
}

final class TrainingSessionTests: XCTestCase {
    var dir: String!
    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("session-\(UUID().uuidString)").path
    }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    func options(_ model: ModelKind, name: String) -> TrainOptions {
        var o = TrainOptions.defaults(for: model)
        o.name = name
        o.checkpointsDir = dir
        o.ngf = 4; o.ndf = 4
        o.netG = model == .pix2pix ? "unet_32" : "resnet_1blocks"
        o.nEpochs = 2; o.nEpochsDecay = 1
        o.printFreq = 2; o.displayFreq = 5; o.saveLatestFreq = 100; o.saveEpochFreq = 1
        o.poolSize = model == .cycleGAN ? 2 : 0
        o.seed = 42
        return o
    }

    private func weights(_ session: TrainingSession) -> [[Float]] {
        session.trainer.networks.map { Array(UnsafeBufferPointer(start: $0.network.flat.values.pointer, count: $0.network.flat.count)) }
    }

    /// N steps straight == N/2 steps, stop, resume, N/2 steps — bit for bit, for both models.
    func testExactResume() throws {
        for model in [ModelKind.pix2pix, .cycleGAN] {
            let straight = try TrainingSession(options: options(model, name: "\(model)-straight"), data: SyntheticPairs())
            XCTAssertEqual(try straight.run(), .finished)
            XCTAssertEqual(straight.progress.totalIters, 12)

            var stopAfter = 7  // in the middle of epoch 2
            let first = try TrainingSession(options: options(model, name: "\(model)-resumed"), data: SyntheticPairs())
            XCTAssertEqual(try first.run(shouldStop: { stopAfter -= 1; return stopAfter == 0 }), .interrupted)
            XCTAssertEqual(first.progress.totalIters, 7)
            var again = options(model, name: "\(model)-resumed")
            again.continueTrain = true
            let second = try TrainingSession(options: again, data: SyntheticPairs())
            XCTAssertEqual(second.progress.epoch, 2)
            XCTAssertEqual(second.progress.epochIter, 3)
            XCTAssertEqual(try second.run(), .finished)
            XCTAssertEqual(weights(second), weights(straight), "\(model): resumed weights differ")
            XCTAssertEqual(second.trainer.optimizers.map(\.optimizer.stepCount), straight.trainer.optimizers.map(\.optimizer.stepCount))
        }
    }

    func testRunFolderContents() throws {
        let session = try TrainingSession(options: options(.pix2pix, name: "files"), data: SyntheticPairs())
        _ = try session.run()
        let run = (dir as NSString).appendingPathComponent("files")
        let files = Set(try FileManager.default.contentsOfDirectory(atPath: run))
        for f in ["train_opt.json", "latest_net_G.safetensors", "latest_net_D.safetensors", "latest_state.safetensors",
                  "latest_state.json", "1_net_G.safetensors", "3_net_D.safetensors", "loss_log.jsonl", "web"] {
            XCTAssertTrue(files.contains(f), "missing \(f) in \(files.sorted())")
        }
        let log = LossLog(path: run + "/loss_log.jsonl").read()
        XCTAssertEqual(log.map(\.totalIters), [2, 4, 6, 8, 10, 12])
        let html = try String(contentsOfFile: run + "/web/index.html", encoding: .utf8)
        XCTAssertTrue(html.contains("images/epoch003.png") && html.contains("loss.svg"))
        let grid = try RGBImage(contentsOf: run + "/web/images/epoch001.png")
        XCTAssertEqual(grid.width, 3 * 32 + 2 * 4)   // real_A, fake_B, real_B side by side
        let opts = try JSONDecoder().decode(TrainOptions.self, from: Data(contentsOf: URL(fileURLWithPath: run + "/train_opt.json")))
        XCTAssertEqual(opts, session.options)
        // Our checkpoint loads with no flags, architecture from its metadata.
        let g = try Network.load(contentsOf: run + "/latest_net_G.safetensors")
        XCTAssertEqual(g.spec.kind, "unet_32")
        // LR decayed linearly in the last epoch: 1 - (3 - 2) / 2 = 0.5 of the base rate, then stepped once more.
        XCTAssertEqual(session.progress.scheduler.epoch, 4)
    }

    func testInconsistentCheckpointIsRefused() throws {
        let o = options(.pix2pix, name: "torn")
        var stops = 3
        _ = try TrainingSession(options: o, data: SyntheticPairs()).run(shouldStop: { stops -= 1; return stops == 0 })
        // Simulate a crash between the network files and the state: G is newer than the state.
        let run = (dir as NSString).appendingPathComponent("torn")
        let g = try Network.load(contentsOf: run + "/latest_net_G.safetensors")
        try g.save(to: run + "/latest_net_G.safetensors", extraMetadata: [TrainingState.iterationKey: "999"])
        var again = o; again.continueTrain = true
        XCTAssertThrowsError(try TrainingSession(options: again, data: SyntheticPairs())) { error in
            XCTAssertTrue("\(error)".contains("interrupted"), "\(error)")
        }
    }

    func testNaNLossStopsWithMessage() throws {
        var o = options(.pix2pix, name: "nan")
        o.lr = 1e30  // blows the weights up within a few steps
        o.ganMode = .lsgan
        let session = try TrainingSession(options: o, data: SyntheticPairs())
        XCTAssertThrowsError(try session.run()) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("became") && text.contains("iteration"), text)
        }
    }

    func testValidationMessages() {
        var o = TrainOptions.defaults(for: .pix2pix)
        o.cropSize = 300; o.loadSize = 286
        XCTAssertThrowsError(try o.validate()) { XCTAssertTrue("\($0)".contains("--crop-size 300")) }
        o = TrainOptions.defaults(for: .cycleGAN); o.inputNc = 1
        XCTAssertThrowsError(try o.validate()) { XCTAssertTrue("\($0)".contains("identity")) }
        o = TrainOptions.defaults(for: .pix2pix); o.netD = "huge"
        XCTAssertThrowsError(try o.validate()) { XCTAssertTrue("\($0)".contains("--netD")) }
    }
}

import Foundation
