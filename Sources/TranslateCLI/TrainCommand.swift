import ArgumentParser
import Foundation
import ImageData
import Kernels
import Training

/// `translate train`: the main job.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a pix2pix or CycleGAN translator between two image domains.",
        discussion: """
        The data decides the model unless --model says otherwise: paired images (A|B side-by-side files \
        under DATAROOT/train, or two folders whose files have the same names) train pix2pix; unpaired \
        images (DATAROOT/trainA + DATAROOT/trainB, or any two folders) train CycleGAN. Defaults then follow \
        the reference implementation for that model (pix2pix: unet_256, batch norm, dropout, vanilla GAN, \
        L1 weight 100; CycleGAN: resnet_9blocks, instance norm, lsgan, cycle weights 10, identity 0.5, pool 50).

        Everything goes to CHECKPOINTS-DIR/NAME/: train_opt.json, latest_net_*.safetensors (PyTorch \
        state_dict keys; our metadata carries the architecture), <epoch>_net_*.safetensors, \
        latest_state.safetensors/.json (optimizer moments, schedule, RNG: --continue-train resumes exactly), \
        loss_log.jsonl and web/index.html with samples and a loss plot.

        Ctrl-C finishes the current step, saves 'latest' and exits with status 130; run the same command \
        with --continue-train to go on. Images must fit the network: U-Net needs sizes divisible by \
        2^num_downs (256 for unet_256, 128 for unet_128), ResNet by 4.

        Examples:
          translate train --domains photos/ sketches/                       # paired by name -> pix2pix
          translate train --dataroot datasets/horse2zebra --name h2z        # trainA/trainB -> CycleGAN
          translate train --dataroot datasets/facades --direction BtoA --name facades --load-size 143 --crop-size 128 --netG unet_128
          translate train --name h2z --dataroot datasets/horse2zebra --continue-train
        """)

    // Data
    @Option(help: "Folder of the dataset (train/ with A|B images, or trainA/ and trainB/).")
    var dataroot: String?
    @Option(parsing: .upToNextOption, help: "Two folders A B (or two names under --dataroot).")
    var domains: [String] = []
    @Option(help: "AtoB or BtoA: which side is the input.")
    var direction: String?
    @Option(name: .customLong("input-nc"), help: "Input channels: 3 (RGB) or 1 (gray).") var inputNc: Int?
    @Option(name: .customLong("output-nc"), help: "Output channels: 3 (RGB) or 1 (gray).") var outputNc: Int?
    @Option(name: .customLong("batch-size")) var batchSize: Int?
    @Option(name: .customLong("load-size"), help: "Scale images to this size (default 286).") var loadSize: Int?
    @Option(name: .customLong("crop-size"), help: "Then crop to this size (default 256).") var cropSize: Int?
    @Option(help: "resize_and_crop | crop | scale_width | scale_width_and_crop | none") var preprocess: String?
    @Flag(name: .customLong("no-flip"), help: "Do not flip images horizontally at random.") var noFlip = false
    @Option(name: .customLong("max-dataset-size"), help: "Use at most this many images per domain.") var maxDatasetSize: Int?
    @Flag(name: .customLong("serial-batches"), help: "Take images in order (and B in order for unpaired data).") var serialBatches = false

    // Model
    @Option(help: "pix2pix | cycle_gan (default: from the data).") var model: String?
    @Option(name: .customLong("netG"), help: "unet_256 | unet_128 | resnet_9blocks | resnet_6blocks") var netG: String?
    @Option(name: .customLong("netD"), help: "basic | n_layers | pixel") var netD: String?
    @Option(name: .customLong("n-layers-D"), help: "Layers of the n_layers discriminator.") var nLayersD: Int?
    @Option(help: "batch | instance | none") var norm: String?
    @Option(help: "Generator filters in the last conv layer (64).") var ngf: Int?
    @Option(help: "Discriminator filters in the first conv layer (64).") var ndf: Int?
    @Flag(name: .customLong("no-dropout"), help: "No dropout in the generator.") var noDropout = false
    @Option(name: .customLong("init-type"), help: "normal | xavier | kaiming | orthogonal") var initType: String?
    @Option(name: .customLong("init-gain")) var initGain: Float?

    // Losses
    @Option(name: .customLong("gan-mode"), help: "vanilla | lsgan | wgangp") var ganMode: String?
    @Option(name: .customLong("lambda-L1")) var lambdaL1: Float?
    @Option(name: .customLong("lambda-A")) var lambdaA: Float?
    @Option(name: .customLong("lambda-B")) var lambdaB: Float?
    @Option(name: .customLong("lambda-identity")) var lambdaIdentity: Float?
    @Option(name: .customLong("lambda-GP"), help: "Gradient penalty weight for wgangp (10).") var lambdaGP: Float?
    @Option(name: .customLong("pool-size")) var poolSize: Int?

    // Optimisation
    @Option var lr: Float?
    @Option var beta1: Float?
    @Option(name: .customLong("lr-policy"), help: "linear | step | cosine | plateau") var lrPolicy: String?
    @Option(name: .customLong("lr-decay-iters"), help: "Epochs between ×0.1 steps (step policy).") var lrDecayIters: Int?
    @Option(name: .customLong("n-epochs"), help: "Epochs at the initial learning rate (100).") var nEpochs: Int?
    @Option(name: .customLong("n-epochs-decay"), help: "Epochs of linear decay to zero (100).") var nEpochsDecay: Int?
    @Option(name: .customLong("epoch-count"), help: "Number of the first epoch.") var epochCount: Int?
    @Option(name: .customLong("max-iters"), help: "Stop after this many steps in total (for quick runs).") var maxIters: Int?

    // Run
    @Option(help: "Name of the run (folder under --checkpoints-dir).") var name: String?
    @Option(name: .customLong("checkpoints-dir")) var checkpointsDir: String?
    @Flag(name: .customLong("continue-train"), help: "Resume the run from its latest checkpoint.") var continueTrain = false
    @Option(name: .customLong("save-epoch-freq")) var saveEpochFreq: Int?
    @Option(name: .customLong("save-latest-freq"), help: "Save 'latest' every N steps.") var saveLatestFreq: Int?
    @Option(name: .customLong("print-freq"), help: "Log losses every N steps.") var printFreq: Int?
    @Option(name: .customLong("display-freq"), help: "Save sample images every N steps.") var displayFreq: Int?
    @Option(help: "Random seed (weights, data order, crops, dropout).") var seed: UInt64?
    @Option(help: "Threads for the math (default: all cores).") var threads: Int?
    @Flag(name: .customLong("low-memory"),
          help: "Redo the Winograd weight transforms in every pass instead of keeping them (CycleGAN up to 128 px keeps the generators': ~10-15% faster, ~680 MB more; discriminators keep theirs from one update to the next: ~90 MB each for the default PatchGAN).")
    var lowMemory = false

    // The reference's old option names.
    @Option(name: .customLong("niter"), help: .hidden) var niter: Int?
    @Option(name: .customLong("niter_decay"), help: .hidden) var niterDecay: Int?
    @Option(name: .customLong("loadSize"), help: .hidden) var oldLoadSize: Int?
    @Option(name: .customLong("fineSize"), help: .hidden) var fineSize: Int?
    @Option(name: .customLong("which_direction"), help: .hidden) var whichDirection: String?

    func run() throws {
        let layout: DataLayout
        var options: TrainOptions
        do {
            layout = try DataLayout.resolve(dataroot: dataroot, domains: domains.isEmpty ? nil : domains)
            options = try resolvedOptions(layout: layout)
            try options.validate()
        } catch let error as TrainingError {
            throw CLIError.usage("translate train: \(error)")
        }
        if let threads = options.threads > 0 ? options.threads : nil { setBLASThreads(threads); kernelThreadCount = threads }

        let dataset: any ImageDataset
        let session: TrainingSession
        do {
            dataset = try makeTrainingDataset(layout, options: options)
            for note in dataset.notes { printError("note: \(note)") }
            let data = PrefetchingDataSource(dataset: dataset, batchSize: options.batchSize,
                                             shuffle: !options.serialBatches, seed: options.seed)
            session = try TrainingSession(options: options, data: data)
        } catch {
            throw CLIError.failure("translate train: \(error)")
        }
        if options.continueTrain {
            let p = session.progress
            printError("translate train: resuming at epoch \(p.epoch), iteration \(p.epochIter) (step \(p.totalIters))")
        }
        let interactive = isatty(STDERR_FILENO) != 0
        session.report = { line in
            if interactive { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
            printError(line)
        }
        if interactive {
            let bar = ProgressBar(label: "epoch")
            session.onStep = { epoch, iter, total, losses, seconds in
                let main = losses.filter { ["G_GAN", "G_L1", "D_real", "D_fake", "G_A", "G_B", "cycle_A", "D_A"].contains($0.key) }
                    .sorted { $0.key < $1.key }.map { String(format: "%@ %.3f", $0.key, $0.value) }.joined(separator: " ")
                bar.update(prefix: "epoch \(epoch)/\(options.totalEpochs)", done: iter, total: total,
                           secondsPerItem: seconds, suffix: main)
            }
        }
        printError("translate train: \(options.model.rawValue) (\(options.netG), \(options.norm) norm, \(options.ganMode.rawValue)) on \(dataset.count) images \(describe(layout)); run folder \(options.runDirectory)")
        StopSignal.install()
        let outcome: SessionOutcome
        do {
            outcome = try session.run(shouldStop: { StopSignal.requested })
        } catch {
            throw CLIError.failure("translate train: \(error)")
        }
        if interactive { FileHandle.standardError.write(Data("\n".utf8)) }
        switch outcome {
        case .finished:
            printError("translate train: done; weights in \(options.runDirectory), samples in \(options.runDirectory)/web/index.html")
        case .interrupted:
            printError("translate train: stopped at epoch \(session.progress.epoch), step \(session.progress.totalIters); 'latest' saved. Resume with the same command plus --continue-train.")
            throw ExitCode(130)
        }
    }

    private func describe(_ layout: DataLayout) -> String {
        switch layout {
        case .aligned(let f): return "(A|B pairs in \(f))"
        case .pairedFolders(let a, let b): return "(pairs by name in \(a) and \(b))"
        case .unpaired(let a, let b): return "(unpaired: \(a) and \(b))"
        }
    }

    /// Model defaults from the data or --model, then every flag given on the command line.
    func resolvedOptions(layout: DataLayout) throws -> TrainOptions {
        let kind: ModelKind
        if let model {
            guard let k = ModelKind(rawValue: model == "cyclegan" ? "cycle_gan" : model) else {
                throw TrainingError(path: "", reason: "unknown --model '\(model)' (pix2pix, cycle_gan)")
            }
            kind = k
        } else {
            kind = layout.isPaired ? .pix2pix : .cycleGAN
        }
        var o = TrainOptions.defaults(for: kind)
        o.dataroot = dataroot
        o.domains = domains.isEmpty ? nil : domains
        if let v = direction ?? whichDirection { o.direction = v }
        if let v = inputNc { o.inputNc = v }
        if let v = outputNc { o.outputNc = v }
        if let v = batchSize { o.batchSize = v }
        if let v = loadSize ?? oldLoadSize { o.loadSize = v }
        if let v = cropSize ?? fineSize { o.cropSize = v }
        if let v = preprocess { o.preprocess = v }
        o.noFlip = noFlip
        if let v = maxDatasetSize { o.maxDatasetSize = v }
        o.serialBatches = serialBatches
        if let v = netG { o.netG = v }
        if let v = netD { o.netD = v }
        if let v = nLayersD { o.nLayersD = v }
        if let v = norm { o.norm = v }
        if let v = ngf { o.ngf = v }
        if let v = ndf { o.ndf = v }
        if noDropout { o.noDropout = true }
        if lowMemory { o.lowMemory = true }
        if let v = initType { o.initType = v }
        if let v = initGain { o.initGain = v }
        if let v = ganMode {
            guard let m = GANMode(rawValue: v) else { throw TrainingError(path: "", reason: "unknown --gan-mode '\(v)' (vanilla, lsgan, wgangp)") }
            o.ganMode = m
        }
        if let v = lambdaL1 { o.lambdaL1 = v }
        if let v = lambdaA { o.lambdaA = v }
        if let v = lambdaB { o.lambdaB = v }
        if let v = lambdaIdentity { o.lambdaIdentity = v }
        if let v = lambdaGP { o.lambdaGP = v }
        if let v = poolSize { o.poolSize = v }
        if let v = lr { o.lr = v }
        if let v = beta1 { o.beta1 = v }
        if let v = lrPolicy {
            guard let p = LRPolicy(rawValue: v) else { throw TrainingError(path: "", reason: "unknown --lr-policy '\(v)' (linear, step, cosine, plateau)") }
            o.lrPolicy = p
        }
        if let v = lrDecayIters { o.lrDecayIters = v }
        if let v = nEpochs ?? niter { o.nEpochs = v }
        if let v = nEpochsDecay ?? niterDecay { o.nEpochsDecay = v }
        if let v = epochCount { o.epochCount = v }
        if let v = maxIters { o.maxIters = v }
        o.name = name ?? defaultName(kind: kind, layout: layout)
        if let v = checkpointsDir { o.checkpointsDir = v }
        o.continueTrain = continueTrain
        if let v = saveEpochFreq { o.saveEpochFreq = v }
        if let v = saveLatestFreq { o.saveLatestFreq = v }
        if let v = printFreq { o.printFreq = v }
        if let v = displayFreq { o.displayFreq = v }
        if let v = seed { o.seed = v }
        if let v = threads { o.threads = v }
        try checkNetworkFitsCrop(o)
        return o
    }

    /// The run name when --name is absent: "<data folder>_<model>".
    private func defaultName(kind: ModelKind, layout: DataLayout) -> String {
        let base: String
        switch layout {
        case .aligned(let f): base = (parentPath(of: f) as NSString).lastPathComponent
        case .pairedFolders(let a, _), .unpaired(let a, _): base = (parentPath(of: a) as NSString).lastPathComponent
        }
        return (base.isEmpty ? "run" : base) + "_" + kind.rawValue
    }

    /// The network must accept the crop size (U-Net halves it num_downs times; ResNet twice).
    private func checkNetworkFitsCrop(_ o: TrainOptions) throws {
        guard o.preprocess != "none" && o.preprocess != "scale_width" else { return }
        let size = o.cropSize
        if o.netG.hasPrefix("unet_"), let depth = Int(o.netG.dropFirst(5)), depth > 0 {
            guard size % depth == 0 else {
                throw TrainingError(path: "", reason: "--crop-size \(size) does not fit \(o.netG): it needs a multiple of \(depth) (try --crop-size \(max(depth, size / depth * depth)))")
            }
        } else if o.netG.hasPrefix("resnet"), size % 4 != 0 {
            throw TrainingError(path: "", reason: "--crop-size \(size) does not fit \(o.netG): it needs a multiple of 4")
        }
    }
}
