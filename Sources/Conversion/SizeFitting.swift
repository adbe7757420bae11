import Foundation

/// How `convert` sizes images for the network (`--preprocess`).
public enum SizeMode: String, Sendable, CaseIterable {
    /// Any size: reflect-pad to the network's multiple, crop the result back to the input's size.
    case none
    /// Resize to load size x load size (bicubic), like the reference's test; `keepSize` resizes back.
    case resize
    /// Width to load size, height keeping the aspect ratio; `keepSize` resizes back.
    case scaleWidth = "scale_width"
}

/// The sizes a generator accepts: sides divisible by `multiple` (2^num_downs for a U-Net, 4 for a ResNet)
/// and at least `minimumSide` (a ResNet needs 8 pixels; a U-Net one multiple).
public struct SizeConstraint: Sendable, Equatable {
    public let multiple: Int
    public let minimumSide: Int

    public init(multiple: Int, minimumSide: Int) {
        self.multiple = max(1, multiple)
        self.minimumSide = max(1, minimumSide)
    }

    public init(spec: ModelSpec) throws {
        let multiple = try spec.sizeMultiple()
        var side = multiple
        // The smallest square side the network takes (checkInputSize knows each architecture's minimum).
        while (try? spec.checkInputSize(height: side, width: side)) == nil && side < multiple * 1024 { side += multiple }
        self.init(multiple: multiple, minimumSide: side)
    }

    /// The smallest accepted side that holds `side` pixels.
    public func paddedSide(_ side: Int) -> Int {
        let wanted = max(side, minimumSide)
        return (wanted + multiple - 1) / multiple * multiple
    }
}

/// An image ready for the network: the (possibly resized) image, where it sits in the padded input, and the
/// size the result must have in the end.
public struct PreparedImage: Sendable {
    public let image: RGBImage
    public let paddedWidth: Int
    public let paddedHeight: Int
    /// Offset of `image` inside the padded input (the padding is split evenly between the two sides).
    public let left: Int
    public let top: Int
    /// Size of the final output (the original size, or the resized one).
    public let outputWidth: Int
    public let outputHeight: Int
}

/// Sizing for conversion: resize (or not), reflect-pad to what the network takes, then crop back and
/// resize back. Reflection mirrors as often as needed, so a 100-pixel image padded to 256 still works.
public struct SizePolicy: Sendable, Equatable {
    public var mode: SizeMode
    public var loadSize: Int
    /// With `resize` / `scale_width`: resize the result back to the input's original size.
    public var keepSize: Bool
    public var interpolation: Interpolation
    public var constraint: SizeConstraint

    public init(mode: SizeMode = .none, loadSize: Int = 256, keepSize: Bool = false,
                interpolation: Interpolation = .bicubic, constraint: SizeConstraint) {
        self.mode = mode
        self.loadSize = loadSize
        self.keepSize = keepSize
        self.interpolation = interpolation
        self.constraint = constraint
    }

    public func prepare(_ original: RGBImage) -> PreparedImage {
        var image = original
        switch mode {
        case .none:
            break
        case .resize:
            if image.width != loadSize || image.height != loadSize {
                image = image.resized(width: loadSize, height: loadSize, interpolation: interpolation)
            }
        case .scaleWidth:
            let height = max(1, Int(Double(loadSize) * Double(image.height) / Double(image.width)))
            if image.width != loadSize || image.height != height {
                image = image.resized(width: loadSize, height: height, interpolation: interpolation)
            }
        }
        let pw = constraint.paddedSide(image.width), ph = constraint.paddedSide(image.height)
        let back = keepSize && mode != .none
        return PreparedImage(image: image, paddedWidth: pw, paddedHeight: ph,
                             left: (pw - image.width) / 2, top: (ph - image.height) / 2,
                             outputWidth: back ? original.width : image.width,
                             outputHeight: back ? original.height : image.height)
    }

    /// The network input [1, C, paddedHeight, paddedWidth] in [-1, 1], the border filled by reflection.
    public func inputTensor(_ prepared: PreparedImage) -> Tensor {
        let image = prepared.image
        let c = image.channels, w = image.width, h = image.height
        let pw = prepared.paddedWidth, ph = prepared.paddedHeight
        let t = Tensor(zeros: [1, c, ph, pw])
        let columns = (0..<pw).map { reflectIndex($0 - prepared.left, w) }
        let rows = (0..<ph).map { reflectIndex($0 - prepared.top, h) }
        let plane = pw * ph
        image.pixels.withUnsafeBufferPointer { src in
            columns.withUnsafeBufferPointer { cols in
                let s = src.baseAddress!, out = t.data
                for k in 0..<c {
                    for y in 0..<ph {
                        let row = s + rows[y] * w * c + k
                        let d = out + k * plane + y * pw
                        for x in 0..<pw { d[x] = (Float(row[cols[x] * c]) / 255 - 0.5) / 0.5 }
                    }
                }
            }
        }
        return t
    }

    /// The network output cut back to the image's area and resized to the final size.
    public func finish(_ output: Tensor, _ prepared: PreparedImage) -> RGBImage {
        var image = RGBImage(tensor: output)
        let w = prepared.image.width, h = prepared.image.height
        if image.width != w || image.height != h {
            image = image.cropped(x: prepared.left, y: prepared.top, width: w, height: h)
        }
        if image.width != prepared.outputWidth || image.height != prepared.outputHeight {
            image = image.resized(width: prepared.outputWidth, height: prepared.outputHeight, interpolation: interpolation)
        }
        return image
    }
}

/// Position `i` (any integer) reflected into 0..<n without repeating the edge (PyTorch's "reflect"),
/// mirrored again and again when `i` is far outside; 0 when n is 1.
@inline(__always)
func reflectIndex(_ i: Int, _ n: Int) -> Int {
    if n <= 1 { return 0 }
    let period = 2 * (n - 1)
    var m = i % period
    if m < 0 { m += period }
    return m < n ? m : period - m
}
