/// `--shard I/N`: the I-th of N deterministic slices of the input list (I counts from 1, like `split -n K/N`),
/// so N processes or machines split a folder without talking to each other. Item k of the full, ordered list
/// (k from 0) belongs to shard (k mod N) + 1: every item is in exactly one shard, and big subfolders are spread
/// over all of them.
public struct Shard: Sendable, Equatable, CustomStringConvertible {
    public let index: Int
    public let count: Int

    public init(index: Int, count: Int) throws {
        guard count >= 1 else { throw ConversionError.usage("--shard", "N must be at least 1, got \(count)") }
        guard (1...count).contains(index) else {
            throw ConversionError.usage("--shard", "I must be in 1...\(count) (shards are numbered from 1), got \(index)")
        }
        self.index = index
        self.count = count
    }

    /// Parses "I/N".
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]) else {
            throw ConversionError.usage("--shard", "expected I/N (e.g. 2/4: the second of four slices), got '\(text)'")
        }
        try self.init(index: i, count: n)
    }

    public func contains(position: Int) -> Bool { position % count == index - 1 }

    /// The elements of this shard, in their order.
    public func select<T>(_ elements: [T]) -> [T] {
        elements.enumerated().filter { contains(position: $0.offset) }.map(\.element)
    }

    public var description: String { "\(index)/\(count)" }
}
