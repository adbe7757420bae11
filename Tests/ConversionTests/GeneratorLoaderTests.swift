import XCTest
@testable import Conversion

final class GeneratorLoaderTests: XCTestCase {
    var dir: String!
    override func setUpWithError() throws { dir = try makeTemporaryFolder("loader") }
    override func tearDownWithError() throws { if let dir { try? FileManager.default.removeItem(atPath: dir) } }

    func testArchitectureIsReadOffPlainStateDicts() throws {
        let specs: [ModelSpec] = [
            .generator("unet_32", ngf: 3, norm: .batch, dropout: true),
            .generator("unet_64", inputNc: 1, outputNc: 3, ngf: 2, norm: .instance, dropout: true),
            .generator("unet_32", ngf: 2, norm: .none, dropout: true),
            .generator("resnet_2blocks", ngf: 4, norm: .batch, dropout: true),
            .generator("resnet_3blocks", inputNc: 3, outputNc: 1, ngf: 5, norm: .instance, dropout: false),
            .generator("resnet_1blocks", ngf: 2, norm: .none, dropout: false),
        ]
        for (i, spec) in specs.enumerated() {
            var rng = RNG(seed: UInt64(i))
            let network = try makeNetwork(spec, rng: &rng)
            let path = "\(dir!)/plain\(i).safetensors"
            try savePlainStateDict(network, to: path)
            let loaded = try GeneratorLoader.load(path)
            XCTAssertEqual(loaded.network.spec, spec, "\(spec)")
            XCTAssertEqual(loaded.notes.count, 1)
            XCTAssertTrue(loaded.notes[0].hasPrefix("no architecture in the file's metadata"), loaded.notes[0])
            XCTAssertEqual(loaded.network.flat.values.pointer[5], network.flat.values.pointer[5])
        }
    }

    func testReferenceFixturesLoadWithoutFlags() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/fixtures").path
        guard FileManager.default.fileExists(atPath: root) else { throw XCTSkip("../shared/fixtures is absent") }
        let expected: [(String, String, NormKind, Int, Bool)] = [
            ("resnet_9blocks_ngf8", "resnet_9blocks", .instance, 8, false),
            ("resnet_6blocks_ngf8_batch_dropout", "resnet_6blocks", .batch, 8, true),
            ("unet_256_ngf8", "unet_256", .batch, 8, true),
            ("unet_d6_ngf4_instance", "unet_64", .instance, 4, true),
        ]
        for (name, kind, norm, ngf, dropout) in expected {
            let path = "\(root)/\(name)/weights.safetensors"
            guard FileManager.default.fileExists(atPath: path) else { continue }
            let spec = try GeneratorLoader.load(path).network.spec
            XCTAssertEqual([spec.kind, spec.norm.rawValue, "\(spec.filters)", "\(spec.dropout)"],
                           [kind, norm.rawValue, "\(ngf)", "\(dropout)"], name)
        }
    }

    func testFlagsOverrideAndWrongFlagsAreUsageErrors() throws {
        let network = try tinyGenerator("unet_32", norm: .batch, dropout: true)
        let plain = dir + "/g.safetensors"
        try savePlainStateDict(network, to: plain)
        XCTAssertEqual(try GeneratorLoader.load(plain, options: ModelOptions(noDropout: true)).network.spec.dropout, false)
        XCTAssertThrowsError(try GeneratorLoader.load(plain, options: ModelOptions(norm: .instance))) { error in
            let e = error as! ConversionError
            XCTAssertTrue(e.isUsage)
            XCTAssertTrue(e.description.hasPrefix(plain + ": weights do not fit unet_32, norm instance"), e.description)
        }
        XCTAssertThrowsError(try GeneratorLoader.load(dir + "/nothing.safetensors")) { error in
            XCTAssertEqual("\(error)", "\(dir!)/nothing.safetensors: no such model file or run folder")
        }
        // A discriminator is refused; a damaged file is not a usage error.
        var rng = RNG(seed: 1)
        try makeNetwork(.discriminator("basic", inputNc: 6, ndf: 2), rng: &rng).save(to: dir + "/d.safetensors")
        XCTAssertThrowsError(try GeneratorLoader.load(dir + "/d.safetensors")) { error in
            XCTAssertEqual("\(error)", "\(dir!)/d.safetensors: holds a discriminator (basic), not a generator")
        }
        XCTAssertTrue(FileManager.default.createFile(atPath: dir + "/broken.safetensors", contents: Data([1, 2, 3])))
        XCTAssertThrowsError(try GeneratorLoader.load(dir + "/broken.safetensors")) { error in
            XCTAssertEqual((error as? ConversionError)?.isUsage, false)
        }
    }

    func testRunFolderPicksTheGenerator() throws {
        let run = dir + "/checkpoints/h2z"
        try FileManager.default.createDirectory(atPath: run, withIntermediateDirectories: true)
        let gA = try tinyGenerator("resnet_1blocks", norm: .instance, dropout: false, seed: 1)
        let gB = try tinyGenerator("resnet_1blocks", norm: .instance, dropout: false, seed: 2)
        for label in ["latest", "5"] {
            try gA.save(to: "\(run)/\(label)_net_G_A.safetensors")
            try gB.save(to: "\(run)/\(label)_net_G_B.safetensors")
        }
        let first = gB.flat.values.pointer[0]
        XCTAssertEqual(try GeneratorLoader.load(run).file, run + "/latest_net_G_A.safetensors")
        // Keep the loaded network alive while reading through its raw pointer.
        let loadedB = try GeneratorLoader.load(run, options: ModelOptions(direction: .bToA)).network
        withExtendedLifetime(loadedB) { XCTAssertEqual(loadedB.flat.values.pointer[0], first) }
        XCTAssertEqual(try GeneratorLoader.load(run, options: ModelOptions(generator: "G_B", epoch: "5")).file, run + "/5_net_G_B.safetensors")
        XCTAssertThrowsError(try GeneratorLoader.load(run, options: ModelOptions(epoch: "7"))) { error in
            XCTAssertEqual("\(error)", "\(run): no 7_net_G.safetensors or 7_net_G_A.safetensors (saved epochs: 5, latest)")
        }
        XCTAssertThrowsError(try GeneratorLoader.load(run, options: ModelOptions(generator: "G")))
        // pix2pix: one generator, trained one way.
        let p2p = dir + "/checkpoints/facades"
        try FileManager.default.createDirectory(atPath: p2p, withIntermediateDirectories: true)
        try gA.save(to: p2p + "/latest_net_G.safetensors")
        XCTAssertTrue(FileManager.default.createFile(atPath: p2p + "/train_opt.json", contents: Data(#"{"direction": "BtoA", "model": "pix2pix"}"#.utf8)))
        XCTAssertEqual(try GeneratorLoader.load(p2p, options: ModelOptions(direction: .bToA)).file, p2p + "/latest_net_G.safetensors")
        XCTAssertThrowsError(try GeneratorLoader.load(p2p, options: ModelOptions(direction: .aToB))) { error in
            XCTAssertTrue("\(error)".contains("trained BtoA"), "\(error)")
        }
    }
}
