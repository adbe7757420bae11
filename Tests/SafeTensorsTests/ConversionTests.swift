import XCTest
@testable import SafeTensors

final class ConversionTests: XCTestCase {
    private func file(_ dtype: SafeTensorsDType, _ shape: [Int], _ bytes: [UInt8]) throws -> SafeTensorsFile {
        var file = SafeTensorsFile()
        file["x"] = SafeTensorsEntry(dtype: dtype, shape: shape, bytes: bytes)
        return try SafeTensorsFile(bytes: file.serialized(), path: "conversion")  // read back: views, not owned
    }

    private func le<T: FixedWidthInteger>(_ values: [T]) -> [UInt8] {
        values.flatMap { value in withUnsafeBytes(of: value.littleEndian) { Array($0) } }
    }

    func testHalfPrecision() throws {
        // 1, -2, 0.5, 65504 (max), smallest subnormal 2^-24, -0, +inf
        let bits: [UInt16] = [0x3C00, 0xC000, 0x3800, 0x7BFF, 0x0001, 0x8000, 0x7C00]
        let values = try file(.f16, [7], le(bits)).floats("x")
        XCTAssertEqual(Array(values.prefix(5)), [1, -2, 0.5, 65504, Float(sign: .plus, exponent: -24, significand: 1)])
        XCTAssertEqual(values[5], 0)
        XCTAssertEqual(values[5].sign, .minus)
        XCTAssertEqual(values[6], .infinity)
        XCTAssertTrue(try file(.f16, [1], le([UInt16(0x7E00)])).floats("x")[0].isNaN)
        XCTAssertEqual(try file(.f16, [1], le([UInt16(0x3555)])).doubles("x"), [Double(Float(bitPattern: 0x3EAA_A000))])
    }

    func testBFloat16AndF64() throws {
        let bf: [UInt16] = [0x3F80, 0xC040, 0x4049]  // 1, -3, 3.140625
        XCTAssertEqual(try file(.bf16, [3], le(bf)).floats("x"), [1, -3, 3.140625])
        let doubles: [Double] = [1.0 / 3.0, -1e300, 0]
        let f64 = try file(.f64, [3], le(doubles.map(\.bitPattern)))
        XCTAssertEqual(try f64.doubles("x"), doubles)
        XCTAssertEqual(try f64.floats("x")[0], Float(1.0 / 3.0))
        XCTAssertEqual(try f64.floats("x")[1], -.infinity)  // out of Float range rounds to infinity
    }

    func testIntegersAndBool() throws {
        XCTAssertEqual(try file(.i8, [3], [0xFF, 5, 0x80]).floats("x"), [-1, 5, -128])
        XCTAssertEqual(try file(.u8, [3], [0xFF, 5, 0x80]).floats("x"), [255, 5, 128])
        XCTAssertEqual(try file(.i16, [2], le([Int16(-300), 300])).int64s("x"), [-300, 300])
        XCTAssertEqual(try file(.i32, [2], le([Int32.min, 7])).int64s("x"), [Int64(Int32.min), 7])
        XCTAssertEqual(try file(.i64, [2], le([Int64.max, -1])).int64s("x"), [.max, -1])
        XCTAssertEqual(try file(.i64, [2], le([Int64(1) << 40, -1])).doubles("x"), [Double(1 << 40), -1])
        XCTAssertEqual(try file(.bool, [3], [0, 1, 1]).floats("x"), [0, 1, 1])
        XCTAssertEqual(try file(.bool, [3], [0, 1, 1]).int64s("x"), [0, 1, 1])
        XCTAssertEqual(try file(.u8, [2], [3, 200]).int64s("x"), [3, 200])
    }

    func testInt64sRejectsFloatTensors() throws {
        var f = SafeTensorsFile()
        f.path = "p.safetensors"
        f.setFloats("w", [1.5], shape: [1])
        XCTAssertThrowsError(try f.int64s("w")) { error in
            let e = error as? SafeTensorsError
            XCTAssertEqual(e?.path, "p.safetensors")
            XCTAssertTrue(e?.reason.contains("F32") == true, "\(error)")
        }
    }

    func testMissingKeyIsNamed() {
        var f = SafeTensorsFile()
        f.path = "ckpt.safetensors"
        for call in [{ _ = try f.floats("model.9.weight") }, { _ = try f.doubles("model.9.weight") },
                     { _ = try f.int64s("model.9.weight") }, { _ = try f.withFloats("model.9.weight") { $0.count } }] {
            XCTAssertThrowsError(try call()) { error in
                XCTAssertEqual("\(error)", "ckpt.safetensors: no tensor named \"model.9.weight\"")
            }
        }
        XCTAssertNil(f.shape("model.9.weight"))
        XCTAssertNil(f["model.9.weight"])
    }

    func testWithFloatsReadsF32InPlace() throws {
        let values: [Float] = (0..<1000).map { Float($0) * 0.5 - 7 }
        var source = SafeTensorsFile()
        source.setInt64s("n", [1], shape: [])
        source.setFloats("w", values, shape: [10, 100])
        let loaded = try SafeTensorsFile(bytes: source.serialized(), path: "m")
        guard case .view(let view)? = loaded.slots["w"] else { return XCTFail("expected a view into the file buffer") }
        try loaded.withFloats("w") { buffer in
            XCTAssertEqual(Array(buffer), values)
            XCTAssertEqual(UnsafeRawPointer(buffer.baseAddress!), view.bytes.baseAddress,
                           "F32 data should be used in place, not copied")
        }
        // Other dtypes are converted.
        XCTAssertEqual(try loaded.withFloats("n") { Array($0) }, [1])
    }

    func testCopyFloatsChecksCount() throws {
        var f = SafeTensorsFile()
        f.setFloats("w", [1, 2, 3, 4], shape: [2, 2])
        let loaded = try SafeTensorsFile(bytes: f.serialized(), path: "m")
        let destination = UnsafeMutablePointer<Float>.allocate(capacity: 4)
        defer { destination.deallocate() }
        try loaded.copyFloats("w", into: destination, count: 4)
        XCTAssertEqual(Array(UnsafeBufferPointer(start: destination, count: 4)), [1, 2, 3, 4])
        XCTAssertThrowsError(try loaded.copyFloats("w", into: destination, count: 3)) { error in
            XCTAssertTrue("\(error)".contains("has 4 elements"), "\(error)")
        }
    }

    func testSetFloatsFromPointerAndDoubles() throws {
        var f = SafeTensorsFile()
        let values: [Float] = [0.25, -1, 3]
        values.withUnsafeBufferPointer { f.setFloats("p", $0, shape: [3]) }
        f.setDoubles("d", [0.1, 0.2], shape: [2, 1])
        let loaded = try SafeTensorsFile(bytes: f.serialized(), path: "m")
        XCTAssertEqual(try loaded.floats("p"), values)
        XCTAssertEqual(try loaded.doubles("d"), [0.1, 0.2])
        XCTAssertEqual(loaded.dtype("d"), .f64)
    }
}
