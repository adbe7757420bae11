/// A safetensors file in memory: named tensors plus the `__metadata__` string map.
///
/// Tensors read from a file stay views into the one buffer the file was read into (no per-tensor
/// copies); `subscript` materializes a copy on demand, while `withFloats` / `copyFloats` read
/// float tensors straight from that buffer. Tensors set by the caller own their bytes.
public struct SafeTensorsFile: Sendable {
    public var metadata: [String: String]
    /// The file this was read from (or last written to); used in error messages.
    public var path: String
    var slots: [String: Slot]

    enum Slot: Sendable {
        case owned(SafeTensorsEntry)
        case view(TensorView)
    }

    /// A tensor inside a shared, immutable file buffer.
    struct TensorView: Sendable {
        let dtype: SafeTensorsDType
        let shape: [Int]
        let buffer: ByteBuffer
        let start: Int
        let byteCount: Int
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
                let raw = view.buffer.bytes(from: view.start, count: view.byteCount)
                return SafeTensorsEntry(dtype: view.dtype, shape: view.shape, bytes: Array(raw))
            }
        }
        set { slots[name] = newValue.map { .owned($0) } }
    }

    public func shape(_ name: String) -> [Int]? {
        switch slots[name] {
        case nil: return nil
        case .owned(let entry): return entry.shape
        case .view(let view): return view.shape
        }
    }

    public func dtype(_ name: String) -> SafeTensorsDType? {
        switch slots[name] {
        case nil: return nil
        case .owned(let entry): return entry.dtype
        case .view(let view): return view.dtype
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
            return try body(view.dtype, view.shape, view.buffer.bytes(from: view.start, count: view.byteCount))
        case .owned(let entry):
            try Self.validate(entry, name: name, path: path)
            return try entry.bytes.withUnsafeBytes { try body(entry.dtype, entry.shape, $0) }
        }
    }

    /// Checks what the subscript setter cannot: a reserved name, the shape, the byte count.
    static func validate(_ entry: SafeTensorsEntry, name: String, path: String) throws {
        if name == "__metadata__" {
            throw SafeTensorsError(path: path, reason: "\"__metadata__\" is reserved and cannot name a tensor")
        }
        guard let needed = checkedByteCount(entry.shape, entry.dtype) else {
            throw SafeTensorsError(path: path, reason: "tensor \"\(name)\": invalid shape \(entry.shape) (negative or overflowing)")
        }
        guard needed == entry.bytes.count else {
            throw SafeTensorsError(path: path, reason: "tensor \"\(name)\": \(entry.bytes.count) bytes, but shape \(entry.shape) of \(entry.dtype.rawValue) needs \(needed)")
        }
    }
}
