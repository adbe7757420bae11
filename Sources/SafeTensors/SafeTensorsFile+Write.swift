#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension SafeTensorsFile {
    /// The file image, laid out exactly as the reference writer (`safetensors.torch.save_file`) does:
    /// data ordered by descending dtype alignment then name, header JSON compact with
    /// `__metadata__` first (keys sorted, omitted when empty), then the tensors in data order,
    /// padded with spaces to a multiple of 8 bytes so every tensor starts aligned.
    public func serialized() throws -> [UInt8] {
        let plan = try layout(reportingAs: path)
        return try [UInt8](unsafeUninitializedCapacity: plan.totalBytes) { buffer, initialized in
            var offset = 0
            try plan.forEachChunk { chunk in
                if let source = chunk.baseAddress, let base = buffer.baseAddress {
                    UnsafeMutableRawPointer(base + offset).copyMemory(from: source, byteCount: chunk.count)
                }
                offset += chunk.count
            }
            initialized = offset
        }
    }

    /// Writes atomically: a temporary file in the same folder, fsync, rename over `path`, fsync of
    /// the folder. Readers see the old file or the new one, never a mix; the temporary file is
    /// removed on failure. Tensor data is streamed from where it lives (no whole-file copy; borrowed
    /// tensors straight from their owner's memory).
    public func write(to path: String) throws {
        let plan = try layout(reportingAs: path)
        func fail(_ what: String) -> SafeTensorsError {
            SafeTensorsError(path: path, reason: "\(what): \(String(cString: strerror(errno)))")
        }
        let (folder, fileName) = splitPath(path)
        guard !fileName.isEmpty else { throw SafeTensorsError(path: path, reason: "not a file name") }
        let tempPath = folder + "/." + fileName + ".tmp-\(getpid())-\(UInt32.random(in: .min ... .max))"
        let fd = open(tempPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
        guard fd >= 0 else { throw fail("cannot create temporary file in \(folder)") }
        var fdOpen = true
        var renamed = false
        defer {
            if fdOpen { close(fd) }
            if !renamed { unlink(tempPath) }
        }

        try plan.forEachChunk { chunk in
            guard var next = chunk.baseAddress else { return }
            var remaining = chunk.count
            while remaining > 0 {
                let n = posixWrite(fd, next, remaining)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw fail("write failed")
                }
                next += n
                remaining -= n
            }
        }
        guard fsync(fd) == 0 else { throw fail("fsync failed") }
        fdOpen = false
        guard close(fd) == 0 else { throw fail("close failed") }
        guard rename(tempPath, path) == 0 else { throw fail("cannot rename temporary file into place") }
        renamed = true

        // Make the rename itself durable. Some file systems cannot fsync a directory: not an error.
        let folderFD = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if folderFD >= 0 {
            defer { close(folderFD) }
            if fsync(folderFD) != 0 && errno != EINVAL && errno != ENOTSUP {
                throw fail("fsync of folder \(folder) failed")
            }
        }
    }

    /// Header bytes and tensor order of the serialized file; validates every tensor.
    func layout(reportingAs reportPath: String) throws -> SerializationPlan {
        var items: [(name: String, dtype: SafeTensorsDType, shape: [Int], slot: Slot, byteCount: Int)] = []
        items.reserveCapacity(slots.count)
        for (name, slot) in slots {
            switch slot {
            case .owned(let entry):
                try Self.validate(entry, name: name, path: reportPath)
                items.append((name, entry.dtype, entry.shape, slot, entry.bytes.count))
            case .view(let view):
                try Self.validate(view, name: name, path: reportPath)
                items.append((name, view.dtype, view.shape, slot, view.byteCount))
            case .onDisk(let tensor):
                items.append((name, tensor.dtype, tensor.shape, slot, tensor.byteCount))
            }
        }
        items.sort { left, right in
            if left.dtype.referenceRank != right.dtype.referenceRank {
                return left.dtype.referenceRank > right.dtype.referenceRank
            }
            return left.name.utf8.lexicographicallyPrecedes(right.name.utf8)  // byte order, like Rust's String
        }

        var header: [UInt8] = [UInt8(ascii: "{")]
        var needsComma = false
        if !metadata.isEmpty {
            header.append(contentsOf: Array("\"__metadata__\":{".utf8))
            let keys = metadata.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            for (i, key) in keys.enumerated() {
                if i > 0 { header.append(UInt8(ascii: ",")) }
                HeaderJSONWriter.appendString(key, to: &header)
                header.append(UInt8(ascii: ":"))
                HeaderJSONWriter.appendString(metadata[key] ?? "", to: &header)
            }
            header.append(UInt8(ascii: "}"))
            needsComma = true
        }
        var offset = 0
        for item in items {
            if needsComma { header.append(UInt8(ascii: ",")) }
            needsComma = true
            HeaderJSONWriter.appendString(item.name, to: &header)
            header.append(contentsOf: Array(":{\"dtype\":\"\(item.dtype.rawValue)\",\"shape\":".utf8))
            HeaderJSONWriter.appendIntArray(item.shape, to: &header)
            header.append(contentsOf: Array(",\"data_offsets\":".utf8))
            HeaderJSONWriter.appendIntArray([offset, offset + item.byteCount], to: &header)
            header.append(UInt8(ascii: "}"))
            offset += item.byteCount
        }
        header.append(UInt8(ascii: "}"))
        header.append(contentsOf: repeatElement(UInt8(ascii: " "), count: (8 - header.count % 8) % 8))
        if header.count > Self.maxHeaderBytes {
            throw SafeTensorsError(path: reportPath, reason: "header would be \(header.count) bytes, over the \(Self.maxHeaderBytes)-byte limit readers enforce")
        }
        return SerializationPlan(header: header, tensors: items.map(\.slot), dataBytes: offset)
    }
}

/// What `serialized()` and `write(to:)` emit, in order: length prefix, header, tensor bytes.
struct SerializationPlan {
    let header: [UInt8]
    let tensors: [SafeTensorsFile.Slot]
    let dataBytes: Int

    var totalBytes: Int { 8 + header.count + dataBytes }

    /// Calls `body` with the file's bytes in order, chunk by chunk (a tensor still on disk is read first).
    func forEachChunk(_ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        try withUnsafeBytes(of: UInt64(header.count).littleEndian) { try body($0) }
        try header.withUnsafeBytes { try body($0) }
        for slot in tensors {
            switch slot {
            case .owned(let entry): try entry.bytes.withUnsafeBytes { try body($0) }
            case .view(let view): try body(view.bytes)
            case .onDisk(let tensor): try tensor.withView { try body($0.bytes) }
            }
        }
    }
}

/// ("folder", "name") of a path; the folder is "." for a bare file name.
func splitPath(_ path: String) -> (folder: String, name: String) {
    guard let slash = path.lastIndex(of: "/") else { return (".", path) }
    let folder = String(path[..<slash])
    return (folder.isEmpty ? "/" : folder, String(path[path.index(after: slash)...]))
}

/// POSIX write(2) under another name: inside the extension `write` means `SafeTensorsFile.write(to:)`.
@inline(__always)
private func posixWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.write(fd, buffer, count)
    #else
    return Darwin.write(fd, buffer, count)
    #endif
}
