import XCTest
import Kernels

/// One 4x4 stride-2 padding-1 convolution (x: [batch, c, h, w] → [batch, o, h/2, w/2], rounded down).
private struct StridedCase: CustomStringConvertible {
    let batch, c, o, height, width: Int
    var description: String { "\(batch)x\(c)x\(height)x\(width) → \(o)" }

    var geometry: ConvGeometry {
        ConvGeometry(channels: c, height: height, width: width, kernelH: 4, kernelW: 4, stride: 2, padding: 1)
    }
}

/// The convolution by its definition, in Double.
private func reference(_ t: StridedCase, x: [Float], w: [Float], bias: [Float]) -> [Double] {
    let g = t.geometry, oh = g.outHeight, ow = g.outWidth
    var y = [Double](repeating: 0, count: t.batch * t.o * oh * ow)
    for n in 0..<t.batch { for o in 0..<t.o { for i in 0..<oh { for j in 0..<ow {
        var sum = Double(bias[o])
        for c in 0..<t.c { for ky in 0..<4 { for kx in 0..<4 {
            let iy = 2 * i - 1 + ky, ix = 2 * j - 1 + kx
            guard iy >= 0, iy < t.height, ix >= 0, ix < t.width else { continue }
            sum += Double(x[((n * t.c + c) * t.height + iy) * t.width + ix])
                * Double(w[((o * t.c + c) * 4 + ky) * 4 + kx])
        } } }
        y[((n * t.o + o) * oh + i) * ow + j] = sum
    } } } }
    return y
}

final class WinogradStridedTests: XCTestCase {
    private let cases = [
        StridedCase(batch: 1, c: 1, o: 1, height: 2, width: 2),     // one output pixel
        StridedCase(batch: 2, c: 3, o: 5, height: 9, width: 14),    // odd height: the last input row unused
        StridedCase(batch: 1, c: 4, o: 2, height: 10, width: 10),   // the edge exactly at a tile's end
        StridedCase(batch: 1, c: 6, o: 3, height: 23, width: 13),
        StridedCase(batch: 2, c: 17, o: 9, height: 22, width: 20),
        StridedCase(batch: 1, c: 33, o: 40, height: 28, width: 24),  // like a U-Net down-conv
        StridedCase(batch: 1, c: 3, o: 8, height: 96, width: 90),   // an image-facing layer
    ]

    /// Against the definition in Double, with one band and with bands of one tile row, written and added onto
    /// an existing output.
    func testMatchesDirectConvolution() {
        let savedBand = winogradBandFloats
        defer { winogradBandFloats = savedBand }
        for (index, t) in cases.enumerated() {
            let g = t.geometry
            let x = randomValues(t.batch * t.c * t.height * t.width, seed: UInt64(index * 3 + 1))
            let w = randomValues(t.o * t.c * 16, seed: UInt64(index * 3 + 2))
            let bias = randomValues(t.o, seed: UInt64(index * 3 + 3))
            let ref = reference(t, x: x, w: w, bias: bias)
            for band in [savedBand, 1] {
                winogradBandFloats = band
                for accumulate in [false, true] {
                    var workspace = [Float](repeating: .nan,
                                            count: winogradStridedWorkspaceCount(outChannels: t.o, geometry: g))
                    var y = [Float](repeating: accumulate ? 0.5 : .nan, count: t.batch * t.o * g.outputPlane)
                    workspace.withUnsafeMutableBufferPointer { ws in
                        winogradStridedConv2dForward(x: x, weight: w, bias: bias, y: &y, batch: t.batch,
                                                     outChannels: t.o, geometry: g, workspace: ws.baseAddress!,
                                                     accumulate: accumulate)
                    }
                    if accumulate { y = y.map { $0 - 0.5 } }
                    XCTAssertLessThan(relativeError(y, ref), 2e-5,
                                      "case \(index) \(t), band floats \(band), accumulate \(accumulate)")
                    // Kept transformed weights: the very same floats, and no U slot in the workspace.
                    var u = [Float](repeating: .nan, count: winogradStridedWeightCount(outChannels: t.o, channels: t.c))
                    winogradPrepareStridedWeights(w, outChannels: t.o, channels: t.c, into: &u)
                    var small = [Float](repeating: .nan, count: winogradStridedWorkspaceCount(
                        outChannels: t.o, geometry: g, weightsKept: true))
                    var kept = [Float](repeating: accumulate ? 0.5 : .nan, count: y.count)
                    small.withUnsafeMutableBufferPointer { ws in
                        winogradStridedConv2dForward(x: x, weight: w, bias: bias, y: &kept, batch: t.batch,
                                                     outChannels: t.o, geometry: g, workspace: ws.baseAddress!,
                                                     transformedWeights: u, accumulate: accumulate)
                    }
                    if accumulate { kept = kept.map { $0 - 0.5 } }
                    XCTAssertEqual(kept, y, "kept weights, case \(index) \(t), band floats \(band)")
                }
            }
        }
    }

    /// At the U-Net's widths (its 64→128 down-conv) the error stays at float32 rounding level.
    func testAccuracyAtNetworkWidth() {
        let t = StridedCase(batch: 1, c: 64, o: 128, height: 24, width: 22)
        let g = t.geometry
        let x = randomValues(t.c * t.height * t.width, seed: 81)
        let w = randomValues(t.o * t.c * 16, seed: 82).map { $0 * 0.05 }
        let bias = [Float](repeating: 0, count: t.o)
        var workspace = [Float](repeating: 0, count: winogradStridedWorkspaceCount(outChannels: t.o, geometry: g))
        var y = [Float](repeating: .nan, count: t.o * g.outputPlane)
        workspace.withUnsafeMutableBufferPointer { ws in
            winogradStridedConv2dForward(x: x, weight: w, bias: bias, y: &y, batch: 1, outChannels: t.o, geometry: g,
                                         workspace: ws.baseAddress!)
        }
        XCTAssertLessThan(relativeError(y, reference(t, x: x, w: w, bias: bias)), 2e-5)
    }

    /// `automatic` takes the wide down-convs with many tiles and nothing else.
    func testAutomaticSelection() {
        let saved = conv2dLowering
        defer { conv2dLowering = saved }
        conv2dLowering = .automatic
        func uses(_ c: Int, _ o: Int, _ size: Int, kernel: Int = 4, stride: Int = 2) -> Bool {
            conv2dUsesPolyphaseWinograd(outChannels: o, geometry: ConvGeometry(
                channels: c, height: size, width: size, kernelH: kernel, kernelW: kernel, stride: stride, padding: 1))
        }
        XCTAssertTrue(uses(64, 128, 128))    // unet_256 down2, PatchGAN conv2
        XCTAssertTrue(uses(64, 256, 128))    // the input gradient of unet_256 up2 (dy: 64 at 128², dx: 256)
        XCTAssertFalse(uses(128, 256, 64))   // down3: 49 tiles, unless its weights are kept
        XCTAssertTrue(conv2dUsesPolyphaseWinograd(outChannels: 256, geometry: ConvGeometry(
            channels: 128, height: 64, width: 64, kernelH: 4, kernelW: 4, stride: 2, padding: 1), weightsKept: true))
        XCTAssertFalse(uses(3, 64, 256))     // the first conv: 3 input channels
        XCTAssertFalse(uses(64, 128, 128, kernel: 3))
        XCTAssertFalse(uses(64, 128, 128, stride: 1))
        conv2dLowering = .winograd
        XCTAssertTrue(uses(1, 1, 2))
        conv2dLowering = .columns
        XCTAssertFalse(uses(64, 128, 128))
    }
}
