/// An 8-bit image, pixels interleaved row by row: 3 channels (RGB) or 1 (gray).
///
/// Everything decoded ends up here (alpha already composited onto white), and every transform maps
/// RGBImage to RGBImage before the conversion to a [-1, 1] tensor.
public struct RGBImage: Equatable, Sendable {
    public let width: Int
    public let height: Int
    /// 3 for RGB, 1 for gray.
    public let channels: Int
    /// `height` rows of `width * channels` bytes.
    public var pixels: [UInt8]

    public init(width: Int, height: Int, channels: Int = 3, pixels: [UInt8]) {
        precondition(channels == 1 || channels == 3, "RGBImage holds 1 or 3 channels, not \(channels)")
        precondition(width >= 0 && height >= 0 && pixels.count == width * height * channels,
                     "\(pixels.count) bytes for a \(width)x\(height)x\(channels) image")
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }

    /// Every pixel set to `value` (all channels).
    public init(width: Int, height: Int, channels: Int = 3, fill value: UInt8 = 0) {
        self.init(width: width, height: height, channels: channels,
                  pixels: [UInt8](repeating: value, count: width * height * channels))
    }

    /// Sample `c` of the pixel at column x, row y.
    public subscript(x x: Int, y y: Int, c c: Int) -> UInt8 {
        get { pixels[(y * width + x) * channels + c] }
        set { pixels[(y * width + x) * channels + c] = newValue }
    }

    /// The pixel as (r, g, b); gray gives three equal values.
    public func rgb(x: Int, y: Int) -> (UInt8, UInt8, UInt8) {
        let i = (y * width + x) * channels
        return channels == 3 ? (pixels[i], pixels[i + 1], pixels[i + 2]) : (pixels[i], pixels[i], pixels[i])
    }

    public var isGray: Bool { channels == 1 }

    /// Three channels; gray is replicated into R, G and B.
    public func toRGB() -> RGBImage {
        if channels == 3 { return self }
        let count = width * height
        let out = [UInt8](unsafeUninitializedCapacity: count * 3) { buffer, initialized in
            pixels.withUnsafeBufferPointer { src in
                for i in 0..<count {
                    let v = src[i]
                    buffer[3 &* i] = v; buffer[3 &* i &+ 1] = v; buffer[3 &* i &+ 2] = v
                }
            }
            initialized = count * 3
        }
        return RGBImage(width: width, height: height, channels: 3, pixels: out)
    }

    /// One channel by PIL's `convert("L")`: L = (19595 R + 38470 G + 7471 B + 2^15) >> 16 (ITU-R 601-2).
    public func toGray() -> RGBImage {
        if channels == 1 { return self }
        let count = width * height
        let out = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            pixels.withUnsafeBufferPointer { src in
                for i in 0..<count {
                    let r = Int(src[3 &* i]), g = Int(src[3 &* i &+ 1]), b = Int(src[3 &* i &+ 2])
                    buffer[i] = UInt8(truncatingIfNeeded: (r &* 19595 &+ g &* 38470 &+ b &* 7471 &+ 0x8000) >> 16)
                }
            }
            initialized = count
        }
        return RGBImage(width: width, height: height, channels: 1, pixels: out)
    }

    /// This image with `channels` channels (1 or 3), converting if needed.
    public func withChannels(_ channels: Int) -> RGBImage {
        channels == 1 ? toGray() : toRGB()
    }
}
