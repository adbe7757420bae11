/// Conversion between 8-bit images and [-1, 1] float tensors (NCHW).
extension RGBImage {
    /// [1, C, H, W] with v / 255 then (x - 0.5) / 0.5, the reference's ToTensor + Normalize (Float32,
    /// same operation order, so values match torchvision bit for bit).
    public func toTensor() -> Tensor {
        let t = Tensor(zeros: [1, channels, height, width])
        writeTensor(into: t.data)
        return t
    }

    /// Writes the C*H*W planar values of `toTensor()` at `destination`.
    public func writeTensor(into destination: UnsafeMutablePointer<Float>) {
        let plane = width * height, c = channels
        pixels.withUnsafeBufferPointer { src in
            let s = src.baseAddress!
            for k in 0..<c {
                let d = destination + k * plane
                for i in 0..<plane {
                    d[i] = (Float(s[i * c + k]) / 255 - 0.5) / 0.5
                }
            }
        }
    }

    /// Image `index` of an [N, C, H, W] (or [C, H, W]) tensor with C = 1 or 3: (x + 1) / 2 * 255,
    /// rounded to nearest and clamped to 0...255 (NaN becomes 0).
    public init(tensor: Tensor, index: Int = 0) {
        let dims = tensor.shape.dims
        precondition(dims.count == 4 || dims.count == 3, "image from a tensor of shape \(tensor.shape)")
        let (n, c, h, w) = dims.count == 4 ? (dims[0], dims[1], dims[2], dims[3]) : (1, dims[0], dims[1], dims[2])
        precondition(c == 1 || c == 3, "image from a tensor with \(c) channels")
        precondition(index >= 0 && index < n, "image \(index) of a batch of \(n)")
        let plane = h * w
        let src = tensor.data + index * c * plane
        var pixels = [UInt8](repeating: 0, count: plane * c)
        pixels.withUnsafeMutableBufferPointer { out in
            for k in 0..<c {
                let s = src + k * plane
                for i in 0..<plane {
                    let v = ((s[i] + 1) / 2 * 255).rounded()
                    out[i * c + k] = v >= 255 ? 255 : (v > 0 ? UInt8(v) : 0)
                }
            }
        }
        self.init(width: w, height: h, channels: c, pixels: pixels)
    }
}

/// Images of equal size and channels stacked into one [N, C, H, W] tensor in [-1, 1].
/// Throws `BatchError.sizeMismatch` (naming the odd image) when sizes differ.
public func stackImages(_ images: [RGBImage], paths: [String] = []) throws -> Tensor {
    guard let first = images.first else { throw BatchError.empty }
    for (i, image) in images.enumerated()
    where image.width != first.width || image.height != first.height || image.channels != first.channels {
        throw BatchError.sizeMismatch(path: i < paths.count ? paths[i] : "image \(i)",
                                      got: "\(image.width)x\(image.height)x\(image.channels)",
                                      expected: "\(first.width)x\(first.height)x\(first.channels)")
    }
    let t = Tensor(zeros: [images.count, first.channels, first.height, first.width])
    let step = first.channels * first.height * first.width
    for (i, image) in images.enumerated() { image.writeTensor(into: t.data + i * step) }
    return t
}

/// Why images could not be put in one batch.
public enum BatchError: Error, Equatable, CustomStringConvertible {
    case empty
    case sizeMismatch(path: String, got: String, expected: String)

    public var description: String {
        switch self {
        case .empty: return "a batch needs at least one image"
        case let .sizeMismatch(path, got, expected):
            return "\(path): preprocessed to \(got) but the batch's first image is \(expected); use a crop or resize preprocess mode, or batch size 1"
        }
    }
}
