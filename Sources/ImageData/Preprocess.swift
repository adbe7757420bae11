/// The reference's `--preprocess` modes.
public enum PreprocessMode: String, Sendable, CaseIterable, Codable {
    /// Resize to loadSize x loadSize, then random crop cropSize (training default: 286 -> 256).
    case resizeAndCrop = "resize_and_crop"
    /// Random crop cropSize at the original size.
    case crop
    /// Resize to width loadSize keeping the aspect ratio (height at least cropSize).
    case scaleWidth = "scale_width"
    /// scale_width, then random crop cropSize.
    case scaleWidthAndCrop = "scale_width_and_crop"
    /// No resize except rounding each side to the nearest multiple of `sizeMultiple` (4, by resizing).
    case none
}

/// Image preprocessing, as the reference's `get_transform`: resize / scale_width, crop, multiple-of-4,
/// then horizontal flip. The random parts (crop position, flip) are drawn separately as
/// `TransformParams`, so the two halves of a pair get the same ones.
public struct TransformOptions: Sendable, Codable, Equatable {
    public var preprocess: PreprocessMode
    public var loadSize: Int
    public var cropSize: Int
    /// Random horizontal flip with probability 1/2 (the reference's default; `--no-flip` turns it off).
    public var flip: Bool
    public var interpolation: Interpolation
    /// For `.none`: each side is resized to the nearest multiple of this (the reference uses 4).
    public var sizeMultiple: Int

    public init(preprocess: PreprocessMode = .resizeAndCrop, loadSize: Int = 286, cropSize: Int = 256,
                flip: Bool = true, interpolation: Interpolation = .bicubic, sizeMultiple: Int = 4) {
        self.preprocess = preprocess
        self.loadSize = loadSize
        self.cropSize = cropSize
        self.flip = flip
        self.interpolation = interpolation
        self.sizeMultiple = sizeMultiple
    }

    /// Training defaults of the reference for a given crop size (load = crop * 286 / 256).
    public static func training(cropSize: Int = 256) -> TransformOptions {
        TransformOptions(loadSize: cropSize * 286 / 256, cropSize: cropSize)
    }

    /// Deterministic: resize straight to size x size, no crop, no flip (test-time conversion).
    public static func fixed(size: Int) -> TransformOptions {
        TransformOptions(preprocess: .resizeAndCrop, loadSize: size, cropSize: size, flip: false)
    }

    var resizes: Bool { preprocess == .resizeAndCrop }
    var scalesWidth: Bool { preprocess == .scaleWidth || preprocess == .scaleWidthAndCrop }
    var crops: Bool { preprocess == .resizeAndCrop || preprocess == .crop || preprocess == .scaleWidthAndCrop }

    /// Size after the resize / scale_width step, before cropping.
    public func sizeBeforeCrop(width: Int, height: Int) -> (width: Int, height: Int) {
        if resizes { return (loadSize, loadSize) }
        if scalesWidth { return RGBImage.scaledWidthSize(width: width, height: height, target: loadSize, cropSize: cropSize) }
        return (width, height)
    }

    /// Draws crop position and flip for an image of this size (the reference's `get_params`:
    /// x, then y, uniformly in 0...max(0, side - cropSize), then flip with probability 1/2).
    public func randomParams(width: Int, height: Int, rng: inout RNG) -> TransformParams {
        let size = sizeBeforeCrop(width: width, height: height)
        let x = rng.int(below: max(0, size.width - cropSize) + 1)
        let y = rng.int(below: max(0, size.height - cropSize) + 1)
        let flipped = rng.uniform() > 0.5
        return TransformParams(cropX: x, cropY: y, flip: flip && flipped)
    }

    /// Applies the preprocessing with the given random choices.
    public func apply(_ image: RGBImage, params: TransformParams) -> RGBImage {
        var out = image
        if resizes {
            out = out.resized(width: loadSize, height: loadSize, interpolation: interpolation)
        } else if scalesWidth {
            out = out.scaledToWidth(loadSize, minimumHeight: cropSize, interpolation: interpolation)
        }
        // The reference's __crop: only when the image is larger than the crop in some direction.
        if crops && (out.width > cropSize || out.height > cropSize) {
            out = out.cropped(x: params.cropX, y: params.cropY, width: cropSize, height: cropSize)
        }
        if preprocess == .none {
            out = out.resizedToMultiple(of: sizeMultiple, interpolation: interpolation)
        }
        if flip && params.flip { out = out.flippedHorizontally() }
        return out
    }

    /// Draws fresh parameters and applies them (one image on its own, e.g. the unpaired case).
    public func apply(_ image: RGBImage, rng: inout RNG) -> RGBImage {
        apply(image, params: randomParams(width: image.width, height: image.height, rng: &rng))
    }

    /// Output size for an input of this size (crop/none/flip included).
    public func outputSize(width: Int, height: Int) -> (width: Int, height: Int) {
        var size = sizeBeforeCrop(width: width, height: height)
        if crops && (size.width > cropSize || size.height > cropSize) { size = (cropSize, cropSize) }
        if preprocess == .none { size = RGBImage.multipleSize(width: size.width, height: size.height, base: sizeMultiple) }
        return size
    }
}

/// The random choices of one preprocessing call.
public struct TransformParams: Sendable, Equatable, Codable {
    public var cropX: Int
    public var cropY: Int
    public var flip: Bool

    public init(cropX: Int = 0, cropY: Int = 0, flip: Bool = false) {
        self.cropX = cropX
        self.cropY = cropY
        self.flip = flip
    }
}
