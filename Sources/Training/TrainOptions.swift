import Foundation

/// Which model is trained.
public enum ModelKind: String, Codable, CaseIterable, Sendable {
    case pix2pix
    case cycleGAN = "cycle_gan"
}

/// Every option of a training run, resolved (model-dependent defaults filled in). Written to
/// `checkpoints/<name>/train_opt.json`; names follow the reference's options in camelCase.
public struct TrainOptions: Codable, Equatable, Sendable {
    // Data
    public var dataroot: String?
    /// Two folders (or two domain names under `dataroot`).
    public var domains: [String]?
    public var direction: String = "AtoB"
    public var inputNc: Int = 3
    public var outputNc: Int = 3
    public var batchSize: Int = 1
    public var loadSize: Int = 286
    public var cropSize: Int = 256
    public var preprocess: String = "resize_and_crop"
    public var noFlip: Bool = false
    public var maxDatasetSize: Int = Int.max
    public var serialBatches: Bool = false
    // Model
    public var model: ModelKind = .cycleGAN
    public var netG: String = "resnet_9blocks"
    public var netD: String = "basic"
    public var nLayersD: Int = 3
    public var norm: String = "instance"
    public var ngf: Int = 64
    public var ndf: Int = 64
    public var noDropout: Bool = true
    public var initType: String = "normal"
    public var initGain: Float = 0.02
    // Losses
    public var ganMode: GANMode = .lsgan
    public var lambdaL1: Float = 100
    public var lambdaA: Float = 10
    public var lambdaB: Float = 10
    public var lambdaIdentity: Float = 0.5
    public var lambdaGP: Float = 10
    public var poolSize: Int = 50
    // Optimisation
    public var lr: Float = 0.0002
    public var beta1: Float = 0.5
    public var lrPolicy: LRPolicy = .linear
    public var lrDecayIters: Int = 50
    public var nEpochs: Int = 100
    public var nEpochsDecay: Int = 100
    public var epochCount: Int = 1
    /// Stop after this many iterations in total (0 = run all epochs). For demos and tests.
    public var maxIters: Int = 0
    // Run
    public var name: String = "experiment_name"
    public var checkpointsDir: String = "./checkpoints"
    public var continueTrain: Bool = false
    public var saveEpochFreq: Int = 5
    public var saveLatestFreq: Int = 5000
    public var printFreq: Int = 100
    public var displayFreq: Int = 400
    public var seed: UInt64 = 0
    public var threads: Int = 0
    /// Recompute the Winograd weight transforms in every pass instead of keeping them through a generator
    /// phase (CycleGAN on images up to 128x128 keeps them: ~10-15% faster for ~680 MB). Optional so that the
    /// options of runs saved before it existed still load.
    public var lowMemory: Bool? = nil

    public init() {}

    /// The reference's per-model defaults (pix2pix_model / cycle_gan_model `modify_commandline_options`).
    public static func defaults(for model: ModelKind) -> TrainOptions {
        var o = TrainOptions()
        o.model = model
        switch model {
        case .pix2pix:
            o.netG = "unet_256"; o.norm = "batch"; o.noDropout = false
            o.ganMode = .vanilla; o.poolSize = 0; o.lambdaL1 = 100
        case .cycleGAN:
            o.netG = "resnet_9blocks"; o.norm = "instance"; o.noDropout = true
            o.ganMode = .lsgan; o.poolSize = 50
        }
        return o
    }

    public var runDirectory: String { (checkpointsDir as NSString).appendingPathComponent(name) }
    public var totalEpochs: Int { nEpochs + nEpochsDecay }

    /// Checks that do not need the data; each message says what to change.
    public func validate() throws {
        func fail(_ s: String) throws { throw TrainingError(path: "", reason: s) }
        if !["AtoB", "BtoA"].contains(direction) { try fail("--direction must be AtoB or BtoA, not '\(direction)'") }
        if ![1, 3].contains(inputNc) || ![1, 3].contains(outputNc) { try fail("--input-nc and --output-nc must be 1 or 3") }
        if batchSize < 1 { try fail("--batch-size must be at least 1") }
        let validPreprocess = ["resize_and_crop", "crop", "scale_width", "scale_width_and_crop", "none"]
        if !validPreprocess.contains(preprocess) {
            try fail("--preprocess must be one of \(validPreprocess.joined(separator: ", ")), not '\(preprocess)'")
        }
        if preprocess.contains("crop") && preprocess != "crop" && cropSize > loadSize {
            try fail("--crop-size \(cropSize) is larger than --load-size \(loadSize): the crop must fit in the resized image")
        }
        if cropSize < 1 || loadSize < 1 { try fail("--crop-size and --load-size must be positive") }
        if !["basic", "n_layers", "pixel"].contains(netD) { try fail("unknown --netD '\(netD)' (basic, n_layers, pixel)") }
        if !["batch", "instance", "none"].contains(norm) { try fail("unknown --norm '\(norm)' (batch, instance, none)") }
        if !["normal", "xavier", "kaiming", "orthogonal"].contains(initType) {
            try fail("unknown --init-type '\(initType)' (normal, xavier, kaiming, orthogonal)")
        }
        if nEpochs < 0 || nEpochsDecay < 0 || nEpochs + nEpochsDecay < 1 { try fail("--n-epochs + --n-epochs-decay must be at least 1") }
        if epochCount < 1 { try fail("--epoch-count starts at 1") }
        if model == .cycleGAN && lambdaIdentity > 0 && inputNc != outputNc {
            try fail("the identity loss needs --input-nc == --output-nc; set --lambda-identity 0")
        }
        if printFreq < 1 || displayFreq < 1 || saveLatestFreq < 1 || saveEpochFreq < 1 {
            try fail("--print-freq, --display-freq, --save-latest-freq and --save-epoch-freq must be at least 1")
        }
        if lr <= 0 { try fail("--lr must be positive") }
    }

    /// Pretty, stable JSON (sorted keys) for `train_opt.json`.
    public func jsonData() throws -> Data {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try e.encode(self)
    }
}
