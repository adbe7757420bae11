import Foundation

/// A training run folder, `checkpoints/<name>/`: `<epoch>_net_G.safetensors` (pix2pix) or
/// `<epoch>_net_G_A` / `<epoch>_net_G_B` (CycleGAN), plus discriminators and `train_opt.json`.
public struct RunFolder: Sendable {
    public let path: String
    /// The run's options, when `train_opt.json` is there and readable.
    public let trainOptions: RunTrainOptions?

    public init(path: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ConversionError.usage(path, "no such run folder")
        }
        self.path = path
        trainOptions = RunTrainOptions.read(from: (path as NSString).appendingPathComponent("train_opt.json"))
    }

    public func file(epoch: String, network: String) -> String {
        (path as NSString).appendingPathComponent("\(epoch)_net_\(network).safetensors")
    }

    public func has(epoch: String, network: String) -> Bool {
        FileManager.default.fileExists(atPath: file(epoch: epoch, network: network))
    }

    /// Generators saved for `epoch`, in the order G, G_A, G_B.
    public func generators(epoch: String) -> [String] {
        ["G", "G_A", "G_B"].filter { has(epoch: epoch, network: $0) }
    }

    /// True when the run is a CycleGAN (two generators).
    public func isCycleGAN(epoch: String) -> Bool { has(epoch: epoch, network: "G_A") }

    /// Epoch labels that have a generator file (`latest`, `5`, `10`, ...), for messages.
    public func savedEpochs() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        var epochs = Set<String>()
        for name in names where name.hasSuffix(".safetensors") {
            for g in ["_net_G.", "_net_G_A.", "_net_G_B."] {
                if let r = name.range(of: g) { epochs.insert(String(name[..<r.lowerBound])) }
            }
        }
        return epochs.sorted { a, b in
            switch (Int(a), Int(b)) {
            case let (x?, y?): return x < y
            case (nil, _?): return false
            case (_?, nil): return true
            default: return a < b
            }
        }
    }

    /// The generator `options` asks for: `--generator`, else from `--direction` (CycleGAN: AtoB is G_A,
    /// BtoA is G_B), else G (pix2pix) or G_A. A pix2pix run has one generator, trained in one direction.
    public func generatorName(options: ModelOptions) throws -> String {
        let epoch = options.epoch
        let present = generators(epoch: epoch)
        if present.isEmpty {
            let saved = savedEpochs()
            let hint = saved.isEmpty ? "no generator files (*_net_G*.safetensors) at all"
                                     : "saved epochs: \(saved.joined(separator: ", "))"
            throw ConversionError.usage(path, "no \(epoch)_net_G.safetensors or \(epoch)_net_G_A.safetensors (\(hint))")
        }
        if let wanted = options.generator {
            guard ["G", "G_A", "G_B"].contains(wanted) else {
                throw ConversionError.usage(path, "--generator must be G, G_A or G_B, not '\(wanted)'")
            }
            guard present.contains(wanted) else {
                throw ConversionError.usage(path, "has no \(epoch)_net_\(wanted).safetensors (generators here: \(present.joined(separator: ", ")))")
            }
            return wanted
        }
        if present.contains("G") {
            if let direction = options.direction, let trained = trainOptions?.direction, trained != direction.rawValue {
                throw ConversionError.usage(path, "this pix2pix model was trained \(trained) and has one generator; "
                                            + "--direction \(direction.rawValue) needs a model trained that way")
            }
            return "G"
        }
        let name = options.direction == .bToA ? "G_B" : "G_A"
        guard present.contains(name) else {
            throw ConversionError.usage(path, "has no \(epoch)_net_\(name).safetensors (generators here: \(present.joined(separator: ", ")))")
        }
        return name
    }
}

/// The few fields of `train_opt.json` that conversion and testing use (the file holds all training options).
public struct RunTrainOptions: Decodable, Sendable, Equatable {
    public var model: String?
    public var name: String?
    public var dataroot: String?
    public var direction: String?
    public var inputNc: Int?
    public var outputNc: Int?
    public var loadSize: Int?
    public var cropSize: Int?
    public var preprocess: String?

    static func read(from path: String) -> RunTrainOptions? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return try? JSONDecoder().decode(RunTrainOptions.self, from: data)
    }
}
