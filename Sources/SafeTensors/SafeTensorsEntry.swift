/// One tensor: element type, shape (row-major, `[]` for a 0-d scalar) and its raw little-endian bytes.
public struct SafeTensorsEntry: Sendable {
    public var dtype: SafeTensorsDType
    public var shape: [Int]
    public var bytes: [UInt8]

    public init(dtype: SafeTensorsDType, shape: [Int], bytes: [UInt8]) {
        self.dtype = dtype
        self.shape = shape
        self.bytes = bytes
    }

    /// Number of elements the shape describes, or nil when a dimension is negative or the product overflows.
    public var elementCount: Int? { checkedElementCount(shape) }
}

/// Product of the dimensions with overflow and sign checks (nil when invalid). `[]` has one element.
func checkedElementCount(_ shape: [Int]) -> Int? {
    var count = 1
    for dim in shape {
        guard dim >= 0 else { return nil }
        let (product, overflow) = count.multipliedReportingOverflow(by: dim)
        if overflow { return nil }
        count = product
    }
    return count
}

/// Byte size of a tensor of this shape and dtype, or nil when invalid or overflowing.
func checkedByteCount(_ shape: [Int], _ dtype: SafeTensorsDType) -> Int? {
    guard let count = checkedElementCount(shape) else { return nil }
    let (bytes, overflow) = count.multipliedReportingOverflow(by: dtype.byteSize)
    return overflow ? nil : bytes
}
