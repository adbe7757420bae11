import CImageCodecs

/// Writers for file variants our normal encoders never produce (every PNG colour type, bit depth and
/// interlacing; CMYK/YCCK JPEG). Tests use them to build their inputs; tools may too.
enum CodecTestEncoders {
    /// PNG from rows already packed the way PNG stores them (see `ic_png_encode_raw`).
    static func png(rows: [UInt8], width: Int, height: Int, bitDepth: Int, colorType: Int, interlaced: Bool,
                    palette: [UInt8] = [], transparency: [UInt8] = []) throws -> [UInt8] {
        try run { out, size, error, errorSize in
            rows.withUnsafeBufferPointer { r in
                palette.withUnsafeBufferPointer { p in
                    transparency.withUnsafeBufferPointer { t in
                        ic_png_encode_raw(r.baseAddress, Int32(width), Int32(height), Int32(bitDepth), Int32(colorType),
                                          interlaced ? 1 : 0, p.baseAddress, Int32(palette.count / 3),
                                          t.baseAddress, Int32(transparency.count), out, size, error, errorSize)
                    }
                }
            }
        }
    }

    /// Adobe-style CMYK (or YCCK) JPEG from 4-channel CMYK pixels (0 = no ink).
    static func cmykJPEG(cmyk: [UInt8], width: Int, height: Int, quality: Int = 95, ycck: Bool = false) throws -> [UInt8] {
        try run { out, size, error, errorSize in
            cmyk.withUnsafeBufferPointer { c in
                ic_jpeg_encode_cmyk(c.baseAddress, Int32(width), Int32(height), Int32(quality), ycck ? 1 : 0,
                                    out, size, error, errorSize)
            }
        }
    }

    private static func run(_ body: (UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>, UnsafeMutablePointer<Int>,
                                     UnsafeMutablePointer<CChar>, Int) -> ic_status) throws -> [UInt8] {
        var out: UnsafeMutablePointer<UInt8>? = nil
        var size = 0
        var message = [CChar](repeating: 0, count: 256)
        let status = message.withUnsafeMutableBufferPointer { body(&out, &size, $0.baseAddress!, $0.count) }
        defer { ic_free(out) }
        guard status == IC_OK, let out else {
            let text = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw ImageFileError(path: "<test encoder>", kind: .invalidArgument, reason: text)
        }
        return [UInt8](UnsafeBufferPointer(start: out, count: size))
    }
}
