import ArgumentParser
import Foundation
import SafeTensors

/// `translate inspect FILE`: what a safetensors file holds, without loading a network.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show the metadata, parameter count and tensor list of a safetensors file.",
        discussion: """
        Works on any safetensors file: our checkpoints and training states, and PyTorch state dicts \
        saved with safetensors. The parameter count adds up the floating point tensors, leaving out \
        BatchNorm buffers (running_mean, running_var, num_batches_tracked). The file is fully \
        validated; a damaged file is reported on stderr with exit code 1.
        """)

    @Argument(help: "The safetensors file to inspect.")
    var file: String

    @Flag(help: "Print one JSON object on stdout instead of text.")
    var json = false

    func run() throws {
        do {
            let report = try InspectReport(path: file)
            print(json ? try report.json() : report.text())
        } catch {
            FileHandle.standardError.write(Data("translate inspect: \(error)\n".utf8))
            throw ExitCode.failure
        }
    }
}

/// The facts `inspect` prints, computed once for both output formats.
struct InspectReport: Encodable {
    struct TensorLine: Encodable {
        let name: String
        let dtype: String
        let shape: [Int]
        let elements: Int
    }

    let path: String
    let fileBytes: Int
    let metadata: [String: String]
    let tensorCount: Int
    let parameterCount: Int
    let tensors: [TensorLine]

    /// Metadata keys that describe the network, in the reference's flag names (shown first).
    static let architectureKeys = ["netG", "netD", "norm", "ngf", "ndf", "input_nc", "output_nc", "use_dropout",
                                   "num_downs", "n_layers_D", "init_type", "init_gain"]
    /// Buffers, not learned parameters.
    static let bufferSuffixes = [".running_mean", ".running_var", ".num_batches_tracked"]

    init(path: String) throws {
        let file = try SafeTensorsFile.load(path: path)
        self.path = path
        fileBytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        metadata = file.metadata
        tensors = file.names.compactMap { name in
            guard let dtype = file.dtype(name), let shape = file.shape(name) else { return nil }
            return TensorLine(name: name, dtype: dtype.rawValue, shape: shape, elements: shape.reduce(1, *))
        }
        tensorCount = tensors.count
        parameterCount = tensors.filter { line in
            SafeTensorsDType(rawValue: line.dtype)?.isFloatingPoint == true
                && !Self.bufferSuffixes.contains { line.name.hasSuffix($0) || line.name == String($0.dropFirst()) }
        }.reduce(0) { $0 + $1.elements }
    }

    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    func text() -> String {
        var lines = ["file: \(path) (\(grouped(fileBytes)) bytes)"]
        // Metadata in three groups: architecture flags, our own `translate.*` entries (network
        // description and training state), then anything else (e.g. from other tools).
        let keys = metadata.keys.sorted()
        let architecture = Self.architectureKeys.filter { metadata[$0] != nil }
        let ours = keys.filter { $0.hasPrefix("translate.") }
        let other = keys.filter { !architecture.contains($0) && !ours.contains($0) }
        for (title, group) in [("architecture", architecture), ("translate state", ours), ("metadata", other)] where !group.isEmpty {
            lines.append("\(title):")
            for key in group { lines.append("  \(key): \(oneLine(metadata[key] ?? ""))") }
        }
        if metadata.isEmpty { lines.append("metadata: none") }
        lines.append("tensors: \(tensorCount)")
        lines.append("parameters: \(grouped(parameterCount))")
        let nameWidth = min(tensors.map(\.name.count).max() ?? 0, 60)
        for tensor in tensors {
            let name = tensor.name.padding(toLength: max(nameWidth, tensor.name.count), withPad: " ", startingAt: 0)
            let dtype = tensor.dtype.padding(toLength: 4, withPad: " ", startingAt: 0)
            lines.append("  \(name)  \(dtype)  [\(tensor.shape.map(String.init).joined(separator: ", "))]")
        }
        return lines.joined(separator: "\n")
    }

    /// Control characters shown escaped so one metadata entry stays on one line.
    private func oneLine(_ value: String) -> String {
        value.unicodeScalars.map { $0.value < 0x20 ? $0.escaped(asASCII: true) : String($0) }.joined()
    }

    /// 1234567 -> "1,234,567" (fixed format, not locale dependent).
    private func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (i, digit) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return value < 0 ? "-" + out : out
    }
}
