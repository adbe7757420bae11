#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension SafeTensorsFile {
    /// Largest header accepted (the reference implementation's limit too): a hostile length field
    /// must not make us allocate or parse gigabytes.
    public static let maxHeaderBytes = 100_000_000

    /// Opens a file and parses and validates its header; tensor data stays on disk and is read when asked
    /// for (`copyFloats` reads straight into the destination), so loading a network's weights or an optimizer's
    /// moments needs no second copy of them in memory. The file stays open while tensors of it exist; a file
    /// that changes size afterwards makes those reads fail with an error, never a crash.
    public static func load(path: String) throws -> SafeTensorsFile {
        let source = try FileSource(opening: path)
        return try SafeTensorsFile(fileSize: source.size, path: path,
                                   read: { offset, count in try source.bytes(at: offset, count: count) },
                                   slot: { dtype, shape, start, count in
                                       .onDisk(DiskTensor(dtype: dtype, shape: shape, source: source, start: start,
                                                          byteCount: count))
                                   })
    }

    /// Parses a file image from memory (`path` only names it in error messages).
    public init(bytes: [UInt8], path: String) throws {
        let buffer = ByteBuffer(copying: bytes)
        try self.init(fileSize: buffer.count, path: path,
                      read: { offset, count in Array(buffer.bytes(from: offset, count: count)) },
                      slot: { dtype, shape, start, count in
                          .view(TensorView(dtype: dtype, shape: shape, bytes: buffer.bytes(from: start, count: count),
                                           owner: buffer))
                      })
    }

    /// Validates the layout of a file of `fileSize` bytes whose bytes `read(offset, count)` returns, and makes
    /// each tensor's slot with `slot(dtype, shape, start in the file, byte count)`.
    private init(fileSize: Int, path: String, read: (Int, Int) throws -> [UInt8],
                 slot makeSlot: (SafeTensorsDType, [Int], Int, Int) -> Slot) throws {
        func fail(_ reason: String) -> SafeTensorsError { SafeTensorsError(path: path, reason: reason) }
        guard fileSize >= 8 else {
            throw fail("file is \(fileSize) bytes, too short for the 8-byte header length")
        }
        let headerLength = try read(0, 8).withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
        guard headerLength <= UInt64(Self.maxHeaderBytes) else {
            throw fail("header length \(headerLength) exceeds the limit of \(Self.maxHeaderBytes) bytes")
        }
        let headerCount = Int(headerLength)
        guard headerCount <= fileSize - 8 else {
            throw fail("header length \(headerLength) runs past the end of the file (\(fileSize) bytes)")
        }
        let dataStart = 8 + headerCount
        let dataCount = fileSize - dataStart

        let headerBytes = try read(8, headerCount)
        let json: HeaderJSON
        do {
            json = try headerBytes.withUnsafeBytes { try HeaderJSONParser.parse($0) }
        } catch let error as HeaderJSONError {
            throw fail(error.message)
        }
        guard case .object(let members) = json else {
            throw fail("header is \(json.typeName), expected a JSON object")
        }

        var metadata: [String: String] = [:]
        var slots: [String: Slot] = [:]
        var ranges: [(name: String, begin: Int, end: Int)] = []
        for (key, value) in members {
            if key == "__metadata__" {
                metadata = try Self.parseMetadata(value, fail: fail)
                continue
            }
            let info = try Self.parseTensorInfo(name: key, value, dataCount: dataCount, fail: fail)
            ranges.append((key, info.begin, info.end))
            slots[key] = makeSlot(info.dtype, info.shape, dataStart + info.begin, info.end - info.begin)
        }
        try Self.checkCoverage(ranges, dataCount: dataCount, fail: fail)

        self.metadata = metadata
        self.path = path
        self.slots = slots
    }

    private static func parseMetadata(_ value: HeaderJSON, fail: (String) -> SafeTensorsError) throws -> [String: String] {
        switch value {
        case .null:
            return [:]
        case .object(let pairs):
            var result: [String: String] = [:]
            for (key, item) in pairs {
                guard case .string(let text) = item else {
                    throw fail("__metadata__ value of \"\(key)\" is \(item.typeName), expected a string")
                }
                result[key] = text
            }
            return result
        default:
            throw fail("__metadata__ is \(value.typeName), expected an object of strings")
        }
    }

    private static func parseTensorInfo(
        name: String, _ value: HeaderJSON, dataCount: Int, fail: (String) -> SafeTensorsError
    ) throws -> (dtype: SafeTensorsDType, shape: [Int], begin: Int, end: Int) {
        func bad(_ reason: String) -> SafeTensorsError { fail("tensor \"\(name)\": \(reason)") }
        guard case .object(let fields) = value else { throw bad("entry is \(value.typeName), expected an object") }
        func field(_ key: String) throws -> HeaderJSON {
            guard let found = fields.first(where: { $0.key == key }) else { throw bad("missing \"\(key)\"") }
            return found.value
        }
        func integers(_ key: String) throws -> [Int] {
            let value = try field(key)
            guard case .array(let items) = value else { throw bad("\"\(key)\" is \(value.typeName), expected an array") }
            return try items.map { item in
                switch item.nonNegativeInt() {
                case .success(let value): return value
                case .failure(let error): throw bad("\"\(key)\": \(error.message)")
                }
            }
        }

        guard case .string(let dtypeName) = try field("dtype") else { throw bad("\"dtype\" is not a string") }
        guard let dtype = SafeTensorsDType(rawValue: dtypeName) else {
            let known = SafeTensorsDType.allCases.map(\.rawValue).joined(separator: ", ")
            throw bad("unsupported dtype \"\(dtypeName)\" (supported: \(known))")
        }
        let shape = try integers("shape")
        let offsets = try integers("data_offsets")
        guard offsets.count == 2 else { throw bad("\"data_offsets\" has \(offsets.count) numbers, expected [begin, end]") }
        let (begin, end) = (offsets[0], offsets[1])
        guard begin <= end else { throw bad("data_offsets [\(begin), \(end)]: begin is after end") }
        guard end <= dataCount else {
            throw bad("data_offsets [\(begin), \(end)] run past the data section (\(dataCount) bytes; file truncated?)")
        }
        guard let needed = checkedByteCount(shape, dtype) else { throw bad("shape \(shape) overflows") }
        guard end - begin == needed else {
            throw bad("data_offsets [\(begin), \(end)] span \(end - begin) bytes, but shape \(shape) of \(dtype.rawValue) needs \(needed)")
        }
        return (dtype, shape, begin, end)
    }

    /// The format requires the tensors to tile the data section exactly: no overlap, no gap, no tail.
    private static func checkCoverage(
        _ ranges: [(name: String, begin: Int, end: Int)], dataCount: Int, fail: (String) -> SafeTensorsError
    ) throws {
        let sorted = ranges.sorted { ($0.begin, $0.end) < ($1.begin, $1.end) }
        var covered = 0
        var previous = ""
        for range in sorted {
            if range.begin < covered {
                throw fail("tensor \"\(range.name)\" at data_offsets [\(range.begin), \(range.end)] overlaps tensor \"\(previous)\"")
            }
            if range.begin > covered {
                throw fail("data bytes \(covered)..<\(range.begin) belong to no tensor (before \"\(range.name)\")")
            }
            covered = range.end
            previous = range.name
        }
        if covered != dataCount {
            throw fail("data section has \(dataCount) bytes but the tensors cover only \(covered)")
        }
    }
}
