/// Why a state dict does not fit a network, with every problem found (PyTorch's `load_state_dict` error,
/// but complete): keys the network needs that the file lacks, keys the file has that the network does not
/// know, and keys whose shape or dtype differ.
public struct StateDictError: Error, CustomStringConvertible, Sendable {
    public struct Mismatch: Sendable, Equatable {
        public let key: String
        public let expected: String
        public let got: String
    }

    /// The file the state dict came from ("" when built in memory).
    public let path: String
    /// The network's architecture, for the message.
    public let network: String
    public let missing: [String]
    public let unexpected: [String]
    public let mismatched: [Mismatch]

    public var description: String {
        var parts: [String] = []
        if !missing.isEmpty { parts.append("missing \(count(missing.count, "key")): " + list(missing)) }
        if !unexpected.isEmpty { parts.append("unexpected \(count(unexpected.count, "key")): " + list(unexpected)) }
        if !mismatched.isEmpty {
            parts.append("mismatched \(count(mismatched.count, "tensor")): "
                         + list(mismatched.map { "\($0.key) (expected \($0.expected), got \($0.got))" }))
        }
        var text = (path.isEmpty ? "" : path + ": ") + "weights do not fit \(network): " + parts.joined(separator: "; ")
        if missing.count + unexpected.count + mismatched.count > 8 {
            text += " (is the architecture right? check --netG/--netD, --norm, --ngf/--ndf, channels)"
        }
        return text
    }

    private func count(_ n: Int, _ noun: String) -> String { n == 1 ? "1 \(noun)" : "\(n) \(noun)s" }

    /// All entries when few, else the first ones and how many more (the properties hold all of them).
    private func list(_ items: [String]) -> String {
        let shown = 12
        if items.count <= shown { return items.joined(separator: ", ") }
        return items.prefix(shown).joined(separator: ", ") + ", and \(items.count - shown) more"
    }
}

/// A network file that cannot be used (unreadable, or no architecture to build it with).
public struct NetworkFileError: Error, CustomStringConvertible, Sendable {
    public let path: String
    public let reason: String
    public init(path: String, reason: String) { self.path = path; self.reason = reason }
    public var description: String { "\(path): \(reason)" }
}
