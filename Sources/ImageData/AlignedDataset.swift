/// Paired images stored as one file each, A on the left half and B on the right (the pix2pix
/// facades layout: root/train, root/val, root/test). Both halves get the same crop and flip.
public struct AlignedDataset: ImageDataset {
    public let folder: String
    public let paths: [String]
    public let options: DatasetOptions
    public let notes: [String]

    /// The images in `root/phase` (e.g. datasets/facades/train).
    public init(root: String, phase: String = "train", options: DatasetOptions = DatasetOptions()) throws {
        try self.init(folder: joinPath(root, phase), options: options)
    }

    /// The images in `folder` (recursively).
    public init(folder: String, options: DatasetOptions = DatasetOptions()) throws {
        try options.validate(folder)
        let list = try requireImageFiles(in: folder, maxCount: options.maxSize)
        self.folder = folder
        self.paths = list.paths
        self.options = options
        self.notes = list.skipped
    }

    public var count: Int { paths.count }

    public func sample(at index: Int, rng: inout RNG) throws -> Sample {
        let path = paths[index]
        // Decode as RGB first (the reference converts to RGB, then to gray per side if asked).
        let ab = try RGBImage(contentsOf: path, mode: .rgb, options: options.decode)
        if ab.width < 2 {
            throw ImageFileError(path: path, kind: .corrupt, reason: "is \(ab.width) pixel wide; an A|B pair needs at least 2")
        }
        let (left, right) = ab.splitHalves()
        let (input, target) = options.direction == .aToB ? (left, right) : (right, left)
        let params = options.transform.randomParams(width: left.width, height: left.height, rng: &rng)
        let a = options.transform.apply(input.withChannels(options.inputChannels), params: params)
        let b = options.transform.apply(target.withChannels(options.outputChannels), params: params)
        return Sample(a: a, b: b, aPath: path, bPath: path)
    }
}

func joinPath(_ root: String, _ name: String) -> String {
    root.hasSuffix("/") ? root + name : root + "/" + name
}
