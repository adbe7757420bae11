/// An immutable, 64-byte aligned block of bytes: a file image parsed from memory, shared by all its
/// tensors (views into it until someone asks for a copy), or one tensor just read from disk.
final class ByteBuffer: @unchecked Sendable {
    // Written once during init (file read or copy), read-only afterwards: safe to share across threads.
    let base: UnsafeMutableRawPointer
    let count: Int

    /// Uninitialized storage; `fill` must write all `count` bytes before the buffer is shared.
    init(uninitializedCount count: Int, fill: (UnsafeMutableRawPointer) throws -> Void) rethrows {
        // Fill before the properties are set, so a failure frees the memory here and never in deinit.
        let memory = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1), alignment: 64)
        do { try fill(memory) } catch { memory.deallocate(); throw error }
        self.base = memory
        self.count = count
    }

    convenience init(copying bytes: [UInt8]) {
        self.init(uninitializedCount: bytes.count) { base in
            bytes.withUnsafeBytes { if let src = $0.baseAddress { base.copyMemory(from: src, byteCount: $0.count) } }
        }
    }

    deinit { base.deallocate() }

    func bytes(from start: Int, count: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: base + start, count: count)
    }
}
