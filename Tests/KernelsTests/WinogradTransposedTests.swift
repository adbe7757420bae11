import XCTest
import Kernels

/// One 4x4 stride-2 padding-1 transposed convolution (x: [batch, cin, h, w] → [batch, cout, 2h, 2w]).
private struct TransposedCase: CustomStringConvertible {
    let batch, cin, cout, height, width: Int
    var description: String { "\(batch)x\(cin)x\(height)x\(width) → \(cout)" }

    var geometry: ConvGeometry {
        ConvGeometry(channels: cout, height: 2 * height, width: 2 * width, kernelH: 4, kernelW: 4, stride: 2,
                     padding: 1)
    }
}

/// The transposed convolution by its definition, in Double: every input pixel scatters its 4x4 footprint,
/// y[o, 2i - 1 + ky, 2j - 1 + kx] += w[c, o, ky, kx] · x[c, i, j].
private func reference(_ t: TransposedCase, x: [Float], w: [Float], bias: [Float]) -> [Double] {
    let oh = 2 * t.height, ow = 2 * t.width
    var y = [Double](repeating: 0, count: t.batch * t.cout * oh * ow)
    for n in 0..<t.batch { for o in 0..<t.cout {
        for i in 0..<(oh * ow) { y[(n * t.cout + o) * oh * ow + i] = Double(bias[o]) }
        for c in 0..<t.cin { for i in 0..<t.height { for j in 0..<t.width {
            let v = Double(x[((n * t.cin + c) * t.height + i) * t.width + j])
            for ky in 0..<4 { for kx in 0..<4 {
                let oy = 2 * i - 1 + ky, ox = 2 * j - 1 + kx
                guard oy >= 0, oy < oh, ox >= 0, ox < ow else { continue }
                y[((n * t.cout + o) * oh + oy) * ow + ox] += v * Double(w[((c * t.cout + o) * 4 + ky) * 4 + kx])
            } }
        } } }
    } }
    return y
}

/// Runs the Winograd forward (its own weight transform, or `prepared` ones) on a NaN-filled output and
/// workspace, so an element it forgot to write shows up.
private func runWinograd(_ t: TransposedCase, x: [Float], w: [Float], bias: [Float], prepared: Bool) -> [Float] {
    let g = t.geometry
    var workspace = [Float](repeating: .nan, count: winogradTransposedWorkspaceCount(inChannels: t.cin, geometry: g))
    var u = [Float](repeating: .nan, count: winogradTransposedWeightCount(inChannels: t.cin, outChannels: t.cout))
    if prepared { winogradPrepareTransposedWeights(w, inChannels: t.cin, outChannels: t.cout, into: &u) }
    var y = [Float](repeating: .nan, count: t.batch * t.cout * g.inputPlane)
    workspace.withUnsafeMutableBufferPointer { ws in
        u.withUnsafeBufferPointer { kept in
            winogradConvTranspose2dForward(x: x, weight: w, bias: bias, y: &y, batch: t.batch, inChannels: t.cin,
                                           geometry: g, workspace: ws.baseAddress!,
                                           transformedWeights: prepared ? kept.baseAddress! : nil)
        }
    }
    return y
}

final class WinogradTransposedTests: XCTestCase {
    private let cases = [
        TransposedCase(batch: 1, cin: 1, cout: 1, height: 1, width: 1),    // one tile, mostly outside
        TransposedCase(batch: 2, cin: 3, cout: 5, height: 4, width: 7),
        TransposedCase(batch: 1, cin: 4, cout: 2, height: 5, width: 5),    // the edge exactly at a tile's end
        TransposedCase(batch: 1, cin: 6, cout: 3, height: 9, width: 13),
        TransposedCase(batch: 2, cin: 17, cout: 9, height: 11, width: 10),
        TransposedCase(batch: 1, cin: 40, cout: 33, height: 14, width: 12),  // like a U-Net up-conv
    ]

    /// Against the definition in Double, with one band and with bands of a single tile row, with the layer's
    /// own weight transform and with kept ones (which must give the very same floats).
    func testMatchesDirectTransposedConvolution() {
        let savedBand = winogradBandFloats
        defer { winogradBandFloats = savedBand }
        for (index, t) in cases.enumerated() {
            let x = randomValues(t.batch * t.cin * t.height * t.width, seed: UInt64(index * 3 + 1))
            let w = randomValues(t.cin * t.cout * 16, seed: UInt64(index * 3 + 2))
            let bias = randomValues(t.cout, seed: UInt64(index * 3 + 3))
            let ref = reference(t, x: x, w: w, bias: bias)
            for band in [savedBand, 1] {
                winogradBandFloats = band
                let own = runWinograd(t, x: x, w: w, bias: bias, prepared: false)
                let kept = runWinograd(t, x: x, w: w, bias: bias, prepared: true)
                // F(5x5, 2x2) in float32: the output transform's constants reach 16, still a few 1e-6.
                XCTAssertLessThan(relativeError(own, ref), 2e-5, "case \(index) \(t), band floats \(band)")
                XCTAssertEqual(own, kept, "kept weights, case \(index) \(t), band floats \(band)")
            }
        }
    }

    /// At the U-Net's widths (its 256→64 up-conv) the error stays at float32 rounding level.
    func testAccuracyAtNetworkWidth() {
        let t = TransposedCase(batch: 1, cin: 256, cout: 64, height: 11, width: 12)
        let x = randomValues(t.cin * t.height * t.width, seed: 71)
        let w = randomValues(t.cin * t.cout * 16, seed: 72).map { $0 * 0.05 }
        let bias = [Float](repeating: 0, count: t.cout)
        let got = runWinograd(t, x: x, w: w, bias: bias, prepared: false)
        XCTAssertLessThan(relativeError(got, reference(t, x: x, w: w, bias: bias)), 2e-5)
    }

    /// `automatic` takes the U-Net's wide up-convs with many tiles and nothing else.
    func testAutomaticSelection() {
        let saved = conv2dLowering
        defer { conv2dLowering = saved }
        conv2dLowering = .automatic
        func uses(_ cin: Int, _ cout: Int, _ size: Int, kernel: Int = 4, padding: Int = 1, outputPadding: Int = 0)
            -> Bool {
            let out = (size - 1) * 2 - 2 * padding + kernel + outputPadding
            let g = ConvGeometry(channels: cout, height: out, width: out, kernelH: kernel, kernelW: kernel, stride: 2,
                                 padding: padding)
            return convTranspose2dUsesWinograd(inChannels: cin, geometry: g)
        }
        XCTAssertTrue(uses(256, 64, 64))     // unet_256 up2
        XCTAssertFalse(uses(512, 128, 32))   // up3: 49 tiles, unless its weights are kept
        XCTAssertTrue(convTranspose2dUsesWinograd(inChannels: 512, geometry: ConvGeometry(
            channels: 128, height: 64, width: 64, kernelH: 4, kernelW: 4, stride: 2, padding: 1), weightsKept: true))
        XCTAssertFalse(uses(1024, 256, 16))  // up4: 16 tiles
        XCTAssertFalse(uses(128, 3, 128))    // the outermost: 3 output channels
        XCTAssertFalse(uses(16, 64, 64))     // few input channels
        XCTAssertFalse(uses(256, 128, 64, kernel: 3, outputPadding: 1))  // the ResNet's up-convs
        XCTAssertFalse(uses(256, 128, 64, padding: 0))
        conv2dLowering = .winograd
        XCTAssertTrue(uses(1, 1, 1))
        XCTAssertFalse(uses(4, 4, 8, kernel: 3, outputPadding: 1))
        conv2dLowering = .columns
        XCTAssertFalse(uses(256, 64, 64))
    }
}
