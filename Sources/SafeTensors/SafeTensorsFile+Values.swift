extension SafeTensorsFile {
    /// The tensor's values as Float, converted from any dtype (F64 rounds, integers and BOOL widen).
    public func floats(_ name: String) throws -> [Float] {
        try withRawBytes(name) { dtype, _, raw in
            let count = raw.count / dtype.byteSize
            return Array(unsafeUninitializedCapacity: count) { buffer, initialized in
                if let base = buffer.baseAddress { decodeFloatingPoint(raw, dtype, count: count, into: base) }
                initialized = count
            }
        }
    }

    /// The tensor's values as Double, converted from any dtype.
    public func doubles(_ name: String) throws -> [Double] {
        try withRawBytes(name) { dtype, _, raw in
            let count = raw.count / dtype.byteSize
            return Array(unsafeUninitializedCapacity: count) { buffer, initialized in
                if let base = buffer.baseAddress { decodeFloatingPoint(raw, dtype, count: count, into: base) }
                initialized = count
            }
        }
    }

    /// The tensor's values as Int64; integer and BOOL dtypes only (a float tensor is an error, not a truncation).
    public func int64s(_ name: String) throws -> [Int64] {
        try withRawBytes(name) { dtype, _, raw in
            let count = raw.count / dtype.byteSize
            func load<T: FixedWidthInteger>(_: T.Type) -> [Int64] {
                (0..<count).map { Int64(T(littleEndian: raw.loadUnaligned(fromByteOffset: $0 &* T.bitWidth / 8, as: T.self))) }
            }
            switch dtype {
            case .i64: return load(Int64.self)
            case .i32: return load(Int32.self)
            case .i16: return load(Int16.self)
            case .i8: return load(Int8.self)
            case .u8: return load(UInt8.self)
            case .bool: return raw.map { $0 == 0 ? 0 : 1 }
            case .f64, .f32, .f16, .bf16:
                throw SafeTensorsError(path: path, reason: "tensor \"\(name)\" is \(dtype.rawValue), expected an integer dtype")
            }
        }
    }

    /// Converts the tensor into `destination`, which must hold exactly `count` elements: the way to
    /// fill a big parameter tensor with a single copy (F32 is a plain memory copy).
    public func copyFloats(_ name: String, into destination: UnsafeMutablePointer<Float>, count: Int) throws {
        func checkCount(_ available: Int, _ shape: [Int]) throws {
            guard available == count else {
                throw SafeTensorsError(path: path, reason: "tensor \"\(name)\" has \(available) elements (shape \(shape)), expected \(count)")
            }
        }
        #if _endian(little)
        if case .onDisk(let tensor)? = slots[name], tensor.dtype == .f32 {
            try checkCount(tensor.byteCount / 4, tensor.shape)
            // The file's bytes are the floats: read them into place.
            return try tensor.source.read(into: destination, count: tensor.byteCount, at: tensor.start)
        }
        #endif
        try withRawBytes(name) { dtype, shape, raw in
            try checkCount(raw.count / dtype.byteSize, shape)
            decodeFloatingPoint(raw, dtype, count: count, into: destination)
        }
    }

    /// Calls `body` with the tensor's values as Float. An aligned F32 tensor is passed in place
    /// (no copy at all); other dtypes are converted into a temporary array first.
    public func withFloats<R>(_ name: String, _ body: (UnsafeBufferPointer<Float>) throws -> R) throws -> R {
        // nil: not usable in place, convert instead (a local enum is not allowed in a generic function).
        let inPlace: Result<R, Never>? = try withRawBytes(name) { dtype, _, raw in
            #if _endian(little)
            if dtype == .f32, let base = raw.baseAddress, Int(bitPattern: base) % MemoryLayout<Float>.alignment == 0 {
                let count = raw.count / 4
                return .success(try base.withMemoryRebound(to: Float.self, capacity: count) {
                    try body(UnsafeBufferPointer(start: $0, count: count))
                })
            }
            #endif
            return nil
        }
        if case .success(let result)? = inPlace { return result }
        return try floats(name).withUnsafeBufferPointer(body)
    }

    /// Stores an F32 tensor (replacing any tensor of that name). `values.count` must match the shape;
    /// a mismatch is reported by `serialized()` / `write(to:)`.
    public mutating func setFloats(_ name: String, _ values: [Float], shape: [Int]) {
        values.withUnsafeBufferPointer { setFloats(name, $0, shape: shape) }
    }

    /// Stores an F32 tensor copied once from `values` (e.g. a Tensor's storage).
    public mutating func setFloats(_ name: String, _ values: UnsafeBufferPointer<Float>, shape: [Int]) {
        self[name] = SafeTensorsEntry(dtype: .f32, shape: shape, bytes: littleEndianBytes(values))
    }

    /// Stores an F32 tensor as a view of `values`, which `owner` keeps alive: nothing is copied, `write(to:)`
    /// streams the values straight from there (a checkpoint of a large network and its optimizer state then
    /// costs no second copy of them in memory). The values are read when the file is serialized or written, so
    /// they must not change before. (Copied on big-endian hosts, whose floats are not the file's bytes.)
    public mutating func setFloats(_ name: String, borrowing values: UnsafeBufferPointer<Float>, owner: AnyObject,
                                   shape: [Int]) {
        #if _endian(little)
        slots[name] = .view(TensorView(dtype: .f32, shape: shape, bytes: UnsafeRawBufferPointer(values), owner: owner))
        #else
        setFloats(name, values, shape: shape)
        #endif
    }

    /// Stores an F64 tensor.
    public mutating func setDoubles(_ name: String, _ values: [Double], shape: [Int]) {
        self[name] = SafeTensorsEntry(dtype: .f64, shape: shape, bytes: values.withUnsafeBufferPointer(littleEndianBytes))
    }

    /// Stores an I64 tensor (`shape: []` for a scalar such as `num_batches_tracked`).
    public mutating func setInt64s(_ name: String, _ values: [Int64], shape: [Int]) {
        self[name] = SafeTensorsEntry(dtype: .i64, shape: shape, bytes: values.withUnsafeBufferPointer(littleEndianBytes))
    }
}

/// Raw little-endian bytes of a buffer of Float/Double/Int64 (one copy on little-endian hosts).
func littleEndianBytes<T: LittleEndianStorable>(_ values: UnsafeBufferPointer<T>) -> [UInt8] {
    let byteCount = values.count * MemoryLayout<T>.size
    return [UInt8](unsafeUninitializedCapacity: byteCount) { buffer, initialized in
        if let destination = buffer.baseAddress, let source = values.baseAddress {
            #if _endian(little)
            UnsafeMutableRawPointer(destination).copyMemory(from: source, byteCount: byteCount)
            #else
            for i in 0..<values.count {
                UnsafeMutableRawPointer(destination).storeBytes(of: values[i].littleEndianBits,
                                                                toByteOffset: i * MemoryLayout<T>.size, as: T.Bits.self)
            }
            #endif
        }
        initialized = byteCount
    }
}

/// Element types we store, with their little-endian bit pattern (used only on big-endian hosts).
protocol LittleEndianStorable {
    associatedtype Bits: FixedWidthInteger
    var littleEndianBits: Bits { get }
}
extension Float: LittleEndianStorable { var littleEndianBits: UInt32 { bitPattern.littleEndian } }
extension Double: LittleEndianStorable { var littleEndianBits: UInt64 { bitPattern.littleEndian } }
extension Int64: LittleEndianStorable { var littleEndianBits: Int64 { littleEndian } }

/// Converts `count` elements of `dtype` from `raw` (any alignment) into floating point values.
func decodeFloatingPoint<T: BinaryFloatingPoint>(
    _ raw: UnsafeRawBufferPointer, _ dtype: SafeTensorsDType, count: Int, into out: UnsafeMutablePointer<T>
) {
    @inline(__always) func load<U: FixedWidthInteger>(_ i: Int, _: U.Type) -> U {
        U(littleEndian: raw.loadUnaligned(fromByteOffset: i &* MemoryLayout<U>.size, as: U.self))
    }
    switch dtype {
    case .f32:
        #if _endian(little)
        if T.self == Float.self, let source = raw.baseAddress {
            UnsafeMutableRawPointer(out).copyMemory(from: source, byteCount: count * 4)
            return
        }
        #endif
        for i in 0..<count { out[i] = T(Float(bitPattern: load(i, UInt32.self))) }
    case .f64: for i in 0..<count { out[i] = T(Double(bitPattern: load(i, UInt64.self))) }
    case .f16: for i in 0..<count { out[i] = T(floatFromHalfBits(load(i, UInt16.self))) }
    case .bf16: for i in 0..<count { out[i] = T(Float(bitPattern: UInt32(load(i, UInt16.self)) << 16)) }
    case .i64: for i in 0..<count { out[i] = T(load(i, Int64.self)) }
    case .i32: for i in 0..<count { out[i] = T(load(i, Int32.self)) }
    case .i16: for i in 0..<count { out[i] = T(load(i, Int16.self)) }
    case .i8: for i in 0..<count { out[i] = T(load(i, Int8.self)) }
    case .u8: for i in 0..<count { out[i] = T(raw[i]) }
    case .bool: for i in 0..<count { out[i] = raw[i] == 0 ? 0 : 1 }
    }
}

/// IEEE 754 binary16 to Float (exact: every half value is a float), without relying on `Float16`,
/// which is not available on every platform Swift runs on.
func floatFromHalfBits(_ half: UInt16) -> Float {
    let sign: UInt32 = UInt32(half & 0x8000) << 16
    let exponent = UInt32(half >> 10) & 0x1F
    let mantissa = UInt32(half) & 0x3FF
    switch exponent {
    case 0:
        // Zero or subnormal: mantissa * 2^-24.
        let magnitude = Float(mantissa) * Float(sign: .plus, exponent: -24, significand: 1)
        return sign != 0 ? -magnitude : magnitude
    case 0x1F:
        return Float(bitPattern: sign | 0x7F80_0000 | mantissa << 13)  // inf / NaN (payload kept)
    default:
        return Float(bitPattern: sign | (exponent + 112) << 23 | mantissa << 13)
    }
}
