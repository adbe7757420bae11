/// Image file formats, recognised by their first bytes (never by the file name).
public enum ImageFormat: String, Sendable, CaseIterable, Codable {
    case jpeg, png, ppm, bmp
    // Recognised only to say clearly that they are not supported.
    case tiff, gif, webp

    /// Formats this module can decode.
    public var isDecodable: Bool {
        switch self {
        case .jpeg, .png, .ppm, .bmp: return true
        case .tiff, .gif, .webp: return false
        }
    }

    /// Formats this module can write.
    public var isEncodable: Bool { self == .jpeg || self == .png || self == .ppm }

    /// The format whose signature starts `bytes`, or nil.
    public static func sniff<C: Collection>(_ bytes: C) -> ImageFormat? where C.Element == UInt8 {
        let head = Array(bytes.prefix(12))
        func starts(_ magic: [UInt8]) -> Bool { head.count >= magic.count && Array(head.prefix(magic.count)) == magic }
        if starts([0xFF, 0xD8, 0xFF]) { return .jpeg }
        if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if starts([0x42, 0x4D]) { return .bmp }                                     // "BM"
        if head.count >= 2 && head[0] == 0x50 && (0x31...0x36).contains(head[1]) { return .ppm }  // P1...P6
        if starts([0x49, 0x49, 0x2A, 0x00]) || starts([0x4D, 0x4D, 0x00, 0x2A])
            || starts([0x49, 0x49, 0x2B, 0x00]) || starts([0x4D, 0x4D, 0x00, 0x2B]) { return .tiff }
        if starts(Array("GIF8".utf8)) { return .gif }
        if head.count >= 12 && starts(Array("RIFF".utf8)) && Array(head[8..<12]) == Array("WEBP".utf8) { return .webp }
        return nil
    }

    /// The format a file name's extension asks for when writing (case-insensitive), or nil.
    public init?(pathExtension: String) {
        switch pathExtension.lowercased() {
        case "jpg", "jpeg": self = .jpeg
        case "png": self = .png
        case "ppm", "pgm", "pnm": self = .ppm
        case "bmp": self = .bmp
        case "tif", "tiff": self = .tiff
        case "gif": self = .gif
        case "webp": self = .webp
        default: return nil
        }
    }

    /// File extensions counted as images when listing folders (the reference's list, plus .pgm/.pnm).
    public static let imageExtensions: Set<String> = ["jpg", "jpeg", "png", "ppm", "pgm", "pnm", "bmp", "tif", "tiff"]
}
