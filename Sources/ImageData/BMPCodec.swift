/// Uncompressed Windows bitmaps with 24 or 32 bits per pixel (the fourth byte of 32-bit pixels is
/// ignored, as PIL does). Palette, 16-bit and RLE bitmaps are reported as unsupported.
enum BMPCodec {
    static func decode(_ bytes: [UInt8], path: String, maxPixels: Int) throws -> RGBImage {
        func corrupt(_ why: String) -> ImageFileError { ImageFileError(path: path, kind: .corrupt, reason: "invalid BMP: \(why)") }
        func u16(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 }
        func u32(_ at: Int) -> Int { u16(at) | u16(at + 2) << 16 }
        func i32(_ at: Int) -> Int { Int(Int32(bitPattern: UInt32(u32(at)))) }
        guard bytes.count >= 26 else { throw corrupt("file too short for the headers (\(bytes.count) bytes)") }
        let dataOffset = u32(10)
        let headerSize = u32(14)
        let width: Int, rawHeight: Int, bitsPerPixel: Int, compression: Int
        if headerSize == 12 {  // OS/2 BITMAPCOREHEADER
            width = u16(18); rawHeight = u16(20); bitsPerPixel = u16(24); compression = 0
        } else if headerSize >= 40 && bytes.count >= 14 + 40 {
            width = i32(18); rawHeight = i32(22); bitsPerPixel = u16(28); compression = u32(30)
        } else {
            throw corrupt("unknown header size \(headerSize)")
        }
        let topDown = rawHeight < 0
        let height = abs(rawHeight)
        guard width > 0, height > 0 else { throw corrupt("empty image \(width)x\(rawHeight)") }
        guard bitsPerPixel == 24 || bitsPerPixel == 32 else {
            throw ImageFileError(path: path, kind: .unsupportedFormat,
                                 reason: "BMP with \(bitsPerPixel) bits per pixel is not supported (only 24 and 32)")
        }
        // 0 = BI_RGB; 3 = BI_BITFIELDS is accepted for 32-bit when the masks are the usual BGRX ones.
        if compression == 3 && bitsPerPixel == 32 {
            let masksAt = 54  // right after a 40-byte header, or inside a V4/V5 header at the same place
            guard bytes.count >= masksAt + 12,
                  u32(masksAt) == 0x00FF_0000, u32(masksAt + 4) == 0x0000_FF00, u32(masksAt + 8) == 0x0000_00FF else {
                throw ImageFileError(path: path, kind: .unsupportedFormat, reason: "BMP with unusual bit-field masks is not supported")
            }
        } else if compression != 0 {
            throw ImageFileError(path: path, kind: .unsupportedFormat,
                                 reason: "compressed BMP (method \(compression)) is not supported")
        }
        guard width * height <= maxPixels else {
            throw ImageFileError(path: path, kind: .tooLarge,
                                 reason: "BMP declares \(width)x\(height) pixels, above the limit of \(maxPixels) pixels")
        }
        let bytesPerPixel = bitsPerPixel / 8
        let stride = (width * bitsPerPixel + 31) / 32 * 4
        guard dataOffset >= 14, dataOffset <= bytes.count, bytes.count - dataOffset >= stride * (height - 1) + width * bytesPerPixel else {
            throw corrupt("truncated: pixel data needs \(stride * height) bytes from offset \(dataOffset), file has \(bytes.count)")
        }
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            let row = dataOffset + (topDown ? y : height - 1 - y) * stride
            for x in 0..<width {
                let s = row + x * bytesPerPixel, d = (y * width + x) * 3
                pixels[d] = bytes[s + 2]; pixels[d + 1] = bytes[s + 1]; pixels[d + 2] = bytes[s]
            }
        }
        return RGBImage(width: width, height: height, channels: 3, pixels: pixels)
    }
}
