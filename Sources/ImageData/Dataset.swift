/// Which side of a pair is the model's input: AtoB feeds A and predicts B; BtoA the reverse.
public enum Direction: String, Sendable, CaseIterable, Codable {
    case aToB = "AtoB"
    case bToA = "BtoA"
}

/// One preprocessed example. `a` is always the model's input side and `b` its target side: datasets
/// apply `direction` themselves, so trainers never swap.
public struct Sample: Sendable {
    public var a: RGBImage
    public var b: RGBImage?
    public var aPath: String
    public var bPath: String?

    public init(a: RGBImage, b: RGBImage?, aPath: String, bPath: String?) {
        self.a = a
        self.b = b
        self.aPath = aPath
        self.bPath = bPath
    }
}

/// A source of samples. All randomness (crop, flip, which B) comes from `rng`, so the same RNG state
/// gives the same sample on any thread.
public protocol ImageDataset: Sendable {
    var count: Int { get }
    /// Notes about files that were skipped or left unpaired while opening the dataset.
    var notes: [String] { get }
    func sample(at index: Int, rng: inout RNG) throws -> Sample
}

/// Settings shared by the dataset types.
public struct DatasetOptions: Sendable, Equatable {
    public var transform: TransformOptions
    public var direction: Direction
    /// Channels of the input (`a`) and target (`b`) images: 3 (RGB) or 1 (gray, PIL's formula).
    public var inputChannels: Int
    public var outputChannels: Int
    /// Keep only the first N files of each folder (after sorting), as the reference's max_dataset_size.
    public var maxSize: Int
    public var decode: DecodeOptions

    public init(transform: TransformOptions = TransformOptions(), direction: Direction = .aToB,
                inputChannels: Int = 3, outputChannels: Int = 3, maxSize: Int = .max,
                decode: DecodeOptions = DecodeOptions()) {
        self.transform = transform
        self.direction = direction
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
        self.maxSize = maxSize
        self.decode = decode
    }

    func validate(_ path: String) throws {
        func bad(_ why: String) -> DatasetError { DatasetError(path: path, kind: .invalidOption, reason: why) }
        guard [1, 3].contains(inputChannels), [1, 3].contains(outputChannels) else {
            throw bad("channels must be 1 or 3 (got \(inputChannels) and \(outputChannels))")
        }
        guard transform.loadSize > 0, transform.cropSize > 0 else {
            throw bad("load size and crop size must be positive (got \(transform.loadSize), \(transform.cropSize))")
        }
        if transform.preprocess == .resizeAndCrop && transform.loadSize < transform.cropSize {
            throw bad("load size \(transform.loadSize) is smaller than crop size \(transform.cropSize)")
        }
        guard maxSize > 0 else { throw bad("max dataset size must be positive (got \(maxSize))") }
    }

    func load(_ path: String, channels: Int) throws -> RGBImage {
        try RGBImage(contentsOf: path, mode: ColorMode(channels: channels), options: decode)
    }
}
