import Foundation
import Models
import ImageData

/// The trainer of either model behind one interface, so the session loop is written once.
public protocol GANTrainer: AnyObject {
    var networks: [(name: String, network: Network)] { get }
    var optimizers: [(name: String, optimizer: Adam)] { get }
    var visuals: [(name: String, image: Tensor)] { get }
    var rng: RNG { get set }
    /// Image pools to save with the state (none for pix2pix).
    var pools: [(name: String, pool: ImagePool)] { get }
    func restorePools(from file: SafeTensorsFile) throws
    /// Which parameters each optimizer holds, by "<network>.<key>" (for saving Adam moments by name).
    var optimizerParameterNames: [String: [String]] { get }
    /// Names of the losses whose sum is the generator objective (the plateau policy's metric).
    var generatorLossNames: [String] { get }
    func step(realA: Tensor, realB: Tensor) -> [String: Double]
    /// Sample grid layout: visuals per row.
    var visualsPerRow: Int { get }
}

extension Pix2PixTrainer: GANTrainer {
    public var pools: [(name: String, pool: ImagePool)] { [] }
    public func restorePools(from file: SafeTensorsFile) throws {}
    public var optimizerParameterNames: [String: [String]] {
        ["G": netG.parameterNames.map { "G.\($0)" }, "D": netD.parameterNames.map { "D.\($0)" }]
    }
    public var generatorLossNames: [String] { ["G_GAN", "G_L1"] }
    public var visualsPerRow: Int { 3 }
}

extension CycleGANTrainer: GANTrainer {
    public var pools: [(name: String, pool: ImagePool)] { [("A", poolA), ("B", poolB)] }
    public func restorePools(from file: SafeTensorsFile) throws {
        poolA = try TrainingState.pool(named: "A", capacity: poolA.capacity, from: file)
        poolB = try TrainingState.pool(named: "B", capacity: poolB.capacity, from: file)
    }
    public var optimizerParameterNames: [String: [String]] {
        ["G": netGA.parameterNames.map { "G_A.\($0)" } + netGB.parameterNames.map { "G_B.\($0)" },
         "D": netDA.parameterNames.map { "D_A.\($0)" } + netDB.parameterNames.map { "D_B.\($0)" }]
    }
    public var generatorLossNames: [String] { ["G_A", "G_B", "cycle_A", "cycle_B", "idt_A", "idt_B"] }
    public var visualsPerRow: Int { visuals.count > 6 ? 4 : 3 }
}

/// How a session ended.
public enum SessionOutcome: Equatable, Sendable {
    case finished
    /// Stopped on request (SIGINT/SIGTERM) after saving `latest`.
    case interrupted
}

/// A training run: builds or resumes the networks, loops over epochs and batches, logs, draws samples,
/// saves checkpoints (`latest` and per epoch) and keeps `web/index.html` current.
public final class TrainingSession {
    public let options: TrainOptions
    public let trainer: GANTrainer
    public private(set) var progress: TrainingProgress
    let data: TrainingDataSource
    let runDirectory: String
    /// Human-readable progress lines (stderr in the CLI).
    public var report: (String) -> Void = { _ in }
    /// Called after each step with (epoch, epochIter, batchesPerEpoch, losses, seconds per step); the CLI draws a bar.
    public var onStep: ((Int, Int, Int, [String: Double], Double) -> Void)?
    private var samples: [(label: String, file: String)] = []

    /// Builds the networks for `options` (or loads them, with `continueTrain`) and prepares the run folder.
    public init(options: TrainOptions, data: TrainingDataSource) throws {
        try options.validate()
        self.options = options
        self.data = data
        runDirectory = options.runDirectory
        try FileManager.default.createDirectory(atPath: runDirectory, withIntermediateDirectories: true)

        var rng = RNG(seed: options.seed)
        let built = try TrainingSession.makeTrainer(options, rng: &rng)
        trainer = built
        var scheduler = LRScheduler(policy: options.lrPolicy, baseLR: options.lr, nEpochs: options.nEpochs,
                                    nEpochsDecay: options.nEpochsDecay, lrDecayIters: options.lrDecayIters,
                                    epochCount: options.epochCount)
        progress = TrainingProgress(epoch: options.epochCount, epochIter: 0, totalIters: 0, scheduler: scheduler,
                                    trainerRNG: built.rng, dropoutRNGs: [:], adamSteps: [:])
        if options.continueTrain {
            try resume()
            scheduler = progress.scheduler
        }
        applyLearningRate()
        samples = existingSamples()
        try writeFileAtomically(Array(try options.jsonData()), to: path("train_opt.json"))
    }

    static func makeTrainer(_ o: TrainOptions, rng: inout RNG) throws -> GANTrainer {
        guard let norm = NormKind(rawValue: o.norm) else {
            throw TrainingError(path: "", reason: "unknown --norm '\(o.norm)'")
        }
        let dKind = o.netD
        let nLayers = dKind == "n_layers" ? o.nLayersD : nil
        let initMethod = WeightInit(rawValue: o.initType) ?? .normal
        func build(_ spec: ModelSpec) throws -> Network {
            do { return try makeNetwork(spec, initialization: initMethod, gain: o.initGain, rng: &rng) } catch {
                throw TrainingError(path: "", reason: "\(error)")
            }
        }
        switch o.model {
        case .pix2pix:
            let g = try build(.generator(o.netG, inputNc: o.inputNc, outputNc: o.outputNc, ngf: o.ngf, norm: norm,
                                         dropout: !o.noDropout))
            let d = try build(.discriminator(dKind, inputNc: o.inputNc + o.outputNc, ndf: o.ndf, norm: norm, nLayers: nLayers))
            let trainer = Pix2PixTrainer(netG: g, netD: d, ganMode: o.ganMode, lambdaL1: o.lambdaL1, lr: o.lr,
                                         beta1: o.beta1, lambdaGP: o.lambdaGP, seed: rng.next())
            if o.lowMemory == true { trainer.keepNoWeightTransforms() }
            return trainer
        case .cycleGAN:
            let ga = try build(.generator(o.netG, inputNc: o.inputNc, outputNc: o.outputNc, ngf: o.ngf, norm: norm,
                                          dropout: !o.noDropout))
            let gb = try build(.generator(o.netG, inputNc: o.outputNc, outputNc: o.inputNc, ngf: o.ngf, norm: norm,
                                          dropout: !o.noDropout))
            let da = try build(.discriminator(dKind, inputNc: o.outputNc, ndf: o.ndf, norm: norm, nLayers: nLayers))
            let db = try build(.discriminator(dKind, inputNc: o.inputNc, ndf: o.ndf, norm: norm, nLayers: nLayers))
            let trainer = CycleGANTrainer(netGA: ga, netGB: gb, netDA: da, netDB: db, ganMode: o.ganMode,
                                          lambdaA: o.lambdaA, lambdaB: o.lambdaB, lambdaIdentity: o.lambdaIdentity,
                                          poolSize: o.poolSize, lr: o.lr, beta1: o.beta1, lambdaGP: o.lambdaGP,
                                          seed: rng.next())
            if o.lowMemory == true { trainer.keepNoWeightTransforms() }
            return trainer
        }
    }

    func path(_ file: String) -> String { (runDirectory as NSString).appendingPathComponent(file) }

    // MARK: loop

    /// Trains until the last epoch (or `maxIters`), or until `shouldStop()` turns true (checked after every
    /// step; the step finishes, `latest` is saved, and `.interrupted` is returned).
    public func run(shouldStop: () -> Bool = { false }) throws -> SessionOutcome {
        let perEpoch = data.batchesPerEpoch
        guard perEpoch > 0 else { throw TrainingError(path: "", reason: "the training set yields no batch") }
        let log = LossLog(path: path("loss_log.jsonl"))
        while progress.epoch <= options.totalEpochs {
            try data.startEpoch(progress.epoch, from: progress.epochIter)
            while progress.epochIter < perEpoch {
                if options.maxIters > 0 && progress.totalIters >= options.maxIters {
                    try saveCheckpoint(label: "latest")
                    try writeSamples(label: "end")
                    return .finished
                }
                let (batch, wait) = try data.next()
                let start = DispatchTime.now().uptimeNanoseconds
                let losses = trainer.step(realA: batch.a, realB: batch.b)
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
                progress.epochIter += 1
                progress.totalIters += 1
                if let bad = losses.first(where: { !$0.value.isFinite }) {
                    throw TrainingError(path: "", reason: "loss \(bad.key) became \(bad.value) at epoch \(progress.epoch), iteration \(progress.epochIter) (step \(progress.totalIters)); lower --lr or check the data. Last checkpoint: \(path("latest_state.safetensors"))")
                }
                for name in trainer.generatorLossNames { progress.epochLossSum += losses[name] ?? 0 }
                progress.epochLossCount += 1
                onStep?(progress.epoch, progress.epochIter, perEpoch, losses, seconds)
                if progress.totalIters % options.printFreq == 0 {
                    let record = LossRecord(epoch: progress.epoch, epochIter: progress.epochIter, totalIters: progress.totalIters,
                                            secondsPerIter: seconds, dataWaitSeconds: wait, losses: losses)
                    try log.append(record)
                    report(TrainingSession.describe(record))
                }
                if progress.totalIters % options.displayFreq == 0 {
                    try writeSamples(label: String(format: "epoch%03d_iter%06d", progress.epoch, progress.totalIters))
                }
                if progress.totalIters % options.saveLatestFreq == 0 {
                    try saveCheckpoint(label: "latest")
                }
                if shouldStop() {
                    try saveCheckpoint(label: "latest")
                    return .interrupted
                }
            }
            try endEpoch()
        }
        return .finished
    }

    private func endEpoch() throws {
        let epoch = progress.epoch
        try writeSamples(label: String(format: "epoch%03d", epoch))
        let metric = progress.epochLossCount > 0 ? progress.epochLossSum / Double(progress.epochLossCount) : nil
        let oldLR = progress.scheduler.learningRate
        progress.scheduler.step(metric: metric)
        progress.epoch += 1
        progress.epochIter = 0
        progress.epochLossSum = 0
        progress.epochLossCount = 0
        applyLearningRate()
        report(String(format: "end of epoch %d / %d; learning rate %.7f -> %.7f", epoch, options.totalEpochs,
                      oldLR, progress.scheduler.learningRate))
        try saveCheckpoint(label: "latest")
        if epoch % options.saveEpochFreq == 0 || epoch == options.totalEpochs {
            try saveNetworks(label: String(epoch))
        }
    }

    private func applyLearningRate() {
        for (_, optimizer) in trainer.optimizers { optimizer.lr = progress.scheduler.learningRate }
    }

    static func describe(_ r: LossRecord) -> String {
        let losses = r.losses.sorted { $0.key < $1.key }.map { String(format: "%@: %.3f", $0.key, $0.value) }
        return String(format: "(epoch: %d, iters: %d, time: %.3f, data: %.3f) ", r.epoch, r.epochIter, r.secondsPerIter,
                      r.dataWaitSeconds) + losses.joined(separator: " ")
    }

    // MARK: samples

    private func existingSamples() -> [(label: String, file: String)] {
        let dir = path("web/images")
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasSuffix(".png") }.sorted()
        return files.map { (String($0.dropLast(4)), "images/" + $0) }
    }

    private func writeSamples(label: String) throws {
        guard let grid = SampleGrid.make(trainer.visuals, perRow: trainer.visualsPerRow) else { return }
        let dir = path("web/images")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try grid.write(to: (dir as NSString).appendingPathComponent(label + ".png"), format: .png)
        samples.removeAll { $0.label == label }
        samples.append((label, "images/\(label).png"))
        let legend = "Each row: " + trainer.visuals.map(\.name).joined(separator: ", ")
        try WebPage.write(runDirectory: runDirectory, title: "\(options.name) (\(options.model.rawValue))",
                          records: LossLog(path: path("loss_log.jsonl")).read(), samples: samples, legend: legend)
    }

    // MARK: checkpoints

    private func saveNetworks(label: String) throws {
        let meta = [TrainingState.iterationKey: String(progress.totalIters), "translate.epoch": String(progress.epoch)]
        for (name, network) in trainer.networks {
            try network.save(to: path("\(label)_net_\(name).safetensors"), extraMetadata: meta)
        }
    }

    /// Networks first, then the state (Adam moments, pools, progress, RNGs): a crash in between leaves files
    /// whose iterations disagree, which `resume()` reports instead of mixing them.
    public func saveCheckpoint(label: String) throws {
        try saveNetworks(label: label)
        progress.trainerRNG = trainer.rng
        progress.dropoutRNGs = Dictionary(uniqueKeysWithValues: trainer.networks.map { ($0.name, $0.network.randomness.rng) })
        progress.adamSteps = Dictionary(uniqueKeysWithValues: trainer.optimizers.map { ($0.name, $0.optimizer.stepCount) })
        let state = try TrainingState.make(progress: progress, optimizers: trainer.optimizers,
                                           parameterNames: trainer.optimizerParameterNames, pools: trainer.pools)
        try state.write(to: path("\(label)_state.safetensors"))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try writeFileAtomically(Array(try encoder.encode(progress)), to: path("\(label)_state.json"))
    }

    private func resume() throws {
        let statePath = path("latest_state.safetensors")
        guard FileManager.default.fileExists(atPath: statePath) else {
            throw TrainingError(path: statePath, reason: "no checkpoint to continue from (train without --continue-train first)")
        }
        let state = try SafeTensorsFile.load(path: statePath)
        let saved = try TrainingState.progress(of: state)
        let iteration = state.metadata[TrainingState.iterationKey]
        for (name, network) in trainer.networks {
            let file = try SafeTensorsFile.load(path: path("latest_net_\(name).safetensors"))
            guard file.metadata[TrainingState.iterationKey] == iteration else {
                throw TrainingError(path: file.path, reason: "saved at iteration \(file.metadata[TrainingState.iterationKey] ?? "?") but the state is from iteration \(iteration ?? "?"): the last save was interrupted; restore a consistent pair of files")
            }
            try network.load(stateDict: file)
            if let rng = saved.dropoutRNGs[name] { network.randomness.rng = rng }
        }
        try TrainingState.restore(optimizers: trainer.optimizers, parameterNames: trainer.optimizerParameterNames,
                                  progress: saved, from: state)
        try trainer.restorePools(from: state)
        trainer.rng = saved.trainerRNG
        progress = saved
    }
}
