#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An open regular file that tensors are read from on demand (`pread`, safe from several threads). Closed when
/// the last tensor of it goes away.
final class FileSource: @unchecked Sendable {
    let path: String
    /// Size when opened; the header was validated against it.
    let size: Int
    private let fd: Int32

    init(opening path: String) throws {
        func fail(_ what: String) -> SafeTensorsError {
            SafeTensorsError(path: path, reason: "\(what): \(String(cString: strerror(errno)))")
        }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw fail("cannot open") }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let error = fail("cannot stat")
            close(fd)
            throw error
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw SafeTensorsError(path: path, reason: "not a regular file")
        }
        self.path = path
        self.fd = fd
        size = Int(info.st_size)
    }

    deinit { close(fd) }

    /// Reads exactly `count` bytes at `offset` into `destination`.
    func read(into destination: UnsafeMutableRawPointer, count: Int, at offset: Int) throws {
        var done = 0
        while done < count {
            let n = pread(fd, destination + done, min(count - done, 1 << 30), off_t(offset + done))
            if n < 0 {
                if errno == EINTR { continue }
                throw SafeTensorsError(path: path, reason: "read failed: \(String(cString: strerror(errno)))")
            }
            if n == 0 {
                throw SafeTensorsError(path: path, reason: "file shrank while being read (\(offset + done) of \(size) bytes)")
            }
            done += n
        }
    }

    /// `count` bytes at `offset`.
    func bytes(at offset: Int, count: Int) throws -> [UInt8] {
        try [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            if let base = buffer.baseAddress { try read(into: base, count: count, at: offset) }
            initialized = count
        }
    }

    /// `count` bytes at `offset` in a fresh 64-byte aligned buffer.
    func buffer(at offset: Int, count: Int) throws -> ByteBuffer {
        try ByteBuffer(uninitializedCount: count) { try read(into: $0, count: count, at: offset) }
    }
}
