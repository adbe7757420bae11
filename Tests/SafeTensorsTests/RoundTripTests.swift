import XCTest
@testable import SafeTensors

final class RoundTripTests: XCTestCase {
    /// One tensor of every dtype (with recognizable bytes), a 0-d I64, an empty tensor, and metadata.
    static func sampleFile() -> SafeTensorsFile {
        var file = SafeTensorsFile()
        for (i, dtype) in SafeTensorsDType.allCases.enumerated() {
            let shape = [2, 3]
            let bytes = (0..<(6 * dtype.byteSize)).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ i) }
            file["t.\(dtype.rawValue)"] = SafeTensorsEntry(dtype: dtype, shape: shape, bytes: dtype == .bool ? bytes.map { $0 & 1 } : bytes)
        }
        file.setInt64s("bn.num_batches_tracked", [4], shape: [])
        file.setFloats("empty", [], shape: [0, 5])
        file.setFloats("scalar_f32", [2.5], shape: [])
        file.metadata = ["netG": "unet_256", "quote\"and\\slash/": "line\nbreak\ttab\u{1}é✓", "": "empty key"]
        return file
    }

    func testAllDtypesRoundTripExactly() throws {
        let original = Self.sampleFile()
        let bytes = try original.serialized()
        let parsed = try SafeTensorsFile(bytes: bytes, path: "memory")
        XCTAssertEqual(parsed.names, original.names)
        XCTAssertEqual(parsed.metadata, original.metadata)
        for name in original.names {
            let a = try XCTUnwrap(original[name]), b = try XCTUnwrap(parsed[name])
            XCTAssertEqual(a.dtype, b.dtype, name)
            XCTAssertEqual(a.shape, b.shape, name)
            XCTAssertEqual(a.bytes, b.bytes, name)
        }
        XCTAssertEqual(parsed.shape("bn.num_batches_tracked"), [])
        XCTAssertEqual(parsed.dtype("bn.num_batches_tracked"), .i64)
        XCTAssertEqual(try parsed.int64s("bn.num_batches_tracked"), [4])
        XCTAssertEqual(try parsed.floats("scalar_f32"), [2.5])
        XCTAssertEqual(try parsed.floats("empty"), [])
        XCTAssertEqual(parsed.shape("empty"), [0, 5])
        // Re-serializing what we read gives the very same bytes.
        XCTAssertEqual(try parsed.serialized(), bytes)
    }

    func testWriteAndLoadGiveIdenticalBytes() throws {
        let folder = try temporaryFolder()
        let path = folder + "/sample.safetensors"
        let original = Self.sampleFile()
        try original.write(to: path)
        let onDisk = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        XCTAssertEqual(onDisk, try original.serialized())
        let loaded = try SafeTensorsFile.load(path: path)
        XCTAssertEqual(loaded.path, path)
        XCTAssertEqual(try loaded.serialized(), onDisk)
        try loaded.write(to: folder + "/again.safetensors")
        XCTAssertEqual(try [UInt8](Data(contentsOf: URL(fileURLWithPath: folder + "/again.safetensors"))), onDisk)
    }

    /// The layout of the reference writer: compact JSON, data ordered by descending dtype alignment
    /// then name, header padded with spaces to a multiple of 8.
    func testLayoutMatchesReferenceWriter() throws {
        var file = SafeTensorsFile()
        file.setFloats("b", [1, 2], shape: [2])
        file.setInt64s("c", [7], shape: [])
        file["a"] = SafeTensorsEntry(dtype: .u8, shape: [3], bytes: [9, 8, 7])
        file.setFloats("a.w", [3], shape: [1])
        file.metadata = ["z": "1", "a": "2"]
        let bytes = try file.serialized()
        let header = #"{"__metadata__":{"a":"2","z":"1"},"c":{"dtype":"I64","shape":[],"data_offsets":[0,8]},"#
            + #""a.w":{"dtype":"F32","shape":[1],"data_offsets":[8,12]},"b":{"dtype":"F32","shape":[2],"data_offsets":[12,20]},"#
            + #""a":{"dtype":"U8","shape":[3],"data_offsets":[20,23]}}"#
        let padded = Array(header.utf8) + Array(repeating: UInt8(ascii: " "), count: (8 - header.utf8.count % 8) % 8)
        XCTAssertEqual(padded.count % 8, 0)
        var expected = withUnsafeBytes(of: UInt64(padded.count).littleEndian) { Array($0) } + padded
        expected += withUnsafeBytes(of: Int64(7).littleEndian) { Array($0) }
        for value: Float in [3, 1, 2] { expected += withUnsafeBytes(of: value.bitPattern.littleEndian) { Array($0) } }
        expected += [9, 8, 7]
        XCTAssertEqual(bytes, expected)
    }

    func testEmptyFileIsBraceAndPadding() throws {
        let bytes = try SafeTensorsFile().serialized()
        XCTAssertEqual(bytes, [8, 0, 0, 0, 0, 0, 0, 0] + Array("{}      ".utf8))
        let parsed = try SafeTensorsFile(bytes: bytes, path: "empty")
        XCTAssertEqual(parsed.count, 0)
        XCTAssertEqual(parsed.metadata, [:])
    }

    func testReplaceAndRemoveTensors() throws {
        var file = try SafeTensorsFile(bytes: Self.sampleFile().serialized(), path: "m")
        file.setFloats("t.F32", [1, 2, 3], shape: [3])
        file["t.U8"] = nil
        XCTAssertFalse(file.contains("t.U8"))
        XCTAssertEqual(try file.floats("t.F32"), [1, 2, 3])
        let again = try SafeTensorsFile(bytes: file.serialized(), path: "m2")
        XCTAssertEqual(again.names, file.names)
        XCTAssertEqual(try again.floats("t.F32"), [1, 2, 3])
        XCTAssertEqual(again["t.BF16"]?.bytes, file["t.BF16"]?.bytes)
    }

    func testInvalidEntriesAreReportedWhenSerializing() {
        var file = SafeTensorsFile()
        file.path = "out.safetensors"
        file.setFloats("w", [1, 2, 3], shape: [2, 2])
        XCTAssertThrowsError(try file.serialized()) { error in
            let reason = (error as? SafeTensorsError)?.reason ?? ""
            XCTAssertTrue(reason.contains("\"w\"") && reason.contains("12 bytes") && reason.contains("16"), reason)
        }
        file.setFloats("w", [1], shape: [-1])
        XCTAssertThrowsError(try file.serialized()) { error in
            XCTAssertTrue((error as? SafeTensorsError)?.reason.contains("invalid shape") == true, "\(error)")
        }
        file["w"] = nil
        file.setFloats("__metadata__", [1], shape: [1])
        XCTAssertThrowsError(try file.serialized()) { error in
            XCTAssertTrue((error as? SafeTensorsError)?.reason.contains("reserved") == true, "\(error)")
        }
    }
}

/// A fresh folder under the system temporary directory, removed when the test ends.
extension XCTestCase {
    func temporaryFolder() throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("safetensors-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url.path
    }
}
