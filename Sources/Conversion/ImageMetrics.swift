import Foundation

/// Paired image metrics on 8-bit images of the same size.
///
/// - PSNR: 10·log10(255² / MSE) over all pixels and channels (+infinity for identical images).
/// - SSIM: the standard Gaussian-window SSIM of Wang et al. (2004): window 11x11 with sigma 1.5, K1 = 0.01,
///   K2 = 0.03, L = 255, population (not sample) covariances, averaged over the positions where the window
///   lies inside the image; computed per channel on RGB and averaged over the channels. This equals
///   scikit-image's `structural_similarity(a, b, gaussian_weights=True, sigma=1.5, use_sample_covariance=False,
///   data_range=255, channel_axis=-1)`.
/// - L1: mean absolute difference, in [0, 1] (pixel values divided by 255).
/// A gray image compared with a color one is replicated to three channels first.
public struct ImageMetrics: Sendable, Equatable, Codable {
    public var psnr: Double
    public var ssim: Double
    public var l1: Double

    public init(psnr: Double, ssim: Double, l1: Double) {
        self.psnr = psnr
        self.ssim = ssim
        self.l1 = l1
    }

    /// Compares `a` with `b`; throws when the sizes differ or the image is smaller than the SSIM window.
    public init(_ a: RGBImage, _ b: RGBImage, path: String = "") throws {
        guard a.width == b.width && a.height == b.height else {
            throw ConversionError(path: path, reason: "sizes differ: \(a.width)x\(a.height) and \(b.width)x\(b.height)")
        }
        guard a.width >= SSIMWindow.size && a.height >= SSIMWindow.size else {
            throw ConversionError(path: path, reason: "\(a.width)x\(a.height) is smaller than the 11x11 SSIM window")
        }
        let (x, y) = a.channels == b.channels ? (a, b) : (a.toRGB(), b.toRGB())
        psnr = ImageMetrics.psnr(x, y)
        l1 = ImageMetrics.l1(x, y)
        ssim = ImageMetrics.ssim(x, y)
    }

    public static func psnr(_ a: RGBImage, _ b: RGBImage) -> Double {
        let mse = sumOfSquaredDifferences(a, b) / Double(a.pixels.count)
        return mse == 0 ? .infinity : 10 * log10(255 * 255 / mse)
    }

    public static func l1(_ a: RGBImage, _ b: RGBImage) -> Double {
        var total = 0
        a.pixels.withUnsafeBufferPointer { p in
            b.pixels.withUnsafeBufferPointer { q in
                for i in 0..<p.count { total &+= abs(Int(p[i]) &- Int(q[i])) }
            }
        }
        return Double(total) / 255 / Double(max(1, a.pixels.count))
    }

    static func sumOfSquaredDifferences(_ a: RGBImage, _ b: RGBImage) -> Double {
        var total = 0
        a.pixels.withUnsafeBufferPointer { p in
            b.pixels.withUnsafeBufferPointer { q in
                for i in 0..<p.count {
                    let d = Int(p[i]) &- Int(q[i])
                    total &+= d &* d
                }
            }
        }
        return Double(total)
    }

    /// Mean SSIM over the channels.
    public static func ssim(_ a: RGBImage, _ b: RGBImage) -> Double {
        var sum = 0.0
        for channel in 0..<a.channels { sum += SSIMWindow.meanSSIM(a, b, channel: channel) }
        return sum / Double(a.channels)
    }
}

/// The 11-tap Gaussian (sigma 1.5) SSIM filter, applied separably over the valid region.
enum SSIMWindow {
    static let radius = 5
    static let size = 2 * radius + 1
    static let weights: [Double] = {
        let w = (-radius...radius).map { exp(-0.5 * Double($0 * $0) / (1.5 * 1.5)) }
        let total = w.reduce(0, +)
        return w.map { $0 / total }
    }()

    /// Mean of the SSIM map of one channel at the window positions inside the image.
    static func meanSSIM(_ a: RGBImage, _ b: RGBImage, channel: Int) -> Double {
        let w = a.width, h = a.height, c = a.channels
        let ow = w - 2 * radius, oh = h - 2 * radius
        // Five planes (x, y, x², y², xy), filtered along rows into [h, ow], then along columns into [oh, ow].
        let rows = UnsafeMutablePointer<Double>.allocate(capacity: 5 * h * ow)
        let out = UnsafeMutablePointer<Double>.allocate(capacity: 5 * oh * ow)
        defer { rows.deallocate(); out.deallocate() }
        let k = weights
        a.pixels.withUnsafeBufferPointer { pa in
            b.pixels.withUnsafeBufferPointer { pb in
                for y in 0..<h {
                    for x in 0..<ow {
                        var s = (0.0, 0.0, 0.0, 0.0, 0.0)
                        for t in 0..<size {
                            let i = (y * w + x + t) * c + channel
                            let u = Double(pa[i]), v = Double(pb[i]), g = k[t]
                            s.0 += g * u; s.1 += g * v; s.2 += g * u * u; s.3 += g * v * v; s.4 += g * u * v
                        }
                        let o = y * ow + x, plane = h * ow
                        rows[o] = s.0; rows[plane + o] = s.1; rows[2 * plane + o] = s.2
                        rows[3 * plane + o] = s.3; rows[4 * plane + o] = s.4
                    }
                }
            }
        }
        for p in 0..<5 {
            let src = rows + p * h * ow, dst = out + p * oh * ow
            for y in 0..<oh {
                for x in 0..<ow {
                    var s = 0.0
                    for t in 0..<size { s += k[t] * src[(y + t) * ow + x] }
                    dst[y * ow + x] = s
                }
            }
        }
        let c1 = (0.01 * 255) * (0.01 * 255), c2 = (0.03 * 255) * (0.03 * 255)
        let n = oh * ow
        var total = 0.0
        for i in 0..<n {
            let ux = out[i], uy = out[n + i]
            let vx = out[2 * n + i] - ux * ux, vy = out[3 * n + i] - uy * uy, vxy = out[4 * n + i] - ux * uy
            total += ((2 * ux * uy + c1) * (2 * vxy + c2)) / ((ux * ux + uy * uy + c1) * (vx + vy + c2))
        }
        return total / Double(n)
    }
}
