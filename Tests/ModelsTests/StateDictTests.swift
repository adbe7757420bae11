import Foundation
import XCTest
@testable import Models

/// Saving and loading weights by state_dict key: exact key sets, strict checking with complete error
/// reports, metadata, and the PyTorch compatibility rules.
final class StateDictTests: XCTestCase {
    private let spec = ModelSpec.discriminator("basic", inputNc: 3, ndf: 4, norm: .batch)

    private func makeNet(seed: UInt64 = 1) throws -> Network {
        var rng = RNG(seed: seed)
        let net = try makeNetwork(spec, rng: &rng)
        // Distinct running statistics and counters, so buffers are checked too.
        for (i, entry) in net.namedBuffers().enumerated() {
            switch entry.buffer {
            case .float(let t): for k in 0..<t.count { t.data[k] = Float(i) + Float(k) * 0.01 + Float(seed) }
            case .counter(let c): c.value = 7 + i
            }
        }
        return net
    }

    private func values(_ net: Network) -> [Float] {
        Array(UnsafeBufferPointer(start: net.flat.values.pointer, count: net.flat.count))
    }

    private func temporaryPath(_ name: String) -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("models-tests-\(getpid())")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent(name).path
    }

    func testStateDictHasPyTorchKeysShapesAndDtypes() throws {
        let net = try makeNet()
        let file = net.stateDict()
        XCTAssertEqual(file.names, net.stateDictKeys.sorted())
        XCTAssertEqual(file.dtype("model.0.weight"), .f32)
        XCTAssertEqual(file.shape("model.0.weight"), [4, 3, 4, 4])
        XCTAssertEqual(file.dtype("model.3.num_batches_tracked"), .i64)
        XCTAssertEqual(file.shape("model.3.num_batches_tracked"), [])
        XCTAssertEqual(file.shape("model.3.running_var"), [8])
        XCTAssertEqual(Array(net.stateDictKeys.prefix(7)), [
            "model.0.weight", "model.0.bias", "model.2.weight", "model.3.weight", "model.3.bias",
            "model.3.running_mean", "model.3.running_var",
        ])
        XCTAssertEqual(try ModelSpec(metadata: file.metadata), spec)
    }

    func testSaveAndLoadRoundTripThroughAFile() throws {
        let net = try makeNet(seed: 1)
        let path = temporaryPath("roundtrip.safetensors")
        try net.save(to: path, extraMetadata: ["epoch": "3"])
        let loaded = try Network.load(contentsOf: path)  // architecture from the metadata
        XCTAssertEqual(loaded.spec, spec)
        XCTAssertEqual(values(loaded), values(net))
        for (a, b) in zip(loaded.namedBuffers(), net.namedBuffers()) {
            switch (a.buffer, b.buffer) {
            case let (.float(x), .float(y)): XCTAssertEqual(x.toArray(), y.toArray(), a.name)
            case let (.counter(x), .counter(y)): XCTAssertEqual(x.value, y.value, a.name)
            default: XCTFail(a.name)
            }
        }
        XCTAssertEqual(try SafeTensorsFile.load(path: path).metadata["epoch"], "3")
    }

    func testStrictLoadReportsEverythingAndChangesNothing() throws {
        let target = try makeNet(seed: 2)
        let before = values(target)
        var file = try makeNet(seed: 3).stateDict()
        file["model.0.bias"] = nil                                           // missing
        file["model.2.weight"] = nil                                         // missing
        file.setFloats("model.99.weight", [1], shape: [1])                   // unexpected
        file.setFloats("model.11.weight", [Float](repeating: 0, count: 32), shape: [1, 32, 1, 1])  // wrong shape
        file.setInt64s("model.3.weight", [Int64](repeating: 1, count: 8), shape: [8])   // wrong dtype
        file.path = "weights.safetensors"
        XCTAssertThrowsError(try target.load(stateDict: file)) { error in
            guard let e = error as? StateDictError else { return XCTFail("\(error)") }
            XCTAssertEqual(e.missing, ["model.0.bias", "model.2.weight"])
            XCTAssertEqual(e.unexpected, ["model.99.weight"])
            XCTAssertEqual(e.mismatched, [
                .init(key: "model.3.weight", expected: "[8] F32", got: "[8] I64"),
                .init(key: "model.11.weight", expected: "[1, 32, 4, 4] F32", got: "[1, 32, 1, 1] F32"),
            ])
            let text = "\(e)"
            XCTAssertTrue(text.hasPrefix("weights.safetensors: weights do not fit basic"), text)
            XCTAssertTrue(text.contains("missing 2 keys: model.0.bias, model.2.weight"), text)
            XCTAssertTrue(text.contains("unexpected 1 key: model.99.weight"), text)
            XCTAssertTrue(text.contains("model.11.weight (expected [1, 32, 4, 4] F32, got [1, 32, 1, 1] F32)"), text)
        }
        XCTAssertEqual(values(target), before)
    }

    func testNonStrictIgnoresMissingAndUnexpectedButNotShapes() throws {
        let target = try makeNet(seed: 2)
        let source = try makeNet(seed: 3)
        var file = source.stateDict()
        file["model.0.bias"] = nil
        file.setFloats("extra", [1], shape: [1])
        try target.load(stateDict: file, strict: false)
        let w = target.namedParameters().first { $0.name == "model.2.weight" }!.tensor
        XCTAssertEqual(w.toArray(), try file.floats("model.2.weight"))
        file.setFloats("model.2.weight", [1], shape: [1])
        XCTAssertThrowsError(try target.load(stateDict: file, strict: false))
    }

    func testPyTorchCompatibilityRules() throws {
        let target = try makeNet(seed: 2)
        let source = try makeNet(seed: 3)
        var file = source.stateDict()
        // Half precision and double weights convert (PyTorch's copy_ does).
        let w = try file.floats("model.0.weight")
        file.setDoubles("model.0.weight", w.map(Double.init), shape: [4, 3, 4, 4])
        // A counter may come as shape [1], or be missing (set to 0).
        file.setInt64s("model.3.num_batches_tracked", [42], shape: [1])
        file["model.6.num_batches_tracked"] = nil
        try target.load(stateDict: file)
        XCTAssertEqual(values(target), values(source))
        let counters = target.namedBuffers().compactMap { e -> (String, Int)? in
            if case .counter(let c) = e.buffer { return (e.name, c.value) } else { return nil }
        }
        XCTAssertEqual(counters.map(\.1), [42, 0, counters[2].1])

        // A DataParallel "module." prefix on every key is stripped.
        var prefixed = SafeTensorsFile()
        for name in file.names { prefixed["module." + name] = file[name] }
        try target.load(stateDict: prefixed)
        XCTAssertEqual(values(target), values(source))
    }

    func testStaleInstanceNormStatisticsAreIgnored() throws {
        var rng = RNG(seed: 1)
        let net = try makeNetwork(.discriminator("basic", inputNc: 3, ndf: 4, norm: .instance), rng: &rng)
        var file = net.stateDict()
        // PyTorch < 0.4 InstanceNorm checkpoints carry running statistics (the reference deletes them).
        file.setFloats("model.3.running_mean", [Float](repeating: 0, count: 8), shape: [8])
        file.setFloats("model.3.running_var", [Float](repeating: 1, count: 8), shape: [8])
        XCTAssertNoThrow(try net.load(stateDict: file))
        file.setFloats("model.2.running_mean", [0], shape: [1])  // model.2 is a conv: really unexpected
        XCTAssertThrowsError(try net.load(stateDict: file))
    }

    func testPlainFileNeedsASpec() throws {
        let net = try makeNet()
        var file = net.stateDict()
        file.metadata = ["format": "pt"]
        let path = temporaryPath("plain.safetensors")
        try file.write(to: path)
        XCTAssertThrowsError(try Network.load(contentsOf: path)) { error in
            XCTAssertTrue("\(error)".hasPrefix(path + ": no network description"), "\(error)")
        }
        let loaded = try Network.load(contentsOf: path, spec: spec)
        XCTAssertEqual(values(loaded), values(net))
        // The wrong architecture is named in the error.
        XCTAssertThrowsError(try Network.load(contentsOf: path, spec: .generator("resnet_6blocks", ngf: 4))) { error in
            XCTAssertTrue("\(error)".contains("weights do not fit resnet_6blocks"), "\(error)")
            XCTAssertTrue("\(error)".contains("is the architecture right?"), "\(error)")
        }
    }
}
