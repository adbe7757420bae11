import Kernels

/// Resampling for resizes. `bicubic` is the reference's default (PIL bicubic, a = -0.5, antialiased
/// when shrinking); results match PIL's 8-bit `Image.resize` exactly.
public enum Interpolation: String, Sendable, CaseIterable, Codable {
    case nearest, bilinear, bicubic

    var filter: ResizeFilter {
        switch self {
        case .nearest: return .nearest
        case .bilinear: return .bilinear
        case .bicubic: return .bicubic
        }
    }
}

extension RGBImage {
    /// This image resampled to width x height (PIL `resize`).
    public func resized(width newWidth: Int, height newHeight: Int, interpolation: Interpolation = .bicubic) -> RGBImage {
        precondition(newWidth > 0 && newHeight > 0, "resize to \(newWidth)x\(newHeight)")
        if newWidth == width && newHeight == height { return self }
        var out = [UInt8](repeating: 0, count: newWidth * newHeight * channels)
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                resizeImage8(src.baseAddress!, width: width, height: height, channels: channels,
                             into: dst.baseAddress!, dstWidth: newWidth, dstHeight: newHeight, filter: interpolation.filter)
            }
        }
        return RGBImage(width: newWidth, height: newHeight, channels: channels, pixels: out)
    }

    /// The rectangle at (x, y) of size width x height. Parts outside the image are black, as PIL's crop.
    public func cropped(x: Int, y: Int, width cropWidth: Int, height cropHeight: Int) -> RGBImage {
        precondition(cropWidth >= 0 && cropHeight >= 0, "crop of \(cropWidth)x\(cropHeight)")
        if x == 0 && y == 0 && cropWidth == width && cropHeight == height { return self }
        var out = [UInt8](repeating: 0, count: cropWidth * cropHeight * channels)
        let x0 = max(x, 0), x1 = min(x + cropWidth, width)
        guard x1 > x0 else { return RGBImage(width: cropWidth, height: cropHeight, channels: channels, pixels: out) }
        let rowBytes = (x1 - x0) * channels
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for row in 0..<cropHeight {
                    let sy = y + row
                    if sy < 0 || sy >= height { continue }
                    (dst.baseAddress! + (row * cropWidth + (x0 - x)) * channels)
                        .update(from: src.baseAddress! + (sy * width + x0) * channels, count: rowBytes)
                }
            }
        }
        return RGBImage(width: cropWidth, height: cropHeight, channels: channels, pixels: out)
    }

    /// Mirror image (left and right swapped).
    public func flippedHorizontally() -> RGBImage {
        var out = [UInt8](repeating: 0, count: pixels.count)
        let c = channels
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for y in 0..<height {
                    let s = src.baseAddress! + y * width * c, d = dst.baseAddress! + y * width * c
                    for x in 0..<width {
                        for k in 0..<c { d[x * c + k] = s[(width - 1 - x) * c + k] }
                    }
                }
            }
        }
        return RGBImage(width: width, height: height, channels: channels, pixels: out)
    }

    /// The reference's `__scale_width`: width becomes `targetWidth`, height keeps the aspect ratio but
    /// is at least `cropSize`. Unchanged when already `targetWidth` wide and at least `cropSize` high.
    public func scaledToWidth(_ targetWidth: Int, minimumHeight cropSize: Int,
                              interpolation: Interpolation = .bicubic) -> RGBImage {
        let size = RGBImage.scaledWidthSize(width: width, height: height, target: targetWidth, cropSize: cropSize)
        return resized(width: size.width, height: size.height, interpolation: interpolation)
    }

    static func scaledWidthSize(width: Int, height: Int, target: Int, cropSize: Int) -> (width: Int, height: Int) {
        if width == target && height >= cropSize { return (width, height) }
        // Python: int(max(target * oh / ow, crop_size)) with true division.
        let h = Int(max(Double(target) * Double(height) / Double(width), Double(cropSize)))
        return (target, h)
    }

    /// The reference's `__make_power_2` (despite its name): width and height are each rounded to the
    /// nearest multiple of `base` (Python round, ties to even) and the image is RESIZED to that size,
    /// not padded or cropped. Sizes that would round to 0 become `base`.
    public func resizedToMultiple(of base: Int, interpolation: Interpolation = .bicubic) -> RGBImage {
        let size = RGBImage.multipleSize(width: width, height: height, base: base)
        return resized(width: size.width, height: size.height, interpolation: interpolation)
    }

    static func multipleSize(width: Int, height: Int, base: Int) -> (width: Int, height: Int) {
        guard base > 1 else { return (width, height) }
        func round(_ v: Int) -> Int {
            let q = (Double(v) / Double(base)).rounded(.toNearestOrEven)
            return max(Int(q) * base, base)
        }
        return (round(width), round(height))
    }

    /// Splits an A|B side-by-side image at w/2 (integer division, as the reference): A is the left
    /// w/2 columns, B the rest.
    public func splitHalves() -> (left: RGBImage, right: RGBImage) {
        let half = width / 2
        return (cropped(x: 0, y: 0, width: half, height: height),
                cropped(x: half, y: 0, width: width - half, height: height))
    }

    /// Places images side by side (heights must match; shorter ones are padded with black at the bottom).
    public static func sideBySide(_ images: [RGBImage]) -> RGBImage {
        let channels = images.contains { $0.channels == 3 } ? 3 : 1
        let parts = images.map { $0.withChannels(channels) }
        let width = parts.reduce(0) { $0 + $1.width }, height = parts.map(\.height).max() ?? 0
        var out = RGBImage(width: width, height: height, channels: channels, fill: 0)
        var x0 = 0
        for part in parts {
            for y in 0..<part.height {
                let src = y * part.width * channels, dst = (y * width + x0) * channels
                out.pixels.replaceSubrange(dst..<(dst + part.width * channels),
                                           with: part.pixels[src..<(src + part.width * channels)])
            }
            x0 += part.width
        }
        return out
    }
}
