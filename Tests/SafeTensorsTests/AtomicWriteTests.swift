import XCTest
@testable import SafeTensors

final class AtomicWriteTests: XCTestCase {
    private func contents(_ path: String) throws -> [UInt8] { try [UInt8](Data(contentsOf: URL(fileURLWithPath: path))) }

    private func folderListing(_ folder: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
    }

    func testReplacesExistingFileAndLeavesNoTemporaryFiles() throws {
        let folder = try temporaryFolder()
        let path = folder + "/ckpt.safetensors"
        var old = SafeTensorsFile()
        old.setFloats("w", [1, 2], shape: [2])
        try old.write(to: path)
        var new = SafeTensorsFile()
        new.setFloats("w", [3, 4, 5], shape: [3])
        new.metadata["epoch"] = "2"
        try new.write(to: path)
        XCTAssertEqual(try contents(path), try new.serialized())
        XCTAssertEqual(try folderListing(folder), ["ckpt.safetensors"])
        XCTAssertEqual(try SafeTensorsFile.load(path: path).floats("w"), [3, 4, 5])
    }

    func testRelativePathInCurrentFolder() throws {
        let folder = try temporaryFolder()
        let previous = FileManager.default.currentDirectoryPath
        XCTAssertTrue(FileManager.default.changeCurrentDirectoryPath(folder))
        defer { _ = FileManager.default.changeCurrentDirectoryPath(previous) }
        var file = SafeTensorsFile()
        file.setInt64s("n", [1], shape: [])
        try file.write(to: "plain.safetensors")
        XCTAssertEqual(try folderListing(folder), ["plain.safetensors"])
        XCTAssertEqual(try SafeTensorsFile.load(path: folder + "/plain.safetensors").int64s("n"), [1])
    }

    func testMissingFolderIsAnError() throws {
        let folder = try temporaryFolder()
        let path = folder + "/no/such/folder/ckpt.safetensors"
        var file = SafeTensorsFile()
        file.setFloats("w", [1], shape: [1])
        XCTAssertThrowsError(try file.write(to: path)) { error in
            let e = error as? SafeTensorsError
            XCTAssertEqual(e?.path, path)
            XCTAssertTrue(e?.reason.contains("cannot create temporary file") == true, "\(error)")
            XCTAssertTrue(e?.reason.contains("No such file or directory") == true, "\(error)")
        }
        XCTAssertEqual(try folderListing(folder), [])
    }

    func testFailedRenameKeepsOldStateAndCleansUp() throws {
        // The target is a non-empty folder: everything works up to the rename, which fails.
        let folder = try temporaryFolder()
        let target = folder + "/target"
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: false)
        _ = FileManager.default.createFile(atPath: target + "/keep", contents: Data([1, 2, 3]))
        var file = SafeTensorsFile()
        file.setFloats("w", [1], shape: [1])
        XCTAssertThrowsError(try file.write(to: target)) { error in
            XCTAssertTrue("\(error)".contains("cannot rename temporary file into place"), "\(error)")
        }
        XCTAssertEqual(try folderListing(folder), ["target"], "temporary file removed")
        XCTAssertEqual(try contents(target + "/keep"), [1, 2, 3])
    }

    func testInvalidTensorWritesNothing() throws {
        let folder = try temporaryFolder()
        let path = folder + "/ckpt.safetensors"
        var good = SafeTensorsFile()
        good.setFloats("w", [1, 2], shape: [2])
        try good.write(to: path)
        var bad = SafeTensorsFile()
        bad.setFloats("w", [1, 2], shape: [3])
        XCTAssertThrowsError(try bad.write(to: path)) { error in
            XCTAssertEqual((error as? SafeTensorsError)?.path, path)
        }
        XCTAssertEqual(try contents(path), try good.serialized(), "old file untouched")
        XCTAssertEqual(try folderListing(folder), ["ckpt.safetensors"])
    }

    func testReadOnlyFolderIsAnError() throws {
        guard getuid() != 0 else { throw XCTSkip("root ignores folder permissions") }
        let folder = try temporaryFolder()
        try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: folder)
        defer { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder) }
        var file = SafeTensorsFile()
        file.setFloats("w", [1], shape: [1])
        XCTAssertThrowsError(try file.write(to: folder + "/x.safetensors")) { error in
            XCTAssertTrue("\(error)".contains("Permission denied"), "\(error)")
        }
    }
}
