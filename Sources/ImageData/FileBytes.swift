#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-file reads with errors that say what went wrong (missing, a folder, permissions, I/O).
enum FileBytes {
    /// Reads the whole file; files above `maxBytes` are refused before reading (a 10 GB "image" should
    /// not be pulled into memory just to be rejected).
    static func read(_ path: String, maxBytes: Int = .max) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw openError(path, errno) }
        defer { close(fd) }
        var info = stat()
        if fstat(fd, &info) != 0 {
            throw ImageFileError(path: path, kind: .unreadable, reason: "cannot stat: \(errnoText(errno))")
        }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            throw ImageFileError(path: path, kind: .isDirectory, reason: "is a directory, not an image file")
        }
        if (info.st_mode & S_IFMT) != S_IFREG {
            throw ImageFileError(path: path, kind: .unreadable, reason: "is not a regular file")
        }
        let expected = Int(info.st_size)
        if expected > maxBytes {
            throw ImageFileError(path: path, kind: .tooLarge,
                                 reason: "file is \(expected) bytes, more than any image within the pixel limit can need (\(maxBytes))")
        }
        var bytes = [UInt8](repeating: 0, count: expected)
        var filled = 0
        while filled < expected {
            let got = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + filled, expected - filled) }
            if got < 0 {
                if errno == EINTR { continue }
                throw ImageFileError(path: path, kind: .unreadable, reason: "read failed: \(errnoText(errno))")
            }
            if got == 0 { break }  // file shrank while reading
            filled += got
        }
        if filled < expected { bytes.removeSubrange(filled...) }
        return bytes
    }

    static func openError(_ path: String, _ code: Int32) -> ImageFileError {
        switch code {
        case ENOENT: return ImageFileError(path: path, kind: .notFound, reason: "no such file")
        case EISDIR: return ImageFileError(path: path, kind: .isDirectory, reason: "is a directory, not an image file")
        default: return ImageFileError(path: path, kind: .unreadable, reason: "cannot open: \(errnoText(code))")
        }
    }
}

func errnoText(_ code: Int32) -> String { String(cString: strerror(code)) }
