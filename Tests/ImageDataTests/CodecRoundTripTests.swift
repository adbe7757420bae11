import XCTest
@testable import ImageData

/// Every PNG and JPEG variant the issue lists, built with libpng/libjpeg encoders and read back.
final class CodecRoundTripTests: XCTestCase {
    // MARK: PNG

    /// 8-bit samples, packed as PNG stores them.
    private func png(_ samples: [UInt8], width: Int, height: Int, colorType: Int, bitDepth: Int = 8,
                     interlaced: Bool = false, palette: [UInt8] = [], transparency: [UInt8] = []) throws -> RGBImage {
        let bytes = try CodecTestEncoders.png(rows: samples, width: width, height: height, bitDepth: bitDepth,
                                              colorType: colorType, interlaced: interlaced,
                                              palette: palette, transparency: transparency)
        XCTAssertEqual(ImageFormat.sniff(bytes), .png)
        return try RGBImage.decode(bytes, path: "variant.png", mode: .native)
    }

    /// 16-bit big-endian samples of value v * 257 (exactly v after scaling back to 8 bits).
    private func widened(_ samples: [UInt8]) -> [UInt8] { samples.flatMap { [$0, $0] } }

    func testGray8AndItsRGBView() throws {
        let source = patternImage(width: 9, height: 7, channels: 1)
        let decoded = try png(source.pixels, width: 9, height: 7, colorType: 0)
        XCTAssertEqual(decoded, source)
        let rgb = try RGBImage.decode(try source.encoded(as: .png), path: "g.png", mode: .rgb)
        XCTAssertEqual(rgb.channels, 3)
        XCTAssertEqual(rgb, source.toRGB())
    }

    func testGrayLowBitDepths() throws {
        // 1-bit: 8 pixels per byte, MSB first; 0b10110001 -> 255,0,255,255,0,0,0,255
        let oneBit = try png([0b1011_0001], width: 8, height: 1, colorType: 0, bitDepth: 1)
        XCTAssertEqual(oneBit.pixels, [255, 0, 255, 255, 0, 0, 0, 255])
        // 4-bit: two pixels per byte, value v -> v * 17
        let fourBit = try png([0x0F, 0x58], width: 4, height: 1, colorType: 0, bitDepth: 4)
        XCTAssertEqual(fourBit.pixels, [0, 255, 85, 136])
        // 2-bit: v -> v * 85
        let twoBit = try png([0b0001_1011], width: 4, height: 1, colorType: 0, bitDepth: 2)
        XCTAssertEqual(twoBit.pixels, [0, 85, 170, 255])
    }

    func testGray16() throws {
        let source = patternImage(width: 6, height: 5, channels: 1)
        XCTAssertEqual(try png(widened(source.pixels), width: 6, height: 5, colorType: 0, bitDepth: 16), source)
        // Low byte noise rounds away: 0x80FF is 128.99/256ths of full scale -> 128 or 129, never further.
        let noisy = try png([0x80, 0xFF, 0x10, 0x01], width: 2, height: 1, colorType: 0, bitDepth: 16)
        XCTAssertTrue((128...129).contains(noisy.pixels[0]), "\(noisy.pixels)")
        XCTAssertEqual(noisy.pixels[1], 16)
    }

    func testGrayAlphaCompositesOnWhite() throws {
        // (value, alpha): opaque keeps the value, transparent becomes white, half is in between.
        let decoded = try png([10, 255, 10, 0, 0, 128, 200, 255], width: 4, height: 1, colorType: 4)
        XCTAssertEqual(decoded.channels, 1)
        XCTAssertEqual(decoded.pixels[0], 10)
        XCTAssertEqual(decoded.pixels[1], 255)
        XCTAssertEqual(decoded.pixels[2], 127)  // (0 * 128 + 255 * 127) / 255
        XCTAssertEqual(decoded.pixels[3], 200)
    }

    func testRGB8AndRGB16() throws {
        let source = patternImage(width: 7, height: 5)
        XCTAssertEqual(try png(source.pixels, width: 7, height: 5, colorType: 2), source)
        XCTAssertEqual(try png(widened(source.pixels), width: 7, height: 5, colorType: 2, bitDepth: 16), source)
    }

    func testRGBAOpaqueTransparentAndSixteenBit() throws {
        let source = patternImage(width: 4, height: 3)
        var rgba: [UInt8] = []
        for i in 0..<12 {
            let alpha: UInt8 = i == 5 ? 0 : 255
            rgba += [source.pixels[3 * i], source.pixels[3 * i + 1], source.pixels[3 * i + 2], alpha]
        }
        let decoded = try png(rgba, width: 4, height: 3, colorType: 6)
        var expected = source
        expected[x: 1, y: 1, c: 0] = 255; expected[x: 1, y: 1, c: 1] = 255; expected[x: 1, y: 1, c: 2] = 255
        XCTAssertEqual(decoded, expected)
        XCTAssertEqual(try png(widened(rgba), width: 4, height: 3, colorType: 6, bitDepth: 16), expected)
    }

    func testPaletteWithTransparency() throws {
        let palette: [UInt8] = [255, 0, 0, 0, 255, 0, 0, 0, 255, 12, 34, 56]
        let indices: [UInt8] = [0, 1, 2, 3, 3, 2, 1, 0]
        let decoded = try png(indices, width: 4, height: 2, colorType: 3, palette: palette)
        XCTAssertEqual(decoded.channels, 3)
        XCTAssertEqual(decoded.pixels, indices.flatMap { Array(palette[(3 * Int($0))..<(3 * Int($0) + 3)]) })
        // Entry 1 fully transparent -> white.
        let transparent = try png(indices, width: 4, height: 2, colorType: 3, palette: palette, transparency: [255, 0])
        XCTAssertEqual(Array(transparent.pixels[3..<6]), [255, 255, 255])
        XCTAssertEqual(Array(transparent.pixels[0..<3]), [255, 0, 0])
        // 4-bit palette indices, two per byte.
        let packed = try png([0x01, 0x23, 0x32, 0x10], width: 4, height: 2, colorType: 3, bitDepth: 4, palette: palette)
        XCTAssertEqual(packed, decoded)
    }

    func testInterlacedVariants() throws {
        let source = patternImage(width: 13, height: 11)
        XCTAssertEqual(try png(source.pixels, width: 13, height: 11, colorType: 2, interlaced: true), source)
        let gray = patternImage(width: 13, height: 11, channels: 1)
        XCTAssertEqual(try png(widened(gray.pixels), width: 13, height: 11, colorType: 0, bitDepth: 16, interlaced: true), gray)
        var palette: [UInt8] = []
        for i in 0..<16 { palette += [UInt8(i * 16), UInt8(255 - i * 16), UInt8(i * 5)] }
        let indices = (0..<(13 * 11)).map { UInt8($0 % 16) }
        let interlaced = try png(indices, width: 13, height: 11, colorType: 3, interlaced: true, palette: palette)
        let plain = try png(indices, width: 13, height: 11, colorType: 3, palette: palette)
        XCTAssertEqual(interlaced, plain)
        XCTAssertEqual(interlaced[x: 5, y: 2, c: 0], palette[3 * ((2 * 13 + 5) % 16)])
    }

    func testOwnPNGEncoderRoundTripsExactly() throws {
        for channels in [1, 3] {
            let source = patternImage(width: 17, height: 9, channels: channels)
            let bytes = try source.encoded(as: .png)
            XCTAssertEqual(try RGBImage.decode(bytes, path: "x.png", mode: .native), source)
        }
    }

    // MARK: JPEG

    func testBaselineJPEGIsClose() throws {
        let source = smoothImage(width: 40, height: 24)
        let bytes = try source.encoded(as: .jpeg, options: EncodeOptions(jpegQuality: 95))
        XCTAssertEqual(ImageFormat.sniff(bytes), .jpeg)
        XCTAssertTrue(containsMarker(bytes, 0xC0), "baseline SOF0")
        let decoded = try RGBImage.decode(bytes, path: "x.jpg")
        XCTAssertEqual(decoded.channels, 3)
        XCTAssertLessThanOrEqual(maxAbsDifference(decoded, source), 12)
    }

    func testProgressiveJPEGDecodesToTheSamePixelsAsBaseline() throws {
        // Same quantised coefficients, different entropy coding: pixels must be identical.
        let source = smoothImage(width: 33, height: 21)
        let baseline = try source.encoded(as: .jpeg, options: EncodeOptions(jpegQuality: 90))
        let progressive = try source.encoded(as: .jpeg, options: EncodeOptions(jpegQuality: 90, progressive: true))
        XCTAssertTrue(containsMarker(progressive, 0xC2), "progressive SOF2")
        XCTAssertFalse(containsMarker(progressive, 0xC0))
        XCTAssertEqual(try RGBImage.decode(progressive, path: "p.jpg"), try RGBImage.decode(baseline, path: "b.jpg"))
    }

    func testGrayscaleJPEGStaysGrayOrBecomesThreeEqualChannels() throws {
        let source = smoothImage(width: 24, height: 16, channels: 1)
        let bytes = try source.encoded(as: .jpeg)
        let native = try RGBImage.decode(bytes, path: "g.jpg", mode: .native)
        XCTAssertEqual(native.channels, 1)
        XCTAssertLessThanOrEqual(maxAbsDifference(native, source), 6)
        let rgb = try RGBImage.decode(bytes, path: "g.jpg", mode: .rgb)
        XCTAssertEqual(rgb, native.toRGB())
    }

    func testCMYKAndYCCKJPEGsBecomeRGB() throws {
        // Flat patches of known ink: red (M+Y), cyan (C), 50% black, white (no ink).
        let inks: [[UInt8]] = [[0, 255, 255, 0], [255, 0, 0, 0], [0, 0, 0, 128], [0, 0, 0, 0]]
        let expected: [[Int]] = [[255, 0, 0], [0, 255, 255], [127, 127, 127], [255, 255, 255]]
        let width = 32, height = 8
        var cmyk = [UInt8](repeating: 0, count: width * height * 4)
        for y in 0..<height { for x in 0..<width { for k in 0..<4 { cmyk[(y * width + x) * 4 + k] = inks[x / 8][k] } } }
        for ycck in [false, true] {
            let bytes = try CodecTestEncoders.cmykJPEG(cmyk: cmyk, width: width, height: height, quality: 100, ycck: ycck)
            let decoded = try RGBImage.decode(bytes, path: "cmyk.jpg")
            XCTAssertEqual(decoded.channels, 3)
            for (patch, rgb) in expected.enumerated() {
                let (r, g, b) = decoded.rgb(x: patch * 8 + 4, y: 4)
                XCTAssertEqual(Int(r), rgb[0], accuracy: 3, "ycck \(ycck) patch \(patch)")
                XCTAssertEqual(Int(g), rgb[1], accuracy: 3, "ycck \(ycck) patch \(patch)")
                XCTAssertEqual(Int(b), rgb[2], accuracy: 3, "ycck \(ycck) patch \(patch)")
            }
        }
    }

    // MARK: PPM / BMP

    func testPPMAndPGM() throws {
        let rgb = patternImage(width: 5, height: 3)
        XCTAssertEqual(try RGBImage.decode(try rgb.encoded(as: .ppm), path: "x.ppm", mode: .native), rgb)
        let gray = patternImage(width: 5, height: 3, channels: 1)
        XCTAssertEqual(try RGBImage.decode(try gray.encoded(as: .ppm), path: "x.pgm", mode: .native), gray)
        // Comments, odd whitespace and maxval 15 (scaled to 0...255) and 16-bit samples.
        let small = Array("P5 # a comment\n2\t1\n15\n".utf8) + [0, 15]
        XCTAssertEqual(try RGBImage.decode(small, path: "s.pgm", mode: .native).pixels, [0, 255])
        let wide = Array("P5\n2 1\n65535\n".utf8) + [0x80, 0x00, 0xFF, 0xFF]
        XCTAssertEqual(try RGBImage.decode(wide, path: "w.pgm", mode: .native).pixels, [128, 255])
    }

    func testBMP24BottomUpAnd32TopDown() throws {
        let image = patternImage(width: 3, height: 2)
        XCTAssertEqual(try RGBImage.decode(bmp(image, bitsPerPixel: 24, topDown: false), path: "x.bmp"), image)
        XCTAssertEqual(try RGBImage.decode(bmp(image, bitsPerPixel: 32, topDown: true), path: "x.bmp"), image)
    }

    // MARK: writing

    func testAtomicWriteLeavesOnlyTheFinalFile() throws {
        let folder = try makeTemporaryFolder()
        defer { removeFolder(folder) }
        let image = patternImage(width: 8, height: 8)
        try image.write(to: folder + "/a.png")
        try smoothImage(width: 8, height: 8).write(to: folder + "/a.png")  // replaces
        try image.write(to: folder + "/b.JPG", options: EncodeOptions(jpegQuality: 80))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder).sorted(), ["a.png", "b.JPG"])
        XCTAssertEqual(try RGBImage(contentsOf: folder + "/a.png"), smoothImage(width: 8, height: 8))
        XCTAssertEqual(ImageFormat.sniff(try FileBytes.read(folder + "/b.JPG")), .jpeg)

        assertImageError(.writeFailed, path: folder + "/missing/c.png") { try image.write(to: folder + "/missing/c.png") }
        try FileManager.default.createDirectory(atPath: folder + "/d.png", withIntermediateDirectories: false)
        assertImageError(.isDirectory, path: folder + "/d.png") { try image.write(to: folder + "/d.png") }
        assertImageError(.invalidArgument, path: folder + "/e.xyz") { try image.write(to: folder + "/e.xyz") }
        assertImageError(.invalidArgument, path: folder + "/q.jpg") {
            try image.write(to: folder + "/q.jpg", options: EncodeOptions(jpegQuality: 0))
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder).sorted(), ["a.png", "b.JPG", "d.png"])
    }
}

/// True when `bytes` contain the JPEG marker FF `code`.
func containsMarker(_ bytes: [UInt8], _ code: UInt8) -> Bool {
    zip(bytes, bytes.dropFirst()).contains { $0 == 0xFF && $1 == code }
}

/// A BMP file (BITMAPINFOHEADER, BI_RGB) of an RGB image.
func bmp(_ image: RGBImage, bitsPerPixel: Int, topDown: Bool) -> [UInt8] {
    let bytesPerPixel = bitsPerPixel / 8
    let stride = (image.width * bitsPerPixel + 31) / 32 * 4
    func le32(_ v: Int) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
    func le16(_ v: Int) -> [UInt8] { (0..<2).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
    var bytes: [UInt8] = Array("BM".utf8) + le32(54 + stride * image.height) + le32(0) + le32(54)
    bytes += le32(40) + le32(image.width) + le32(topDown ? -image.height : image.height) + le16(1) + le16(bitsPerPixel)
    bytes += le32(0) + le32(stride * image.height) + le32(2835) + le32(2835) + le32(0) + le32(0)
    for row in 0..<image.height {
        let y = topDown ? row : image.height - 1 - row
        var line = [UInt8](repeating: 0, count: stride)
        for x in 0..<image.width {
            let (r, g, b) = image.rgb(x: x, y: y)
            line[x * bytesPerPixel] = b; line[x * bytesPerPixel + 1] = g; line[x * bytesPerPixel + 2] = r
            if bytesPerPixel == 4 { line[x * 4 + 3] = 0x7F }
        }
        bytes += line
    }
    return bytes
}
