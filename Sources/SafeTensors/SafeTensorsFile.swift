/// A safetensors file in memory: named tensors plus the `__metadata__` string map.
///
/// Tensors of a file opened by `load(path:)` stay on disk until asked for; those parsed from bytes in
/// memory stay views into that one buffer. `subscript` materializes a copy on demand, while
/// `copyFloats` reads float tensors straight into the destination. Tensors set by the caller own
/// their bytes, or, set with `setFloats(_:borrowing:owner:shape:)`, are views of the caller's memory
/// until the file is written.
public struct SafeTensorsFile: Sendable {
    public var metadata: [String: String]
    /// The file this was read from (or last written to); used in error messages.
    public var path: String
    var slots: [String: Slot]

    enum Slot: Sendable {
        case owned(SafeTensorsEntry)
        case view(TensorView)
        case onDisk(DiskTensor)
    }

    /// A tensor of a file opened by `load(path:)`, read when asked for.
    struct DiskTensor: Sendable {
        let dtype: SafeTensorsDType
        let shape: [Int]
        let source: FileSource
        /// Offset in the file.
        let start: Int
        let byteCount: Int

        /// Reads the bytes now and calls `body` with them as a view (valid only inside `body`).
        func withView<R>(_ body: (TensorView) throws -> R) throws -> R {
            let buffer = try source.buffer(at: start, count: byteCount)
            return try withExtendedLifetime(buffer) {
                try body(TensorView(dtype: dtype, shape: shape, bytes: buffer.bytes(from: 0, count: byteCount),
                                    owner: buffer))
            }
        }
    }

    /// A tensor in memory someone else owns: a shared, immutable file buffer, or values a caller lends
    /// until the file is written.
    struct TensorView: @unchecked Sendable {
        let dtype: SafeTensorsDType
        let shape: [Int]
        let bytes: UnsafeRawBufferPointer
        /// Keeps `bytes` alive.
        let owner: AnyObject
        var byteCount: Int { bytes.count }
    }

    public init() {
        metadata = [:]
        path = ""
        slots = [:]
    }

    /// Tensor names, sorted.
    public var names: [String] { slots.keys.sorted() }

    public var count: Int { slots.count }

    public func contains(_ name: String) -> Bool { slots[name] != nil }

    /// The tensor with its own copy of the bytes; setting nil removes it. Entries are validated
    /// (byte count against shape and dtype) when the file is serialized.
    public subscript(name: String) -> SafeTensorsEntry? {
        get {
            switch slots[name] {
            case nil: return nil
            case .owned(let entry): return entry
            case .view(let view):
                return SafeTensorsEntry(dtype: view.dtype, shape: view.shape, bytes: Array(view.bytes))
            case .onDisk(let tensor):
                // nil also when the file can no longer be read (it changed since it was opened); the throwing
                // accessors say why.
                return try? tensor.withView { SafeTensorsEntry(dtype: $0.dtype, shape: $0.shape, bytes: Array($0.bytes)) }
            }
        }
        set { slots[name] = newValue.map { .owned($0) } }
    }

    public func shape(_ name: String) -> [Int]? {
        switch slots[name] {
        case nil: return nil
        case .owned(let entry): return entry.shape
        case .view(let view): return view.shape
        case .onDisk(let tensor): return tensor.shape
        }
    }

    public func dtype(_ name: String) -> SafeTensorsDType? {
        switch slots[name] {
        case nil: return nil
        case .owned(let entry): return entry.dtype
        case .view(let view): return view.dtype
        case .onDisk(let tensor): return tensor.dtype
        }
    }

    /// Calls `body` with the tensor's dtype, shape and raw bytes (valid only inside `body`), after
    /// checking that the byte count matches shape and dtype; throws naming the key when missing.
    public func withRawBytes<R>(
        _ name: String, _ body: (SafeTensorsDType, [Int], UnsafeRawBufferPointer) throws -> R
    ) throws -> R {
        switch slots[name] {
        case nil:
            throw SafeTensorsError(path: path, reason: "no tensor named \"\(name)\"")
        case .view(let view):
            try Self.validate(view, name: name, path: path)
            return try body(view.dtype, view.shape, view.bytes)
        case .onDisk(let tensor):
            return try tensor.withView { try body($0.dtype, $0.shape, $0.bytes) }
        case .owned(let entry):
            try Self.validate(entry, name: name, path: path)
            return try entry.bytes.withUnsafeBytes { try body(entry.dtype, entry.shape, $0) }
        }
    }

    /// Checks what the setters cannot: a reserved name, the shape, the byte count.
    static func validate(_ entry: SafeTensorsEntry, name: String, path: String) throws {
        try validate(name: name, dtype: entry.dtype, shape: entry.shape, byteCount: entry.bytes.count, path: path)
    }

    static func validate(_ view: TensorView, name: String, path: String) throws {
        try validate(name: name, dtype: view.dtype, shape: view.shape, byteCount: view.byteCount, path: path)
    }

    private static func validate(name: String, dtype: SafeTensorsDType, shape: [Int], byteCount: Int,
                                 path: String) throws {
        if name == "__metadata__" {
            throw SafeTensorsError(path: path, reason: "\"__metadata__\" is reserved and cannot name a tensor")
        }
        guard let needed = checkedByteCount(shape, dtype) else {
            throw SafeTensorsError(path: path, reason: "tensor \"\(name)\": invalid shape \(shape) (negative or overflowing)")
        }
        guard needed == byteCount else {
            throw SafeTensorsError(path: path, reason: "tensor \"\(name)\": \(byteCount) bytes, but shape \(shape) of \(dtype.rawValue) needs \(needed)")
        }
    }
}
