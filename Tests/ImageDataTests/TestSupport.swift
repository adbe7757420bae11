import Foundation
import XCTest
@testable import ImageData

/// A fresh temporary folder, removed by the caller's `defer`.
func makeTemporaryFolder(_ name: String = "imagedata") throws -> String {
    let path = NSTemporaryDirectory() + "\(name)-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

func removeFolder(_ path: String) { try? FileManager.default.removeItem(atPath: path) }

func writeBytes(_ bytes: [UInt8], to path: String) throws {
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}

/// A deterministic test image: value (37x + 91y + 53c + 7xy) mod 256 (the same formula the PIL
/// reference values were computed from).
func patternImage(width: Int, height: Int, channels: Int = 3) -> RGBImage {
    var image = RGBImage(width: width, height: height, channels: channels)
    for y in 0..<height {
        for x in 0..<width {
            for c in 0..<channels { image[x: x, y: y, c: c] = UInt8((x * 37 + y * 91 + c * 53 + x * y * 7) % 256) }
        }
    }
    return image
}

/// A smooth image (JPEG round trips of it are close to the input).
func smoothImage(width: Int, height: Int, channels: Int = 3) -> RGBImage {
    var image = RGBImage(width: width, height: height, channels: channels)
    for y in 0..<height {
        for x in 0..<width {
            for c in 0..<channels {
                image[x: x, y: y, c: c] = UInt8(20 + x * 150 / max(width - 1, 1) + y * 50 / max(height - 1, 1) + c * 10)
            }
        }
    }
    return image
}

func maxAbsDifference(_ a: RGBImage, _ b: RGBImage) -> Int {
    precondition(a.pixels.count == b.pixels.count)
    return zip(a.pixels, b.pixels).map { abs(Int($0) - Int($1)) }.max() ?? 0
}

/// ../shared/datasets/<name> next to the repository, or nil (tests then skip).
func sharedDataset(_ name: String) -> String? {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }  // Tests/ImageDataTests/x.swift -> repo root
    let path = url.deletingLastPathComponent().appendingPathComponent("shared/datasets/\(name)").path
    var isDirectory: ObjCBool = false
    return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue ? path : nil
}

/// Asserts that `body` throws an ImageFileError of `kind` naming `path`; returns it.
@discardableResult
func assertImageError(_ kind: ImageFileError.Kind, path: String, file: StaticString = #filePath, line: UInt = #line,
                      _ body: () throws -> Void) -> ImageFileError? {
    do {
        try body()
        XCTFail("expected \(kind) error for \(path), got success", file: file, line: line)
    } catch let error as ImageFileError {
        XCTAssertEqual(error.kind, kind, "\(error)", file: file, line: line)
        XCTAssertEqual(error.path, path, file: file, line: line)
        XCTAssertFalse(error.reason.isEmpty, file: file, line: line)
        XCTAssertFalse(error.description.contains("\n"), file: file, line: line)
        return error
    } catch {
        XCTFail("expected ImageFileError, got \(error)", file: file, line: line)
    }
    return nil
}
