import Foundation

/// How a spec is stored in a safetensors header's `__metadata__` (string to string):
/// `translate.spec` holds the JSON of the spec (what the loader reads), and readable keys in the reference's
/// flag names (`netG`/`netD`, `norm`, `ngf`/`ndf`, `input_nc`, `output_nc`, `use_dropout`, `num_downs`,
/// `n_layers_D`) let people and other tools see the architecture.
extension ModelSpec {
    public static let metadataKey = "translate.spec"

    public var metadata: [String: String] {
        var m: [String: String] = [:]
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        if let json = try? encoder.encode(self), let text = String(data: json, encoding: .utf8) {
            m[ModelSpec.metadataKey] = text
        }
        let generator = isGenerator
        m[generator ? "netG" : "netD"] = kind
        m["norm"] = norm.rawValue
        m[generator ? "ngf" : "ndf"] = String(filters)
        m["input_nc"] = String(inputNc)
        if generator {
            m["output_nc"] = String(outputNc)
            m["use_dropout"] = dropout ? "true" : "false"
        }
        if let numDowns { m["num_downs"] = String(numDowns) }
        if kind == "n_layers" { m["n_layers_D"] = String(nLayers ?? 3) }
        return m
    }

    /// The spec stored in `metadata` under `metadataKey`, or nil when there is none. Throws when the entry
    /// is present but not a valid spec.
    public init?(metadata: [String: String]) throws {
        guard let text = metadata[ModelSpec.metadataKey] else { return nil }
        do {
            self = try JSONDecoder().decode(ModelSpec.self, from: Data(text.utf8))
        } catch {
            throw ModelSpecError("metadata entry \(ModelSpec.metadataKey) is not a valid network description: \(error)")
        }
        _ = try architecture()
    }
}
