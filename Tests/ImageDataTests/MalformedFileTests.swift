import Foundation
import XCTest
@testable import ImageData

/// A corpus of broken inputs. Each must give a typed ImageFileError naming the file, and the process
/// must live on (the next test in the same process decodes a good file).
final class MalformedFileTests: XCTestCase {
    var folder = ""

    override func setUpWithError() throws { folder = try makeTemporaryFolder("malformed") }
    override func tearDown() { removeFolder(folder) }

    private func file(_ name: String, _ bytes: [UInt8]) throws -> String {
        let path = folder + "/" + name
        try writeBytes(bytes, to: path)
        return path
    }

    private func validJPEG() throws -> [UInt8] { try smoothImage(width: 64, height: 48).encoded(as: .jpeg) }
    private func validPNG() throws -> [UInt8] { try patternImage(width: 64, height: 48).encoded(as: .png) }

    @discardableResult
    private func expect(_ kind: ImageFileError.Kind, _ name: String, _ bytes: [UInt8],
                        options: DecodeOptions = DecodeOptions(), contains: String? = nil,
                        line: UInt = #line) throws -> ImageFileError? {
        let path = try file(name, bytes)
        let error = assertImageError(kind, path: path, line: line) { _ = try RGBImage(contentsOf: path, options: options) }
        if let contains, let error {
            XCTAssertTrue(error.reason.contains(contains), "\(error)", line: line)
        }
        return error
    }

    func testEmptyGarbageAndMissing() throws {
        try expect(.empty, "empty.jpg", [])
        var rng = RNG(seed: 7)
        try expect(.unknownFormat, "garbage.png", (0..<500).map { _ in UInt8(truncatingIfNeeded: rng.next()) })
        try expect(.unknownFormat, "text.jpg", Array("hello, I am not an image\n".utf8))
        let missing = folder + "/nope.png"
        assertImageError(.notFound, path: missing) { _ = try RGBImage(contentsOf: missing) }
    }

    func testDirectoryNamedLikeAnImage() throws {
        let path = folder + "/x.jpg"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        assertImageError(.isDirectory, path: path) { _ = try RGBImage(contentsOf: path) }
    }

    func testTruncatedJPEGAtSeveralOffsets() throws {
        let jpeg = try validJPEG()
        let sos = try XCTUnwrap(markerOffset(jpeg, 0xDA))
        let inScan = sos + (jpeg.count - sos) / 2
        // 2 bytes: too short to be recognised at all.
        try expect(.unknownFormat, "cut2.jpg", Array(jpeg.prefix(2)))
        for cut in [3, 20, 200, sos + 4, inScan, jpeg.count - 2] {
            try expect(.corrupt, "cut\(cut).jpg", Array(jpeg.prefix(cut)))
        }
        // Without strict mode libjpeg pads a file cut in the scan data (a grey tail) and only warns.
        let lenient = try RGBImage.decode(Array(jpeg.prefix(inScan)), path: "half.jpg", options: DecodeOptions(strict: false))
        XCTAssertEqual(lenient.width, 64)
        XCTAssertThrowsError(try RGBImage.decode(Array(jpeg.prefix(inScan)), path: "half.jpg"))
    }

    func testTruncatedPNGAtSeveralOffsets() throws {
        let png = try validPNG()
        for cut in [8, 20, 33, 60, png.count / 2, png.count - 12, png.count - 1] {
            try expect(.corrupt, "cut\(cut).png", Array(png.prefix(cut)))
        }
    }

    func testPNGWithBadCRCs() throws {
        var png = try validPNG()
        let idat = try XCTUnwrap(chunkOffset(png, "IDAT"))
        let length = Int(png[idat]) << 24 | Int(png[idat + 1]) << 16 | Int(png[idat + 2]) << 8 | Int(png[idat + 3])
        png[idat + 8 + length] ^= 0xFF  // first CRC byte of IDAT
        try expect(.corrupt, "badcrc.png", png, contains: "CRC")
        var header = try validPNG()
        header[29] ^= 0x01  // IHDR CRC
        try expect(.corrupt, "badihdr.png", header)
        var data = try validPNG()
        data[idat + 8 + length / 2] ^= 0x5A  // compressed data damaged (and CRC now wrong too)
        try expect(.corrupt, "baddata.png", data)
    }

    func testHugeDeclaredDimensionsAreRejectedBeforeAllocating() throws {
        try expect(.tooLarge, "huge.png", pngHeaderOnly(width: 60000, height: 60000), contains: "60000x60000")
        var jpeg = try validJPEG()
        let sof = try XCTUnwrap(markerOffset(jpeg, 0xC0))
        jpeg[sof + 5] = 0xEA; jpeg[sof + 6] = 0x60  // height 60000
        jpeg[sof + 7] = 0xEA; jpeg[sof + 8] = 0x60  // width 60000
        try expect(.tooLarge, "huge.jpg", jpeg, contains: "60000x60000")
        try expect(.tooLarge, "huge.ppm", Array("P6\n60000 60000\n255\n".utf8) + [1, 2, 3])
        var bmpBytes = bmp(patternImage(width: 2, height: 2), bitsPerPixel: 24, topDown: false)
        bmpBytes[18] = 0x60; bmpBytes[19] = 0xEA; bmpBytes[22] = 0x60; bmpBytes[23] = 0xEA
        try expect(.tooLarge, "huge.bmp", bmpBytes)
        // The limit is configurable.
        try expect(.tooLarge, "small.png", try validPNG(), options: DecodeOptions(maxPixels: 1000))
        XCTAssertNoThrow(try RGBImage.decode(try validPNG(), path: "ok.png", options: DecodeOptions(maxPixels: 64 * 48)))
    }

    func testOversizedFileIsRefusedBeforeReading() throws {
        // A sparse 20 MB file: more than any 1000-pixel image can need.
        let path = folder + "/big.png"
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(try validPNG())))
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: path))
        try handle.truncate(atOffset: 20 << 20)
        try handle.close()
        assertImageError(.tooLarge, path: path) { _ = try RGBImage(contentsOf: path, options: DecodeOptions(maxPixels: 1000)) }
    }

    func testZeroSizedPNGHeader() throws {
        try expect(.corrupt, "zero.png", pngHeaderOnly(width: 0, height: 10))
    }

    func testJPEGRenamedPNGDecodesByMagicBytes() throws {
        let path = try file("photo.png", try validJPEG())
        let image = try RGBImage(contentsOf: path)
        XCTAssertEqual(image.width, 64)
        XCTAssertEqual(image.height, 48)
        XCTAssertLessThanOrEqual(maxAbsDifference(image, smoothImage(width: 64, height: 48)), 12)
    }

    func testUnsupportedFormatsSaySo() throws {
        try expect(.unsupportedFormat, "scan.tif", [0x49, 0x49, 0x2A, 0x00, 8, 0, 0, 0, 0, 0], contains: "TIFF is not supported")
        try expect(.unsupportedFormat, "scan.tiff", [0x4D, 0x4D, 0x00, 0x2A, 0, 0, 0, 8], contains: "TIFF is not supported")
        try expect(.unsupportedFormat, "anim.gif", Array("GIF89a".utf8) + [1, 0, 1, 0, 0, 0, 0])
        try expect(.unsupportedFormat, "ascii.ppm", Array("P3\n1 1\n255\n1 2 3\n".utf8))
        var paletted = bmp(patternImage(width: 2, height: 2), bitsPerPixel: 24, topDown: false)
        paletted[28] = 8
        try expect(.unsupportedFormat, "palette.bmp", paletted)
    }

    func testTruncatedPPMAndBMP() throws {
        try expect(.corrupt, "short.ppm", Array("P6\n4 4\n255\n".utf8) + [1, 2, 3])
        try expect(.corrupt, "header.ppm", Array("P6\n4".utf8))
        let good = bmp(patternImage(width: 4, height: 4), bitsPerPixel: 24, topDown: false)
        try expect(.corrupt, "short.bmp", Array(good.prefix(good.count - 10)))
        try expect(.corrupt, "tiny.bmp", Array(good.prefix(10)))
    }

    func testDamagedJPEGScanDataIsAnErrorInStrictMode() throws {
        var jpeg = try validJPEG()
        let sos = try XCTUnwrap(markerOffset(jpeg, 0xDA))
        // Plant a bogus restart marker in the middle of the entropy-coded data.
        let middle = sos + (jpeg.count - sos) / 2
        jpeg[middle] = 0xFF; jpeg[middle + 1] = 0xD3
        try expect(.corrupt, "damaged.jpg", jpeg)
    }

    func testProcessLivesOnAfterTheCorpus() throws {
        // Decode all the bad inputs again in a row, then a good one.
        let jpeg = try validJPEG(), png = try validPNG()
        let bad: [[UInt8]] = [[], [0xFF, 0xD8, 0xFF], Array(jpeg.prefix(100)), Array(png.prefix(40)), pngHeaderOnly(width: 60000, height: 60000)]
        for (i, bytes) in bad.enumerated() {
            XCTAssertThrowsError(try RGBImage.decode(bytes, path: "bad\(i)")) { XCTAssertTrue($0 is ImageFileError) }
        }
        XCTAssertEqual(try RGBImage.decode(png, path: "good.png"), patternImage(width: 64, height: 48))
    }
}

// MARK: helpers for building broken files

func crc32(_ bytes: [UInt8]) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for b in bytes {
        crc ^= UInt32(b)
        for _ in 0..<8 { crc = (crc >> 1) ^ (0xEDB8_8320 & (0 &- (crc & 1))) }
    }
    return crc ^ 0xFFFF_FFFF
}

func be32(_ v: Int) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (24 - 8 * $0)) } }

/// A PNG chunk with a correct CRC.
func pngChunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
    let body = Array(type.utf8) + data
    return be32(data.count) + body + be32(Int(crc32(body)))
}

/// Signature + IHDR (8-bit RGB) + an empty IDAT + IEND: a header declaring any size.
func pngHeaderOnly(width: Int, height: Int) -> [UInt8] {
    [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        + pngChunk("IHDR", be32(width) + be32(height) + [8, 2, 0, 0, 0])
        + pngChunk("IDAT", [0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01])
        + pngChunk("IEND", [])
}

/// Offset of the length field of the first chunk of `type`.
func chunkOffset(_ png: [UInt8], _ type: String) -> Int? {
    var at = 8
    while at + 8 <= png.count {
        let length = Int(png[at]) << 24 | Int(png[at + 1]) << 16 | Int(png[at + 2]) << 8 | Int(png[at + 3])
        if String(decoding: png[(at + 4)..<(at + 8)], as: UTF8.self) == type { return at }
        at += 12 + length
    }
    return nil
}

/// Offset of the first JPEG marker FF `code`.
func markerOffset(_ jpeg: [UInt8], _ code: UInt8) -> Int? {
    (0..<(jpeg.count - 1)).first { jpeg[$0] == 0xFF && jpeg[$0 + 1] == code }
}
