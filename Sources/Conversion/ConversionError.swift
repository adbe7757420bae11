import Foundation

/// Why a conversion could not start or an image could not be converted: the path concerned and a one-line
/// reason, printed as "path: reason". `isUsage` marks errors in what the user asked for (wrong flags, a model
/// path that does not exist), which the CLI reports with exit status 2; the others exit with 1.
public struct ConversionError: Error, Equatable, Sendable, CustomStringConvertible, LocalizedError {
    public let path: String
    public let reason: String
    public let isUsage: Bool

    public init(path: String, reason: String, isUsage: Bool = false) {
        self.path = path
        self.reason = reason.split(whereSeparator: \.isNewline).joined(separator: " ")
        self.isUsage = isUsage
    }

    public static func usage(_ path: String, _ reason: String) -> ConversionError {
        ConversionError(path: path, reason: reason, isUsage: true)
    }

    public var description: String { path.isEmpty ? reason : "\(path): \(reason)" }
    public var errorDescription: String? { description }
}

/// "path: reason" for any error, without repeating the path when the error already starts with it.
func describe(_ error: Error, path: String) -> String {
    let text = "\(error)"
    let oneLine = text.split(whereSeparator: \.isNewline).joined(separator: " ")
    return oneLine.hasPrefix(path + ":") ? oneLine : "\(path): \(oneLine)"
}
