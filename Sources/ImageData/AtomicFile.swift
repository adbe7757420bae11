#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes `bytes` to `path` so that the final name only ever holds a complete file: a temporary file
/// in the same folder, fsync, then rename over the target (and fsync of the folder, best effort).
/// An interrupted write leaves at most a hidden `.name.tmp-*` file behind, never a half file named `path`.
public func writeFileAtomically(_ bytes: [UInt8], to path: String) throws {
    let slash = path.lastIndex(of: "/")
    let folder = slash.map { String(path[..<$0]) } ?? "."
    let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
    func failure(_ what: String, _ code: Int32) -> ImageFileError {
        ImageFileError(path: path, kind: .writeFailed, reason: "\(what): \(errnoText(code))")
    }
    guard !name.isEmpty else { throw ImageFileError(path: path, kind: .writeFailed, reason: "no file name") }
    var info = stat()
    if stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR {
        throw ImageFileError(path: path, kind: .isDirectory, reason: "is a directory; cannot write a file there")
    }
    let folderPrefix = folder.isEmpty ? "/" : folder  // path "/x.png" has folder ""
    var fd: Int32 = -1
    var temp = ""
    for attempt in 0..<100 {
        temp = "\(folderPrefix)/.\(name).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))-\(attempt)"
        fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        if fd >= 0 || errno != EEXIST { break }
    }
    if fd < 0 { throw failure("cannot create a temporary file in \(folderPrefix)", errno) }
    var ok = false
    defer {
        if fd >= 0 { close(fd) }
        if !ok { unlink(temp) }
    }
    var written = 0
    while written < bytes.count {
        let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, bytes.count - written) }
        if n < 0 {
            if errno == EINTR { continue }
            throw failure("write failed", errno)
        }
        written += n
    }
    if fsync(fd) != 0 { throw failure("fsync failed", errno) }
    if close(fd) != 0 { fd = -1; throw failure("close failed", errno) }
    fd = -1
    if rename(temp, path) != 0 { throw failure("cannot rename the temporary file into place", errno) }
    ok = true
    let dir = open(folderPrefix, O_RDONLY | O_CLOEXEC)
    if dir >= 0 { _ = fsync(dir); close(dir) }
}
