import Foundation

/// Why an image file could not be read or written: the file's path, a kind to switch on, and a
/// one-line reason for people. Printed as "path: reason".
public struct ImageFileError: Error, Equatable, Sendable, CustomStringConvertible, LocalizedError {
    public enum Kind: String, Sendable, Equatable {
        case notFound            // no such file
        case isDirectory         // a folder where a file was expected
        case unreadable          // permission or I/O error
        case empty               // zero bytes
        case unknownFormat       // magic bytes match no image format
        case unsupportedFormat   // a known format (TIFF, GIF, WebP, 8-bit BMP...) we do not decode
        case corrupt             // malformed or truncated data
        case tooLarge            // declared dimensions above the pixel limit
        case outOfMemory
        case writeFailed
        case invalidArgument     // encode request that cannot be met (quality, channels, size)
    }

    public let path: String
    public let kind: Kind
    public let reason: String

    public init(path: String, kind: Kind, reason: String) {
        self.path = path
        self.kind = kind
        // Keep it to one line whatever the C libraries said.
        self.reason = reason.split(whereSeparator: \.isNewline).joined(separator: " ")
    }

    public var description: String { "\(path): \(reason)" }
    public var errorDescription: String? { description }
}
