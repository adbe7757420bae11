import XCTest
@testable import SafeTensors

/// Reads the PyTorch-written files in ../shared/fixtures and checks them against meta.json.
final class FixtureFileTests: XCTestCase {
    static var fixturesFolder: URL {
        URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()  // <repo>/Tests/SafeTensorsTests/FixtureFileTests.swift
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("shared/fixtures")
    }

    private func fixtureNames() throws -> [String] {
        let folder = Self.fixturesFolder
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        let fixtures = names.filter {
            FileManager.default.fileExists(atPath: folder.appendingPathComponent("\($0)/meta.json").path)
        }.sorted()
        if fixtures.isEmpty { throw XCTSkip("no fixtures at \(folder.path)") }
        return fixtures
    }

    private static let dtypeNames: [String: SafeTensorsDType] = [
        "float32": .f32, "float64": .f64, "int64": .i64, "uint8": .u8,
    ]

    func testWeightsAndIOMatchMeta() throws {
        for name in try fixtureNames() {
            let folder = Self.fixturesFolder.appendingPathComponent(name)
            let meta = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("meta.json"))) as? [String: Any])
            let weights = try SafeTensorsFile.load(path: folder.appendingPathComponent("weights.safetensors").path)
            XCTAssertEqual(weights.metadata["fixture"], name)

            // Every parameter (F32) and buffer, with its shape; nothing else.
            var expected: [String: (shape: [Int], dtype: SafeTensorsDType)] = [:]
            var parameterCount = 0
            for item in try XCTUnwrap(meta["parameters"] as? [[Any]]) {
                let shape = try XCTUnwrap(item[1] as? [Int])
                expected[try XCTUnwrap(item[0] as? String)] = (shape, .f32)
                parameterCount += shape.reduce(1, *)
            }
            for item in try XCTUnwrap(meta["buffers"] as? [[Any]]) {
                expected[try XCTUnwrap(item[0] as? String)] = (try XCTUnwrap(item[1] as? [Int]), try XCTUnwrap(Self.dtypeNames[try XCTUnwrap(item[2] as? String)]))
            }
            XCTAssertEqual(weights.names, expected.keys.sorted(), name)
            for (key, info) in expected {
                XCTAssertEqual(weights.shape(key), info.shape, "\(name) \(key)")
                XCTAssertEqual(weights.dtype(key), info.dtype, "\(name) \(key)")
                if key.hasSuffix("num_batches_tracked") {
                    XCTAssertEqual(try weights.int64s(key), [4], "\(name) \(key)")  // 4 calibration forwards
                }
            }
            XCTAssertEqual(parameterCount, meta["n_params"] as? Int, name)

            let io = try SafeTensorsFile.load(path: folder.appendingPathComponent("io.safetensors").path)
            let ioTensors = try XCTUnwrap(meta["io_tensors"] as? [String: [Any]])
            XCTAssertEqual(io.names, ioTensors.keys.sorted(), name)
            for (key, info) in ioTensors {
                XCTAssertEqual(io.shape(key), info[0] as? [Int], "\(name) \(key)")
                XCTAssertEqual(io.dtype(key), Self.dtypeNames[info[1] as? String ?? ""], "\(name) \(key)")
            }
            // Inputs are uniform[-1, 1); the f32 and f64 eval outputs agree to the recorded noise.
            let input = try io.floats("input")
            XCTAssertEqual(input.count, (meta["input_shape"] as? [Int])?.reduce(1, *))
            XCTAssertTrue(input.allSatisfy { $0 >= -1 && $0 < 1 }, name)
            let out32 = try io.doubles("out_eval"), out64 = try io.doubles("out_eval_f64")
            XCTAssertEqual(out32.count, out64.count)
            let maxDifference = zip(out32, out64).map { abs($0 - $1) }.max() ?? 0
            XCTAssertLessThan(maxDifference, 1e-4, name)
            for key in io.names where key.hasPrefix("dropout_mask.") {
                XCTAssertTrue(try io.int64s(key).allSatisfy { $0 == 0 || $0 == 1 }, "\(name) \(key)")
            }
        }
    }

    /// The reference writer's layout is what we write too: re-serializing a PyTorch file gives the same
    /// bytes, except that the reference orders `__metadata__` keys by hash and we sort them.
    func testReserializedFixturesAreByteIdentical() throws {
        for name in try fixtureNames() {
            for file in ["weights", "io"] {
                let path = Self.fixturesFolder.appendingPathComponent("\(name)/\(file).safetensors").path
                let original = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
                let ours = try SafeTensorsFile.load(path: path).serialized()
                XCTAssertEqual(ours.count, original.count, path)
                let headerEnd = 8 + Int(original[0]) + Int(original[1]) << 8 + Int(original[2]) << 16
                XCTAssertEqual(Array(ours[..<8]), Array(original[..<8]), path)
                XCTAssertTrue(ours[headerEnd...].elementsEqual(original[headerEnd...]), "data section differs: \(path)")
                XCTAssertEqual(try withoutMetadata(ours[8..<headerEnd]), try withoutMetadata(original[8..<headerEnd]), path)
            }
        }
    }

    /// Header text with the `"__metadata__":{...},` member cut out (fixture metadata has no braces).
    private func withoutMetadata(_ header: ArraySlice<UInt8>) throws -> String {
        let text = try XCTUnwrap(String(bytes: header, encoding: .utf8))
        let start = try XCTUnwrap(text.range(of: "\"__metadata__\":{"))
        let end = try XCTUnwrap(text.range(of: "},", range: start.upperBound..<text.endIndex))
        return text.replacingCharacters(in: start.lowerBound..<end.upperBound, with: "")
    }

    func testKnownValuesOfSmallestFixture() throws {
        let folder = Self.fixturesFolder.appendingPathComponent("nlayer_d1_batch_ndf8")
        guard FileManager.default.fileExists(atPath: folder.path) else { throw XCTSkip("fixture absent") }
        let weights = try SafeTensorsFile.load(path: folder.appendingPathComponent("weights.safetensors").path)
        XCTAssertEqual(weights.count, 10)
        XCTAssertEqual(weights.shape("model.0.weight"), [8, 6, 4, 4])
        XCTAssertEqual(weights.shape("model.3.num_batches_tracked"), [])
        XCTAssertEqual(weights.dtype("model.3.num_batches_tracked"), .i64)
        XCTAssertEqual(weights.shape("model.5.weight"), [1, 16, 4, 4])
        XCTAssertNil(weights.shape("model.2.bias"), "conv followed by BatchNorm has no bias")
        // init N(0, 0.02): the standard deviation of 768 conv weights is close to 0.02.
        let w = try weights.floats("model.0.weight")
        let mean = w.reduce(0, +) / Float(w.count)
        let std = (w.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(w.count)).squareRoot()
        XCTAssertEqual(std, 0.02, accuracy: 0.003)
        XCTAssertTrue(try weights.floats("model.3.running_var").allSatisfy { $0 > 0 })
    }
}
