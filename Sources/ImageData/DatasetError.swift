import Foundation

/// Why a dataset could not be opened: the folder or file concerned and a one-line reason.
public struct DatasetError: Error, Equatable, Sendable, CustomStringConvertible, LocalizedError {
    public enum Kind: String, Sendable {
        case folderNotFound, notAFolder, noImages, noPairs, invalidOption
    }
    public let path: String
    public let kind: Kind
    public let reason: String

    public init(path: String, kind: Kind, reason: String) {
        self.path = path
        self.kind = kind
        self.reason = reason
    }

    public var description: String { "\(path): \(reason)" }
    public var errorDescription: String? { description }
}
