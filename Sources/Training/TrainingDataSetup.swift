import Foundation
import ImageData

/// How the training images are laid out, found from `--dataroot` / `--domains`.
public enum DataLayout: Equatable, Sendable {
    /// One folder of A|B side-by-side images (the facades layout: root/train).
    case aligned(folder: String)
    /// Two folders whose files pair by name.
    case pairedFolders(a: String, b: String)
    /// Two folders of unrelated images.
    case unpaired(a: String, b: String)

    public var isPaired: Bool { if case .unpaired = self { return false } else { return true } }

    /// Resolves the options' data arguments:
    /// - `domains` = two folders (or, with `dataroot`, two names under it: `root/X` or `root/trainX`):
    ///   paired when every file of A has a same-named file in B, else unpaired;
    /// - `dataroot` alone: `root/train` (aligned) or `root/trainA` + `root/trainB` (unpaired), or `root` itself
    ///   when it holds the A|B images.
    public static func resolve(dataroot: String?, domains: [String]?, phase: String = "train") throws -> DataLayout {
        let fm = FileManager.default
        func isDirectory(_ p: String) -> Bool {
            var d: ObjCBool = false
            return fm.fileExists(atPath: p, isDirectory: &d) && d.boolValue
        }
        func join(_ a: String, _ b: String) -> String { (a as NSString).appendingPathComponent(b) }
        if let domains {
            guard domains.count == 2 else {
                throw TrainingError(path: "", reason: "--domains takes two folders (A and B), got \(domains.count)")
            }
            let folders = try domains.map { name -> String in
                var candidates = [name]
                if let root = dataroot { candidates = [join(root, name), join(root, phase + name), name] }
                guard let found = candidates.first(where: isDirectory) else {
                    throw TrainingError(path: candidates[0], reason: "no such folder (domain '\(name)')")
                }
                return found
            }
            let a = try listImageFiles(in: folders[0]), b = try listImageFiles(in: folders[1])
            if a.paths.isEmpty { throw TrainingError(path: folders[0], reason: "no images in domain A") }
            if b.paths.isEmpty { throw TrainingError(path: folders[1], reason: "no images in domain B") }
            func names(_ list: ImageFileList, _ root: String) -> Set<String> {
                Set(list.paths.map { path -> String in
                    let relative = String(path.dropFirst(root.count)).trimmingCharacters(in: CharacterSet(charactersIn: "/"))
                    return (relative as NSString).deletingPathExtension
                })
            }
            let namesA = names(a, folders[0]), namesB = names(b, folders[1])
            return namesA.isSubset(of: namesB) ? .pairedFolders(a: folders[0], b: folders[1])
                                               : .unpaired(a: folders[0], b: folders[1])
        }
        guard let root = dataroot else {
            throw TrainingError(path: "", reason: "give the training images: --domains A B, or --dataroot DIR")
        }
        guard isDirectory(root) else { throw TrainingError(path: root, reason: "no such folder (--dataroot)") }
        if isDirectory(join(root, phase + "A")) && isDirectory(join(root, phase + "B")) {
            return .unpaired(a: join(root, phase + "A"), b: join(root, phase + "B"))
        }
        if isDirectory(join(root, phase)) { return .aligned(folder: join(root, phase)) }
        if !(try listImageFiles(in: root)).paths.isEmpty { return .aligned(folder: root) }
        throw TrainingError(path: root, reason: "found neither \(phase)/ (paired A|B images) nor \(phase)A/ and \(phase)B/ (unpaired)")
    }
}

/// Builds the dataset for a layout and the options (transforms, direction, channels, size limit).
public func makeTrainingDataset(_ layout: DataLayout, options o: TrainOptions) throws -> any ImageDataset {
    guard let mode = PreprocessMode(rawValue: o.preprocess) else {
        throw TrainingError(path: "", reason: "unknown --preprocess '\(o.preprocess)'")
    }
    let transform = TransformOptions(preprocess: mode, loadSize: o.loadSize, cropSize: o.cropSize, flip: !o.noFlip)
    let dataOptions = DatasetOptions(transform: transform, direction: o.direction == "BtoA" ? .bToA : .aToB,
                                     inputChannels: o.inputNc, outputChannels: o.outputNc, maxSize: o.maxDatasetSize)
    switch layout {
    case .aligned(let folder):
        return try AlignedDataset(folder: folder, options: dataOptions)
    case .pairedFolders(let a, let b):
        return try PairedFoldersDataset(folderA: a, folderB: b, options: dataOptions)
    case .unpaired(let a, let b):
        if o.model == .pix2pix {
            throw TrainingError(path: a, reason: "pix2pix needs paired images (same file names in both folders, or A|B images); these folders are unpaired — use --model cycle_gan")
        }
        return try UnalignedDataset(folderA: a, folderB: b, options: dataOptions, serialB: o.serialBatches)
    }
}

/// Batches from a dataset, decoded on a background thread ahead of the step that needs them.
public final class PrefetchingDataSource: TrainingDataSource {
    public let loader: BatchLoader
    private var prefetcher: BatchPrefetcher?

    public init(dataset: any ImageDataset, batchSize: Int, shuffle: Bool, seed: UInt64) {
        loader = BatchLoader(dataset: dataset, batchSize: batchSize, shuffle: shuffle, seed: seed)
    }

    public var batchesPerEpoch: Int { loader.batchesPerEpoch }

    public func startEpoch(_ epoch: Int, from start: Int) throws {
        prefetcher = loader.prefetcher(epoch: epoch, startBatch: start)
    }

    public func next() throws -> (batch: TrainingBatch, waitSeconds: Double) {
        guard let prefetcher, let batch = try prefetcher.next() else {
            throw TrainingError(path: "", reason: "internal: batch requested past the end of the epoch")
        }
        guard let b = batch.b else {
            throw TrainingError(path: batch.aPaths.first ?? "", reason: "the dataset has no B images")
        }
        return (TrainingBatch(a: batch.a, b: b, pathsA: batch.aPaths, pathsB: batch.bPaths), prefetcher.lastWaitSeconds)
    }
}
