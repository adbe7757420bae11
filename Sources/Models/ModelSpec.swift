import Foundation

/// The architecture of one network, in the reference's vocabulary, stored with every checkpoint.
///
/// `kind` is the reference's `--netG` / `--netD` value: generators `unet_256`, `unet_128`, `unet_<size>`
/// (size = 2^numDowns, e.g. `unet_64`), `unet` (with `numDowns`), `resnet_9blocks`, `resnet_6blocks`,
/// `resnet_<n>blocks`; discriminators `basic` (PatchGAN, 3 layers), `n_layers` (with `nLayers`), `pixel`.
/// `filters` is `--ngf` for generators and `--ndf` for discriminators.
public struct ModelSpec: Codable, Equatable, Hashable, Sendable, CustomStringConvertible {
    public var kind: String
    public var norm: NormKind
    public var filters: Int
    public var inputNc: Int
    /// Output channels of a generator (1 for discriminators: a map of logits).
    public var outputNc: Int
    /// Dropout(0.5) in the generator (the reference's `not --no_dropout`); discriminators have none.
    public var dropout: Bool
    /// U-Net depth when `kind` does not fix it (`unet`), or the same value it fixes.
    public var numDowns: Int?
    /// `n_layers` discriminator depth (`--n_layers_D`, default 3).
    public var nLayers: Int?

    public init(kind: String, norm: NormKind, filters: Int, inputNc: Int, outputNc: Int, dropout: Bool,
                numDowns: Int? = nil, nLayers: Int? = nil) {
        self.kind = kind
        self.norm = norm
        self.filters = filters
        self.inputNc = inputNc
        self.outputNc = outputNc
        self.dropout = dropout
        self.numDowns = numDowns
        self.nLayers = nLayers
    }

    /// A generator as `define_G(input_nc, output_nc, ngf, netG, norm, use_dropout)` builds it.
    public static func generator(_ netG: String, inputNc: Int = 3, outputNc: Int = 3, ngf: Int = 64,
                                 norm: NormKind = .batch, dropout: Bool = false, numDowns: Int? = nil) -> ModelSpec {
        ModelSpec(kind: netG, norm: norm, filters: ngf, inputNc: inputNc, outputNc: outputNc, dropout: dropout,
                  numDowns: numDowns)
    }

    /// A discriminator as `define_D(input_nc, ndf, netD, n_layers_D, norm)` builds it.
    public static func discriminator(_ netD: String, inputNc: Int, ndf: Int = 64, norm: NormKind = .batch,
                                     nLayers: Int? = nil) -> ModelSpec {
        ModelSpec(kind: netD, norm: norm, filters: ndf, inputNc: inputNc, outputNc: 1, dropout: false,
                  nLayers: nLayers)
    }

    /// The resolved architecture with its depth.
    public enum Architecture: Equatable, Sendable {
        case unet(numDowns: Int)
        case resnet(blocks: Int)
        case nLayers(Int)
        case pixel

        public var isGenerator: Bool {
            switch self {
            case .unet, .resnet: return true
            case .nLayers, .pixel: return false
            }
        }
    }

    /// Parses `kind` and checks every number; throws `ModelSpecError` with a readable reason.
    public func architecture() throws -> Architecture {
        let arch = try resolveKind()
        try check(filters >= 1 && filters <= 4096, "ngf/ndf must be in 1...4096, got \(filters)")
        try check(inputNc >= 1 && inputNc <= 4096, "input_nc must be in 1...4096, got \(inputNc)")
        try check(outputNc >= 1 && outputNc <= 4096, "output_nc must be in 1...4096, got \(outputNc)")
        switch arch {
        case .unet(let downs):
            try check(downs >= 5 && downs <= 16, "a U-Net needs num_downs in 5...16, got \(downs)")
        case .resnet(let blocks):
            try check(blocks >= 0 && blocks <= 64, "a ResNet generator needs 0...64 blocks, got \(blocks)")
        case .nLayers(let n):
            try check(n >= 0 && n <= 16, "n_layers must be in 0...16, got \(n)")
            try check(outputNc == 1, "a discriminator has 1 output channel, got \(outputNc)")
            try check(!dropout, "discriminators have no dropout")
        case .pixel:
            try check(outputNc == 1, "a discriminator has 1 output channel, got \(outputNc)")
            try check(!dropout, "discriminators have no dropout")
        }
        let bound = parameterBound(arch)
        try check(bound <= 2e9, "\(kind) with ngf/ndf \(filters) would have about \(Int(bound)) parameters, too many")
        return arch
    }

    /// A rough upper bound of the parameter count (it refuses absurd sizes, e.g. from a forged checkpoint
    /// header, before anything is allocated).
    private func parameterBound(_ arch: Architecture) -> Double {
        let f = Double(filters), channels = Double(inputNc + outputNc)
        switch arch {
        case .unet(let downs): return 16 * (3 * 64 * f * f * Double(downs) + 2 * f * channels)
        case .resnet(let blocks): return 9 * 16 * f * f * Double(2 * blocks + 4) + 49 * f * channels
        case .nLayers(let n): return 16 * (64 * f * f * Double(n + 1) + f * channels)
        case .pixel: return 2 * f * f + f * channels + 4 * f
        }
    }

    /// True for the generator kinds (unet*, resnet*).
    public var isGenerator: Bool { kind.hasPrefix("unet") || kind.hasPrefix("resnet") }

    /// Checks an input size: generators need H and W divisible by their total stride (callers such as
    /// `convert` pad by reflection and crop back), discriminators a minimum size.
    public func checkInputSize(height: Int, width: Int) throws {
        let arch = try architecture()
        let multiple = sizeMultiple(arch)
        try check(height % multiple == 0 && width % multiple == 0 && height > 0 && width > 0,
                  "\(kind) needs height and width divisible by \(multiple), got \(height)x\(width)")
        switch arch {
        case .unet:
            break
        case .resnet:
            // After two stride-2 convolutions the 1-pixel reflection padding needs at least 2 pixels.
            try check(height >= 8 && width >= 8, "\(kind) needs at least 8x8 pixels, got \(height)x\(width)")
        case .nLayers(let n):
            var h = height, w = width
            for _ in 0..<n { h /= 2; w /= 2 }
            try check(h >= 3 && w >= 3,
                      "\(kind) with \(n) layers needs at least \(3 << n)x\(3 << n) pixels, got \(height)x\(width)")
        case .pixel:
            break
        }
    }

    /// The factor H and W must be divisible by.
    public func sizeMultiple() throws -> Int { sizeMultiple(try architecture()) }

    private func sizeMultiple(_ arch: Architecture) -> Int {
        switch arch {
        case .unet(let downs): return 1 << downs
        case .resnet: return 4
        case .nLayers, .pixel: return 1
        }
    }

    private func resolveKind() throws -> Architecture {
        switch kind {
        case "basic": return .nLayers(3)
        case "n_layers": return .nLayers(nLayers ?? 3)
        case "pixel": return .pixel
        case "unet":
            guard let numDowns else { throw ModelSpecError("kind 'unet' needs num_downs") }
            return .unet(numDowns: numDowns)
        default: break
        }
        if kind.hasPrefix("unet_"), let size = Int(kind.dropFirst(5)), size > 0, size & (size - 1) == 0 {
            let downs = size.trailingZeroBitCount
            if let numDowns, numDowns != downs {
                throw ModelSpecError("\(kind) has \(downs) downsamplings, but num_downs is \(numDowns)")
            }
            return .unet(numDowns: downs)
        }
        if kind.hasPrefix("resnet_"), kind.hasSuffix("blocks"),
           let blocks = Int(kind.dropFirst(7).dropLast(6)) {
            return .resnet(blocks: blocks)
        }
        throw ModelSpecError("unknown network '\(kind)' (generators: unet_256, unet_128, resnet_9blocks, "
                             + "resnet_6blocks; discriminators: basic, n_layers, pixel)")
    }

    private func check(_ condition: Bool, _ reason: @autoclosure () -> String) throws {
        if !condition { throw ModelSpecError(reason()) }
    }

    public var description: String {
        var parts = ["\(kind)", "norm \(norm.rawValue)"]
        let generator = isGenerator
        parts.append("\(generator ? "ngf" : "ndf") \(filters)")
        parts.append("input_nc \(inputNc)")
        if generator { parts.append("output_nc \(outputNc)") }
        if generator { parts.append(dropout ? "dropout" : "no dropout") }
        if let numDowns { parts.append("num_downs \(numDowns)") }
        if kind == "n_layers" { parts.append("n_layers \(nLayers ?? 3)") }
        return parts.joined(separator: ", ")
    }
}

/// An invalid architecture description (from flags or from a checkpoint's metadata).
public struct ModelSpecError: Error, CustomStringConvertible, Sendable {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}
