import Foundation
import XCTest
@testable import SafeTensors

/// Large checkpoints never exist twice in memory: `load(path:)` reads a tensor only when asked (straight into
/// the destination for `copyFloats`), and tensors set with `setFloats(_:borrowing:owner:shape:)` are written
/// from their owner's memory.
final class LazyAndBorrowedTensorsTests: XCTestCase {
    /// Floats the test owns, like a network's parameter block.
    private final class FloatBlock {
        let pointer: UnsafeMutablePointer<Float>
        let count: Int
        init(_ values: [Float]) {
            count = values.count
            pointer = .allocate(capacity: count)
            pointer.initialize(from: values, count: count)
        }
        deinit { pointer.deallocate() }
        var buffer: UnsafeBufferPointer<Float> { UnsafeBufferPointer(start: pointer, count: count) }
    }

    func testLoadReadsTensorsWhenAskedAndReportsAFileThatShrank() throws {
        let folder = try temporaryFolder()
        let path = folder + "/weights.safetensors"
        let values = (0..<1000).map { Float($0) * 0.25 - 3 }
        var file = SafeTensorsFile()
        file.setFloats("w", values, shape: [10, 100])
        file.setInt64s("n", [7], shape: [])
        file.metadata = ["netG": "unet_256"]
        try file.write(to: path)

        let loaded = try SafeTensorsFile.load(path: path)
        guard case .onDisk? = loaded.slots["w"] else { return XCTFail("expected the tensor to stay on disk") }
        var destination = [Float](repeating: .nan, count: values.count)
        try destination.withUnsafeMutableBufferPointer { try loaded.copyFloats("w", into: $0.baseAddress!, count: $0.count) }
        XCTAssertEqual(destination, values)
        XCTAssertEqual(try loaded.int64s("n"), [7])
        XCTAssertThrowsError(try loaded.copyFloats("w", into: &destination, count: 999)) { error in
            XCTAssertTrue("\(error)".contains("has 1000 elements"), "\(error)")
        }

        // The file loses its data after the header was read: every read says so, nothing crashes.
        XCTAssertEqual(truncate(path, 64), 0)
        XCTAssertEqual(loaded.shape("w"), [10, 100], "the header was parsed when the file was opened")
        XCTAssertEqual(loaded.metadata["netG"], "unet_256")
        XCTAssertThrowsError(try loaded.copyFloats("w", into: &destination, count: 1000)) { error in
            let e = error as? SafeTensorsError
            XCTAssertEqual(e?.path, path)
            XCTAssertTrue(e?.reason.contains("file shrank") == true, "\(error)")
        }
        XCTAssertThrowsError(try loaded.floats("w"))
        XCTAssertNil(loaded["w"])
        XCTAssertThrowsError(try loaded.serialized())
    }

    func testBorrowedFloatsAreWrittenFromTheOwnersMemory() throws {
        let block = FloatBlock([1, 2, 3, 4, 5, 6])
        var borrowed = SafeTensorsFile()
        borrowed.setFloats("w", borrowing: block.buffer, owner: block, shape: [2, 3])
        guard case .view(let view)? = borrowed.slots["w"] else { return XCTFail("expected a view") }
        XCTAssertEqual(view.bytes.baseAddress, UnsafeRawPointer(block.pointer), "nothing is copied")
        // Values are read when the file is written, not when the tensor is set.
        block.pointer[5] = 60
        var copied = SafeTensorsFile()
        copied.setFloats("w", [1, 2, 3, 4, 5, 60], shape: [2, 3])
        XCTAssertEqual(try borrowed.serialized(), try copied.serialized())

        let folder = try temporaryFolder()
        try borrowed.write(to: folder + "/borrowed.safetensors")
        XCTAssertEqual(try SafeTensorsFile.load(path: folder + "/borrowed.safetensors").floats("w"), [1, 2, 3, 4, 5, 60])

        // A shape that does not match the lent values is reported like one of an owned tensor.
        var wrong = SafeTensorsFile()
        wrong.setFloats("w", borrowing: block.buffer, owner: block, shape: [4, 2])
        XCTAssertThrowsError(try wrong.write(to: folder + "/wrong.safetensors")) { error in
            XCTAssertTrue("\(error)".contains("24 bytes, but shape [4, 2] of F32 needs 32"), "\(error)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/wrong.safetensors"))
    }
}
