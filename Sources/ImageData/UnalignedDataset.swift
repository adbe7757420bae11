/// Unpaired images from two domains (CycleGAN): root/trainA and root/trainB, or any two folders.
/// Length is max(|A|, |B|); item i takes A[i mod |A|] and a B drawn at random (or B[i mod |B|] with
/// `serialB`). Each image gets its own crop and flip.
public struct UnalignedDataset: ImageDataset {
    public let pathsA: [String]
    public let pathsB: [String]
    public let options: DatasetOptions
    public let serialB: Bool
    public let notes: [String]

    /// root/<phase>A and root/<phase>B (e.g. datasets/horse2zebra/trainA, trainB).
    public init(root: String, phase: String = "train", options: DatasetOptions = DatasetOptions(),
                serialB: Bool = false) throws {
        try self.init(folderA: joinPath(root, phase + "A"), folderB: joinPath(root, phase + "B"),
                      options: options, serialB: serialB)
    }

    public init(folderA: String, folderB: String, options: DatasetOptions = DatasetOptions(),
                serialB: Bool = false) throws {
        try options.validate(folderA)
        let listA = try requireImageFiles(in: folderA, maxCount: options.maxSize)
        let listB = try requireImageFiles(in: folderB, maxCount: options.maxSize)
        // BtoA: domain B becomes the input side.
        if options.direction == .aToB {
            (pathsA, pathsB) = (listA.paths, listB.paths)
        } else {
            (pathsA, pathsB) = (listB.paths, listA.paths)
        }
        self.options = options
        self.serialB = serialB
        self.notes = listA.skipped + listB.skipped
    }

    public var count: Int { max(pathsA.count, pathsB.count) }

    public func sample(at index: Int, rng: inout RNG) throws -> Sample {
        let pathA = pathsA[index % pathsA.count]
        let indexB = serialB ? index % pathsB.count : rng.int(below: pathsB.count)
        let pathB = pathsB[indexB]
        let a = options.transform.apply(try options.load(pathA, channels: options.inputChannels), rng: &rng)
        let b = options.transform.apply(try options.load(pathB, channels: options.outputChannels), rng: &rng)
        return Sample(a: a, b: b, aPath: pathA, bPath: pathB)
    }
}
