import CImageCodecs

/// How files are decoded.
public struct DecodeOptions: Sendable, Equatable {
    /// libjpeg warnings (truncated file, corrupt data) are errors, and a PNG must be complete up to IEND.
    /// The default: training data must be whole.
    public var strict: Bool
    /// Largest width*height accepted, checked against the header before any pixel memory is allocated.
    public var maxPixels: Int

    public static let defaultMaxPixels = 100_000_000

    /// Largest file accepted: 8 bytes per allowed pixel (16-bit RGB PPM needs 6) plus 16 MB of metadata.
    var maxFileBytes: Int {
        let (product, overflow) = maxPixels.multipliedReportingOverflow(by: 8)
        return maxPixels <= 0 || overflow ? .max : product + 16 << 20
    }

    public init(strict: Bool = true, maxPixels: Int = DecodeOptions.defaultMaxPixels) {
        self.strict = strict
        self.maxPixels = maxPixels
    }
}

/// Which channels a decoded image should have.
public enum ColorMode: String, Sendable, CaseIterable, Codable {
    /// As stored: gray files give 1 channel, everything else 3.
    case native
    /// Always 3 channels (gray replicated), like PIL's convert("RGB").
    case rgb
    /// Always 1 channel, by PIL's convert("L") formula.
    case gray

    /// The mode for a model with 1 or 3 channels.
    public init(channels: Int) { self = channels == 1 ? .gray : .rgb }
}

extension RGBImage {
    /// Reads an image file, choosing the decoder by its first bytes (a JPEG named .png decodes fine).
    /// Alpha is composited onto white. Throws `ImageFileError` naming `path`.
    public init(contentsOf path: String, mode: ColorMode = .rgb, options: DecodeOptions = DecodeOptions()) throws {
        let bytes = try FileBytes.read(path, maxBytes: options.maxFileBytes)
        self = try RGBImage.decode(bytes, path: path, mode: mode, options: options)
    }

    /// Decodes image bytes (JPEG, PNG, PPM/PGM, BMP) by magic bytes; `path` only labels errors.
    public static func decode(_ bytes: [UInt8], path: String, mode: ColorMode = .rgb,
                              options: DecodeOptions = DecodeOptions()) throws -> RGBImage {
        if bytes.isEmpty { throw ImageFileError(path: path, kind: .empty, reason: "empty file (0 bytes)") }
        guard let format = ImageFormat.sniff(bytes) else {
            throw ImageFileError(path: path, kind: .unknownFormat,
                                 reason: "not a JPEG, PNG, PPM/PGM or BMP image (unrecognised first bytes \(hexPrefix(bytes)))")
        }
        let image: RGBImage
        switch format {
        case .jpeg: image = try decodeWithC(bytes, path: path, format: "JPEG", options: options, ic_jpeg_decode_strict(options.strict))
        case .png: image = try decodeWithC(bytes, path: path, format: "PNG", options: options, ic_png_decode_strict(options.strict))
        case .ppm: image = try NetpbmCodec.decode(bytes, path: path, maxPixels: options.maxPixels)
        case .bmp: image = try BMPCodec.decode(bytes, path: path, maxPixels: options.maxPixels)
        case .tiff:
            throw ImageFileError(path: path, kind: .unsupportedFormat, reason: "TIFF is not supported; convert it to PNG")
        case .gif, .webp:
            throw ImageFileError(path: path, kind: .unsupportedFormat,
                                 reason: "\(format.rawValue.uppercased()) is not supported; convert it to PNG")
        }
        switch mode {
        case .native: return image
        case .rgb: return image.toRGB()
        case .gray: return image.toGray()
        }
    }
}

private typealias CDecoder = (UnsafePointer<UInt8>?, Int, Int64, UnsafeMutablePointer<ic_image>?,
                              UnsafeMutablePointer<CChar>?, Int) -> ic_status

private func ic_png_decode_strict(_ strict: Bool) -> CDecoder {
    { data, size, maxPixels, out, error, errorSize in
        ic_png_decode(data, size, strict ? 1 : 0, maxPixels, out, error, errorSize)
    }
}

private func ic_jpeg_decode_strict(_ strict: Bool) -> CDecoder {
    { data, size, maxPixels, out, error, errorSize in
        ic_jpeg_decode(data, size, strict ? 1 : 0, maxPixels, out, error, errorSize)
    }
}

/// Runs a C decoder and turns its status and message into an RGBImage or an ImageFileError.
private func decodeWithC(_ bytes: [UInt8], path: String, format: String, options: DecodeOptions,
                         _ decoder: CDecoder) throws -> RGBImage {
    var image = ic_image()
    var message = [CChar](repeating: 0, count: 256)
    let status = bytes.withUnsafeBufferPointer { buffer in
        message.withUnsafeMutableBufferPointer { text in
            decoder(buffer.baseAddress, buffer.count, Int64(options.maxPixels), &image, text.baseAddress, text.count)
        }
    }
    defer { ic_free(image.pixels) }
    if status != IC_OK {
        let text = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let kind: ImageFileError.Kind
        switch status {
        case IC_TOO_LARGE: kind = .tooLarge
        case IC_UNSUPPORTED: kind = .unsupportedFormat
        case IC_NO_MEMORY: kind = .outOfMemory
        default: kind = .corrupt
        }
        let reason = kind == .tooLarge ? text : "invalid \(format): \(text)"
        throw ImageFileError(path: path, kind: kind, reason: reason)
    }
    let count = Int(image.width) * Int(image.height) * Int(image.channels)
    let pixels = [UInt8](UnsafeBufferPointer(start: image.pixels, count: count))
    return RGBImage(width: Int(image.width), height: Int(image.height), channels: Int(image.channels), pixels: pixels)
}

func hexPrefix(_ bytes: [UInt8]) -> String {
    bytes.prefix(4).map { String($0, radix: 16, uppercase: true).leftPadded(to: 2) }.joined(separator: " ")
}

extension String {
    func leftPadded(to length: Int) -> String {
        count >= length ? self : String(repeating: "0", count: length - count) + self
    }
}
