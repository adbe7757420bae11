import Foundation
import Models

/// Where a run stands, everything needed besides weights and tensors to continue it exactly.
public struct TrainingProgress: Codable, Equatable, Sendable {
    /// The epoch in progress (or the next one, when `epochIter == 0`).
    public var epoch: Int
    /// Batches finished in this epoch.
    public var epochIter: Int
    /// Batches finished in the whole run (the reference counts images; we count steps).
    public var totalIters: Int
    public var scheduler: LRScheduler
    /// The trainer's own generator (pools, WGAN-GP).
    public var trainerRNG: RNG
    /// Each network's dropout generator, by network name.
    public var dropoutRNGs: [String: RNG]
    /// Adam step counts, by optimizer name.
    public var adamSteps: [String: Int]
    /// Sum and count of the generator loss over the epoch so far (the plateau policy's metric).
    public var epochLossSum: Double = 0
    public var epochLossCount: Int = 0
}

/// `latest_state.safetensors` (+ a readable `latest_state.json`): Adam moments of every parameter, image
/// pools, and `TrainingProgress` in the header. Written after the network files; every file of a checkpoint
/// carries the same `translate.iteration`, so a crash between the writes is detected on resume instead of
/// silently mixing two checkpoints.
public enum TrainingState {
    public static let progressKey = "translate.progress"
    public static let iterationKey = "translate.iteration"

    /// The tensors and header of a state file. The tensors are views of the optimizers' moments and the pools'
    /// images (no copy of them, 457 MB for pix2pix at 256): write the file before the next step changes them.
    public static func make(progress: TrainingProgress, optimizers: [(name: String, optimizer: Adam)],
                            parameterNames: [String: [String]], pools: [(name: String, pool: ImagePool)]) throws
        -> SafeTensorsFile {
        var file = SafeTensorsFile()
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys  // the same state gives the same file, byte for byte
        let json = try encoder.encode(progress)
        file.metadata[progressKey] = String(decoding: json, as: UTF8.self)
        file.metadata[iterationKey] = String(progress.totalIters)
        for (name, optimizer) in optimizers {
            let names = parameterNames[name] ?? []
            for (i, p) in optimizer.parameters.enumerated() {
                let key = i < names.count ? names[i] : String(i)
                let m = optimizer.expAvg[i], v = optimizer.expAvgSq[i]
                file.setFloats("optimizer_\(name).exp_avg.\(key)", borrowing: UnsafeBufferPointer(start: m.data, count: m.count),
                               owner: m.storage, shape: p.shape.dims)
                file.setFloats("optimizer_\(name).exp_avg_sq.\(key)", borrowing: UnsafeBufferPointer(start: v.data, count: v.count),
                               owner: v.storage, shape: p.shape.dims)
            }
        }
        for (name, pool) in pools {
            for (i, image) in pool.images.enumerated() {
                file.setFloats("pool_\(name).\(i)", borrowing: UnsafeBufferPointer(start: image.data, count: image.count),
                               owner: image.storage, shape: image.shape.dims)
            }
        }
        return file
    }

    /// Reads the progress of a state file.
    public static func progress(of file: SafeTensorsFile) throws -> TrainingProgress {
        guard let text = file.metadata[progressKey] else {
            throw TrainingError(path: file.path, reason: "not a training state file (no \(progressKey) in its header)")
        }
        do { return try JSONDecoder().decode(TrainingProgress.self, from: Data(text.utf8)) } catch {
            throw TrainingError(path: file.path, reason: "unreadable training progress: \(error)")
        }
    }

    /// Restores Adam moments and step counts from `file`.
    public static func restore(optimizers: [(name: String, optimizer: Adam)], parameterNames: [String: [String]],
                               progress: TrainingProgress, from file: SafeTensorsFile) throws {
        for (name, optimizer) in optimizers {
            let names = parameterNames[name] ?? []
            for (i, p) in optimizer.parameters.enumerated() {
                let key = i < names.count ? names[i] : String(i)
                for (kind, tensor) in [("exp_avg", optimizer.expAvg[i]), ("exp_avg_sq", optimizer.expAvgSq[i])] {
                    let entry = "optimizer_\(name).\(kind).\(key)"
                    guard file.shape(entry) == p.shape.dims else {
                        throw TrainingError(path: file.path, reason: "optimizer state \(entry) is missing or has the wrong shape")
                    }
                    try file.copyFloats(entry, into: tensor.data, count: tensor.count)
                }
            }
            optimizer.stepCount = progress.adamSteps[name] ?? 0
        }
    }

    /// Restores an image pool saved under `name`.
    public static func pool(named name: String, capacity: Int, from file: SafeTensorsFile) throws -> ImagePool {
        var images: [Tensor] = []
        while let shape = file.shape("pool_\(name).\(images.count)") {
            let t = Tensor(zeros: Shape(shape))
            try file.copyFloats("pool_\(name).\(images.count)", into: t.data, count: t.count)
            images.append(t)
        }
        return ImagePool(capacity: capacity, images: images)
    }
}
