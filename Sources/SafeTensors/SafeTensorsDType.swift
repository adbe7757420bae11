/// Element types of the safetensors format that this project reads and writes.
public enum SafeTensorsDType: String, Sendable, CaseIterable {
    case f64 = "F64", f32 = "F32", f16 = "F16", bf16 = "BF16"
    case i64 = "I64", i32 = "I32", i16 = "I16", i8 = "I8", u8 = "U8", bool = "BOOL"

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .f64, .i64: return 8
        case .f32, .i32: return 4
        case .f16, .bf16, .i16: return 2
        case .i8, .u8, .bool: return 1
        }
    }

    /// True for the floating point types (F64, F32, F16, BF16).
    public var isFloatingPoint: Bool {
        switch self {
        case .f64, .f32, .f16, .bf16: return true
        default: return false
        }
    }

    /// Position in the reference implementation's dtype enum (Rust `Dtype`, declared in increasing
    /// alignment). Its writer lays tensors out by descending rank, then by name; we do the same so
    /// that our files are byte-identical to `safetensors.torch.save_file` output.
    var referenceRank: Int {
        switch self {
        case .bool: return 0
        case .u8: return 1
        case .i8: return 2
        case .i16: return 5
        case .f16: return 7
        case .bf16: return 8
        case .i32: return 9
        case .f32: return 11
        case .f64: return 12
        case .i64: return 13
        }
    }
}
