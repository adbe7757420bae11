import CImageCodecs

/// How an image is written.
public struct EncodeOptions: Sendable, Equatable {
    /// JPEG quality 1...100.
    public var jpegQuality: Int
    /// Progressive JPEG.
    public var progressive: Bool

    public init(jpegQuality: Int = 95, progressive: Bool = false) {
        self.jpegQuality = jpegQuality
        self.progressive = progressive
    }
}

extension RGBImage {
    /// The image as PNG, JPEG or PPM/PGM bytes. `path` only labels errors.
    public func encoded(as format: ImageFormat, options: EncodeOptions = EncodeOptions(),
                        path: String = "<memory>") throws -> [UInt8] {
        guard width > 0, height > 0 else {
            throw ImageFileError(path: path, kind: .invalidArgument, reason: "cannot encode an empty \(width)x\(height) image")
        }
        switch format {
        case .png:
            return try encodeWithC(path: path, format: "PNG") { input, out, size, error, errorSize in
                ic_png_encode(input, Int32(width), Int32(height), Int32(channels), out, size, error, errorSize)
            }
        case .jpeg:
            return try encodeWithC(path: path, format: "JPEG") { input, out, size, error, errorSize in
                ic_jpeg_encode(input, Int32(width), Int32(height), Int32(channels), Int32(clamping: options.jpegQuality),
                               options.progressive ? 1 : 0, out, size, error, errorSize)
            }
        case .ppm:
            return NetpbmCodec.encode(self)
        default:
            throw ImageFileError(path: path, kind: .unsupportedFormat,
                                 reason: "writing \(format.rawValue.uppercased()) is not supported (use .png, .jpg or .ppm)")
        }
    }

    /// Writes the image atomically (temporary file in the same folder, fsync, rename). The format comes
    /// from `format`, or else from the extension of `path` (.png, .jpg/.jpeg, .ppm/.pgm).
    public func write(to path: String, format: ImageFormat? = nil, options: EncodeOptions = EncodeOptions()) throws {
        let ext = path.split(separator: "/").last.flatMap { name in
            name.lastIndex(of: ".").map { String(name[name.index(after: $0)...]) }
        } ?? ""
        guard let chosen = format ?? ImageFormat(pathExtension: ext) else {
            throw ImageFileError(path: path, kind: .invalidArgument,
                                 reason: "cannot tell the image format from the extension '.\(ext)' (use .png, .jpg or .ppm)")
        }
        let bytes = try encoded(as: chosen, options: options, path: path)
        try writeFileAtomically(bytes, to: path)
    }

    private func encodeWithC(path: String, format: String,
                             _ encoder: (UnsafePointer<UInt8>, UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>,
                                         UnsafeMutablePointer<Int>, UnsafeMutablePointer<CChar>, Int) -> ic_status) throws -> [UInt8] {
        var out: UnsafeMutablePointer<UInt8>? = nil
        var size = 0
        var message = [CChar](repeating: 0, count: 256)
        let status = pixels.withUnsafeBufferPointer { input in
            message.withUnsafeMutableBufferPointer { text in
                encoder(input.baseAddress!, &out, &size, text.baseAddress!, text.count)
            }
        }
        defer { ic_free(out) }
        guard status == IC_OK, let out else {
            let text = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw ImageFileError(path: path, kind: status == IC_BAD_ARGUMENT ? .invalidArgument : .writeFailed,
                                 reason: "\(format) encoding failed: \(text)")
        }
        return [UInt8](UnsafeBufferPointer(start: out, count: size))
    }
}
