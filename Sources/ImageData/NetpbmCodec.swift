/// Binary Netpbm images: P6 (PPM, RGB) and P5 (PGM, gray), maxval up to 65535 (scaled to 8 bits).
/// ASCII variants (P2, P3) and bitmaps (P1, P4) are reported as unsupported.
enum NetpbmCodec {
    static func decode(_ bytes: [UInt8], path: String, maxPixels: Int) throws -> RGBImage {
        func corrupt(_ why: String) -> ImageFileError { ImageFileError(path: path, kind: .corrupt, reason: "invalid PPM/PGM: \(why)") }
        let kind = bytes[1]
        guard kind == UInt8(ascii: "5") || kind == UInt8(ascii: "6") else {
            throw ImageFileError(path: path, kind: .unsupportedFormat,
                                 reason: "Netpbm P\(Character(UnicodeScalar(kind))) is not supported (only binary P5 PGM and P6 PPM)")
        }
        var position = 2
        // Header fields are separated by whitespace; '#' starts a comment up to the end of the line.
        func nextNumber() throws -> Int {
            while position < bytes.count {
                let b = bytes[position]
                if b == UInt8(ascii: "#") {
                    while position < bytes.count && bytes[position] != 0x0A && bytes[position] != 0x0D { position += 1 }
                } else if b == 0x20 || (0x09...0x0D).contains(b) {
                    position += 1
                } else { break }
            }
            var value = 0, digits = 0
            while position < bytes.count, (0x30...0x39).contains(bytes[position]) {
                value = value * 10 + Int(bytes[position] - 0x30)
                digits += 1
                position += 1
                if value > 1_000_000_000 { throw corrupt("header number too large") }
            }
            if digits == 0 { throw corrupt(position >= bytes.count ? "header ends early" : "bad header") }
            return value
        }
        let width = try nextNumber(), height = try nextNumber(), maxval = try nextNumber()
        guard width > 0, height > 0 else { throw corrupt("empty image \(width)x\(height)") }
        guard (1...65535).contains(maxval) else { throw corrupt("maxval \(maxval) outside 1...65535") }
        guard width * height <= maxPixels else {
            throw ImageFileError(path: path, kind: .tooLarge,
                                 reason: "PPM declares \(width)x\(height) pixels, above the limit of \(maxPixels) pixels")
        }
        guard position < bytes.count else { throw corrupt("no pixel data") }
        position += 1  // exactly one whitespace byte before the raster
        let channels = kind == UInt8(ascii: "6") ? 3 : 1
        let sampleBytes = maxval > 255 ? 2 : 1
        let needed = width * height * channels * sampleBytes
        guard bytes.count - position >= needed else {
            throw corrupt("truncated: \(bytes.count - position) of \(needed) pixel bytes")
        }
        var pixels = [UInt8](repeating: 0, count: width * height * channels)
        if sampleBytes == 1 && maxval == 255 {
            pixels.withUnsafeMutableBufferPointer { out in
                bytes.withUnsafeBufferPointer { input in
                    out.baseAddress!.update(from: input.baseAddress! + position, count: out.count)
                }
            }
        } else {
            for i in 0..<pixels.count {
                let v = sampleBytes == 2
                    ? Int(bytes[position + 2 * i]) << 8 | Int(bytes[position + 2 * i + 1])
                    : Int(bytes[position + i])
                pixels[i] = UInt8((min(v, maxval) * 255 + maxval / 2) / maxval)
            }
        }
        return RGBImage(width: width, height: height, channels: channels, pixels: pixels)
    }

    /// P6 for RGB, P5 for gray, maxval 255.
    static func encode(_ image: RGBImage) -> [UInt8] {
        let header = "P\(image.channels == 3 ? 6 : 5)\n\(image.width) \(image.height)\n255\n"
        return Array(header.utf8) + image.pixels
    }
}
