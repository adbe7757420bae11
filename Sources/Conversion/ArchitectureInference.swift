import SafeTensors

/// Reads a generator's architecture off the tensor names and shapes of a plain PyTorch state dict (no
/// metadata), so that `--netG`/`--ngf`/... are only needed where the weights cannot tell. The reference's
/// key layout decides it: `model.model.…` is a U-Net (one down- and one up-convolution per level),
/// `model.N.conv_block.…` a ResNet generator; BatchNorm leaves `running_mean`; inner convolutions carry a
/// bias only with instance norm; dropout in a ResNet block shifts the second convolution from index 5 to 6.
/// U-Net dropout has no trace in the weights: it follows the reference's default (on, `--no-dropout` off).
/// The result is checked anyway when the weights are loaded strictly.
struct InferredArchitecture: Equatable {
    var spec: ModelSpec
    /// What could not be read from the weights and was defaulted.
    var assumptions: [String]
}

enum ArchitectureInference {
    static func infer(_ file: SafeTensorsFile) -> InferredArchitecture? {
        // DataParallel checkpoints put `module.` before every key.
        let raw = file.names
        let prefix = !raw.isEmpty && raw.allSatisfy({ $0.hasPrefix("module.") }) ? "module." : ""
        let names = raw.map { String($0.dropFirst(prefix.count)) }
        func shape(_ key: String) -> [Int]? { file.shape(prefix + key) }
        let keys = Set(names)
        let norm: NormKind
        if names.contains(where: { $0.hasSuffix(".running_mean") }) {
            norm = .batch
        } else if keys.contains("model.model.1.model.1.bias") || names.contains(where: { $0.hasSuffix(".conv_block.1.bias") }) {
            norm = .instance
        } else {
            norm = .none
        }

        if let first = shape("model.model.0.weight"), first.count == 4 {
            // U-Net: every level has one 4-d downconv and one 4-d upconv weight.
            let levels = names.filter { $0.hasSuffix(".weight") && shape($0)?.count == 4 }.count / 2
            guard let last = shape("model.model.3.weight"), last.count == 4 else { return nil }
            let spec = ModelSpec.generator("unet_\(1 << min(max(levels, 1), 30))", inputNc: first[1], outputNc: last[1],
                                           ngf: first[0], norm: norm, dropout: true)
            return InferredArchitecture(spec: spec, assumptions: ["dropout (not visible in the weights; --no-dropout turns it off)"])
        }
        if let first = shape("model.1.weight"), first.count == 4, first[2] == 7 {
            var blocks = Set<Int>()
            var lastIndex = -1
            var dropout = false
            for name in names {
                let parts = name.split(separator: ".")
                guard parts.count >= 3, parts[0] == "model", let index = Int(parts[1]) else { continue }
                if parts[2] == "conv_block" {
                    blocks.insert(index)
                    if parts.count >= 4, parts[3] == "6" { dropout = true }
                } else if parts[2] == "weight", shape(name)?.count == 4 {
                    lastIndex = max(lastIndex, index)
                }
            }
            guard lastIndex >= 0, let last = shape("model.\(lastIndex).weight") else { return nil }
            let spec = ModelSpec.generator("resnet_\(blocks.count)blocks", inputNc: first[1], outputNc: last[0],
                                           ngf: first[0], norm: norm, dropout: dropout)
            return InferredArchitecture(spec: spec, assumptions: [])
        }
        return nil
    }
}
