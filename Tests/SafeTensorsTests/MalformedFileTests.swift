import XCTest
@testable import SafeTensors

/// Hostile or broken files: each must give a SafeTensorsError naming the file and the problem.
final class MalformedFileTests: XCTestCase {
    /// A file image with the given header text (padded like the reference) and data bytes.
    private func image(_ header: String, data: [UInt8] = [], declaredLength: UInt64? = nil) -> [UInt8] {
        var headerBytes = Array(header.utf8)
        headerBytes += Array(repeating: UInt8(ascii: " "), count: (8 - headerBytes.count % 8) % 8)
        let length = declaredLength ?? UInt64(headerBytes.count)
        return withUnsafeBytes(of: length.littleEndian) { Array($0) } + headerBytes + data
    }

    private func assertRejected(_ bytes: [UInt8], _ expectedReason: String,
                                file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try SafeTensorsFile(bytes: bytes, path: "bad.safetensors"), file: file, line: line) { error in
            guard let error = error as? SafeTensorsError else {
                return XCTFail("not a SafeTensorsError: \(error)", file: file, line: line)
            }
            XCTAssertEqual(error.path, "bad.safetensors", file: file, line: line)
            XCTAssertTrue(error.reason.contains(expectedReason), "reason was: \(error.reason)", file: file, line: line)
            XCTAssertFalse(error.description.contains("\n"), "one line", file: file, line: line)
        }
    }

    private let f32x2 = #"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#
    private let eightBytes: [UInt8] = [0, 0, 128, 63, 0, 0, 0, 64]

    func testValidBaselineIsAccepted() throws {
        // So that each rejection below is caused by its one defect.
        let file = try SafeTensorsFile(bytes: image(f32x2, data: eightBytes), path: "ok")
        XCTAssertEqual(try file.floats("w"), [1, 2])
        // Whitespace around the JSON and inside it is fine; unknown fields in an entry are ignored.
        let spaced = " \n{ \"w\" : {\"data_offsets\":[0,8], \"shape\": [2], \"dtype\":\"F32\", \"extra\": [1, {\"a\": null}]} }\t"
        XCTAssertEqual(try SafeTensorsFile(bytes: image(spaced, data: eightBytes), path: "ok").floats("w"), [1, 2])
        // Escapes in names (including a surrogate pair) decode.
        let escaped = #"{"a\u00e9\ud83d\ude00\n":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"__metadata__":null}"#
        XCTAssertEqual(try SafeTensorsFile(bytes: image(escaped, data: [5]), path: "ok").names, ["aé😀\n"])
    }

    func testTooShort() {
        assertRejected([], "file is 0 bytes, too short")
        assertRejected([1, 0, 0], "file is 3 bytes, too short")
    }

    func testHeaderLengthHugeOrPastEnd() {
        assertRejected(image(f32x2, data: eightBytes, declaredLength: UInt64.max), "exceeds the limit")
        assertRejected(image(f32x2, data: eightBytes, declaredLength: 100_000_001), "exceeds the limit")
        assertRejected(image(f32x2, data: eightBytes, declaredLength: 10_000), "runs past the end of the file")
        assertRejected(Array(image(f32x2).prefix(20)), "runs past the end of the file")
    }

    func testInvalidJSON() {
        assertRejected(image("{\"w\":"), "invalid JSON header")
        assertRejected(image("{\"w\" 1}"), "expected ':'")
        assertRejected(image("{\"w\":{}"), "invalid JSON header")
        assertRejected(image("{'w':1}"), "expected a key string")
        assertRejected(image("{} x"), "after the JSON value")
        assertRejected(image("{\"a\":tru}"), "invalid literal")
        assertRejected(image("{\"a\":01}"), "leading zero")
        assertRejected(image("{\"a\":\"\\x\"}"), "invalid escape")
        assertRejected(image("{\"a\":\"\\ud800\"}"), "lone surrogate")
        assertRejected(image("{\"a\":\"tab\there\"}"), "control character")
        assertRejected(image(String(repeating: "[", count: 5000)), "nesting deeper")
        // Bytes that are not UTF-8 inside a string, and a NUL-padded header.
        var bad = image(#"{"w\#u{FF}x":1}"#)
        if let index = bad.firstIndex(of: 0xC3) { bad[index] = 0xFF }
        assertRejected(bad, "not valid UTF-8")
        assertRejected(image(f32x2 + "\0", data: eightBytes), "unexpected byte 0x0 after the JSON value")
    }

    func testJSONNotAnObjectOrWrongTypes() {
        assertRejected(image("[1,2]"), "header is an array, expected a JSON object")
        assertRejected(image("\"w\""), "header is a string")
        assertRejected(image(#"{"w":[1]}"#), "tensor \"w\": entry is an array")
        assertRejected(image(#"{"w":{"dtype":5,"shape":[],"data_offsets":[0,4]}}"#), "\"dtype\" is not a string")
        assertRejected(image(#"{"w":{"dtype":"F32","shape":2,"data_offsets":[0,4]}}"#), "\"shape\" is a number, expected an array")
        assertRejected(image(#"{"w":{"dtype":"F32","shape":[2]}}"#), "tensor \"w\": missing \"data_offsets\"")
        assertRejected(image(#"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0]}}"#), "expected [begin, end]")
        assertRejected(image(#"{"__metadata__":{"a":1}}"#), "__metadata__ value of \"a\" is a number")
        assertRejected(image(#"{"__metadata__":[]}"#), "__metadata__ is an array")
    }

    func testUnknownDtype() {
        assertRejected(image(#"{"w":{"dtype":"F8_E4M3","shape":[2],"data_offsets":[0,2]}}"#, data: [1, 2]),
                       "unsupported dtype \"F8_E4M3\"")
        assertRejected(image(#"{"w":{"dtype":"f32","shape":[2],"data_offsets":[0,8]}}"#, data: eightBytes), "unsupported dtype")
    }

    func testBadShapes() {
        assertRejected(image(#"{"w":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}"#, data: eightBytes),
                       "expected a non-negative integer, got -2")
        assertRejected(image(#"{"w":{"dtype":"F32","shape":[2.0],"data_offsets":[0,8]}}"#, data: eightBytes),
                       "got 2.0")
        assertRejected(image(#"{"w":{"dtype":"F32","shape":[1e1],"data_offsets":[0,8]}}"#, data: eightBytes), "got 1e1")
        assertRejected(image(#"{"w":{"dtype":"F32","shape":[99999999999999999999999],"data_offsets":[0,8]}}"#, data: eightBytes),
                       "too large")
        // Each dimension fits, the product does not (even though a zero comes later).
        assertRejected(image(#"{"w":{"dtype":"F32","shape":[4294967296,4294967296,0],"data_offsets":[0,0]}}"#), "overflows")
        assertRejected(image(#"{"w":{"dtype":"F64","shape":[2305843009213693952],"data_offsets":[0,0]}}"#), "overflows")
    }

    func testBadOffsets() {
        assertRejected(image(#"{"w":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}}"#, data: eightBytes), "begin is after end")
        assertRejected(image(#"{"w":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}"#, data: eightBytes),
                       "run past the data section (8 bytes")
        assertRejected(image(#"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,-8]}}"#, data: eightBytes), "non-negative")
        assertRejected(image(#"{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, data: eightBytes),
                       "span 8 bytes, but shape [3] of F32 needs 12")
    }

    func testTruncatedDataSection() throws {
        let full = image(f32x2, data: eightBytes)
        for cut in 1...7 {
            assertRejected(Array(full.dropLast(cut)), "run past the data section")
        }
        // A real file cut in the middle of its data.
        var file = SafeTensorsFile()
        file.setFloats("a", Array(repeating: 1, count: 100), shape: [10, 10])
        file.setInt64s("n", [3], shape: [])
        let bytes = try file.serialized()
        assertRejected(Array(bytes.prefix(bytes.count / 2)), "file truncated?")
        assertRejected(Array(bytes.prefix(40)), "runs past the end of the file")
    }

    func testCoverageOfDataSection() {
        let two = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#
        assertRejected(image(two, data: eightBytes), "tensor \"b\" at data_offsets [4, 8] overlaps tensor \"a\"")
        let gap = #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#
        assertRejected(image(gap, data: eightBytes), "data bytes 0..<4 belong to no tensor")
        assertRejected(image(f32x2, data: eightBytes + [1, 2]), "data section has 10 bytes but the tensors cover only 8")
    }

    func testDuplicateNames() {
        let duplicate = #"{"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"w":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}"#
        assertRejected(image(duplicate, data: [1, 2]), "duplicate key \"w\"")
        assertRejected(image(#"{"w":{"dtype":"U8","dtype":"U8","shape":[1],"data_offsets":[0,1]}}"#, data: [1]), "duplicate key \"dtype\"")
        assertRejected(image(#"{"__metadata__":{"a":"1","a":"2"}}"#), "duplicate key \"a\"")
    }

    /// Random corruption of a valid file never crashes: it parses or throws a SafeTensorsError.
    func testRandomCorruptionNeverCrashes() throws {
        let valid = try RoundTripTests.sampleFile().serialized()
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Int {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return Int(truncatingIfNeeded: state >> 1)
        }
        var rejected = 0
        for _ in 0..<2000 {
            var bytes = valid
            for _ in 0..<(1 + next() % 4) {
                bytes[next() % bytes.count] = UInt8(truncatingIfNeeded: next())
            }
            if next() % 4 == 0 { bytes = Array(bytes.prefix(next() % bytes.count)) }
            do {
                let file = try SafeTensorsFile(bytes: bytes, path: "fuzz")
                for name in file.names { _ = try file.doubles(name) }  // accepted files must be readable
            } catch let error as SafeTensorsError {
                XCTAssertEqual(error.path, "fuzz")
                rejected += 1
            }
        }
        XCTAssertGreaterThan(rejected, 500)
    }

    func testLoadErrorsNameThePath() throws {
        let folder = try temporaryFolder()
        XCTAssertThrowsError(try SafeTensorsFile.load(path: folder + "/missing.safetensors")) { error in
            XCTAssertEqual("\(error)", folder + "/missing.safetensors: cannot open: No such file or directory")
        }
        XCTAssertThrowsError(try SafeTensorsFile.load(path: folder)) { error in
            XCTAssertEqual("\(error)", folder + ": not a regular file")
        }
        let empty = folder + "/empty.safetensors"
        _ = FileManager.default.createFile(atPath: empty, contents: Data())
        XCTAssertThrowsError(try SafeTensorsFile.load(path: empty)) { error in
            XCTAssertEqual("\(error)", empty + ": file is 0 bytes, too short for the 8-byte header length")
        }
    }
}
