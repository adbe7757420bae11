import Foundation
import SafeTensors

/// A generator ready to run, with the file it came from and notes for the user (e.g. an inferred architecture).
public struct LoadedGenerator {
    public let network: Network
    public let file: String
    public let notes: [String]
}

/// Finds and loads the generator that `--model` names: one of our checkpoints (architecture from its
/// metadata), a run folder (`checkpoints/<name>`), or a plain PyTorch state dict (architecture from the flags,
/// or read off the tensor names where the flags are silent).
public enum GeneratorLoader {
    public static func load(_ path: String, options: ModelOptions = ModelOptions()) throws -> LoadedGenerator {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ConversionError.usage(path, "no such model file or run folder")
        }
        if isDirectory.boolValue {
            let run = try RunFolder(path: path)
            let name = try run.generatorName(options: options)
            return try loadFile(run.file(epoch: options.epoch, network: name), options: options)
        }
        if options.generator != nil {
            throw ConversionError.usage(path, "--generator picks a file in a run folder; --model names a single file here")
        }
        return try loadFile(path, options: options)
    }

    /// Loads one safetensors file as a generator.
    public static func loadFile(_ path: String, options: ModelOptions) throws -> LoadedGenerator {
        let file: SafeTensorsFile
        do {
            file = try SafeTensorsFile.load(path: path)
        } catch {
            throw ConversionError(path: path, reason: stripPath(describe(error, path: path), path))
        }
        var notes: [String] = []
        var spec: ModelSpec
        var guessed = options.hasArchitectureFlags
        do {
            if let stored = try ModelSpec(metadata: file.metadata) {
                spec = options.applied(to: stored)
            } else if let inferred = ArchitectureInference.infer(file) {
                spec = options.applied(to: inferred.spec)
                guessed = true
                var note = "no architecture in the file's metadata; using \(spec) (from the tensor names"
                if options.hasArchitectureFlags { note += " and flags" }
                note += ")"
                if options.noDropout == nil, !inferred.assumptions.isEmpty {
                    note += "; assumed " + inferred.assumptions.joined(separator: ", ")
                }
                notes.append(note)
            } else if let netG = options.netG {
                // The reference's defaults for the flags not given.
                spec = options.applied(to: .generator(netG, norm: .instance, dropout: true))
            } else {
                throw ConversionError.usage(path, "no architecture in the file's metadata and the tensor names are not "
                    + "a known generator's: give the reference's flags (--netG, --norm, --ngf, --no-dropout, --input-nc, --output-nc)")
            }
            _ = try spec.architecture()
        } catch let error as ModelSpecError {
            throw ConversionError.usage(path, error.reason)
        }
        guard spec.isGenerator else {
            throw ConversionError.usage(path, "holds a discriminator (\(spec.kind)), not a generator")
        }
        do {
            let network = try Network(stateDict: file, spec: spec, strict: true)
            return LoadedGenerator(network: network, file: path, notes: notes)
        } catch let error as StateDictError {
            throw ConversionError(path: path, reason: stripPath(error.description, path), isUsage: guessed)
        } catch {
            throw ConversionError(path: path, reason: stripPath(describe(error, path: path), path))
        }
    }

    private static func stripPath(_ text: String, _ path: String) -> String {
        text.hasPrefix(path + ": ") ? String(text.dropFirst(path.count + 2)) : text
    }
}
