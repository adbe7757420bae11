/// Tensor dimensions, outermost first (NCHW for images).
public struct Shape: Equatable, Hashable, Sendable, CustomStringConvertible, ExpressibleByArrayLiteral {
    public var dims: [Int]

    public init(_ dims: [Int]) { self.dims = dims }
    public init(arrayLiteral elements: Int...) { self.dims = elements }

    public var rank: Int { dims.count }
    /// Number of elements (1 for a scalar of rank 0).
    public var count: Int { dims.reduce(1, *) }
    public subscript(_ i: Int) -> Int { dims[i] }
    public var description: String { "[" + dims.map(String.init).joined(separator: ", ") + "]" }

    /// NCHW accessors; they trap on a shape of another rank (a programming error, not user input).
    public var n: Int { precondition(rank == 4, "expected NCHW, got \(self)"); return dims[0] }
    public var c: Int { precondition(rank == 4, "expected NCHW, got \(self)"); return dims[1] }
    public var h: Int { precondition(rank == 4, "expected NCHW, got \(self)"); return dims[2] }
    public var w: Int { precondition(rank == 4, "expected NCHW, got \(self)"); return dims[3] }
}
