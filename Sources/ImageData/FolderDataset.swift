/// The images of one folder (recursive, sorted), for conversion and testing; `b` is nil. A path to a
/// single image file gives a dataset of that file.
public struct FolderDataset: ImageDataset {
    public let folder: String
    public let paths: [String]
    public let options: DatasetOptions
    public let notes: [String]

    public init(folder: String, options: DatasetOptions = DatasetOptions(transform: .fixed(size: 256))) throws {
        try options.validate(folder)
        let list = try requireImageFiles(in: folder, maxCount: options.maxSize)
        self.folder = folder
        self.paths = list.paths
        self.options = options
        self.notes = list.skipped
    }

    public var count: Int { paths.count }

    public func sample(at index: Int, rng: inout RNG) throws -> Sample {
        let image = try options.load(paths[index], channels: options.inputChannels)
        return Sample(a: options.transform.apply(image, rng: &rng), b: nil, aPath: paths[index], bPath: nil)
    }
}
