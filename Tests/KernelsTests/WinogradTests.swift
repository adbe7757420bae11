import XCTest
import Kernels

/// One 3x3 or 4x4 stride-1 convolution case: sizes chosen so tiles overhang the output edge (not multiples of
/// the tile side, 4 for 3x3 kernels and 3 for 4x4 ones).
private struct Case {
    let batch, channels, outChannels, height, width, padding: Int
    var kernel = 3
}

/// Direct convolution in Double: y, dx = ∂⟨dy, y⟩/∂x and dW = ∂⟨dy, y⟩/∂W.
private func reference(_ t: Case, x: [Float], w: [Float], bias: [Float], dy: [Float])
    -> (y: [Double], dx: [Double], dw: [Double]) {
    let c = t.channels, o = t.outChannels, h = t.height, wd = t.width, p = t.padding, k = t.kernel
    let oh = h + 2 * p - k + 1, ow = wd + 2 * p - k + 1
    var y = [Double](repeating: 0, count: t.batch * o * oh * ow)
    var dx = [Double](repeating: 0, count: x.count), dw = [Double](repeating: 0, count: w.count)
    for n in 0..<t.batch { for oc in 0..<o { for i in 0..<oh { for j in 0..<ow {
        let yi = ((n * o + oc) * oh + i) * ow + j
        var sum = Double(bias[oc])
        for ci in 0..<c { for ki in 0..<k { for kj in 0..<k {
            let iy = i - p + ki, ix = j - p + kj
            guard iy >= 0, iy < h, ix >= 0, ix < wd else { continue }
            let xi = ((n * c + ci) * h + iy) * wd + ix, wi = ((oc * c + ci) * k + ki) * k + kj
            sum += Double(x[xi]) * Double(w[wi])
            dx[xi] += Double(dy[yi]) * Double(w[wi])
            dw[wi] += Double(dy[yi]) * Double(x[xi])
        } } }
        y[yi] = sum
    } } } }
    return (y, dx, dw)
}

/// Runs conv2dForward/Backward through Winograd and returns y, dx (accumulated onto `start`), dW (likewise).
private func runWinograd(_ t: Case, x: [Float], w: [Float], bias: [Float], dy: [Float], start: Float)
    -> (y: [Float], dx: [Float], dw: [Float]) {
    let g = ConvGeometry(channels: t.channels, height: t.height, width: t.width, kernelH: t.kernel,
                         kernelW: t.kernel, stride: 1, padding: t.padding)
    let saved = conv2dLowering
    conv2dLowering = .winograd
    defer { conv2dLowering = saved }
    XCTAssertTrue(conv2dUsesWinograd(outChannels: t.outChannels, geometry: g))
    var workspace = [Float](repeating: .nan, count: conv2dWorkspaceCount(outChannels: t.outChannels, geometry: g))
    var y = [Float](repeating: .nan, count: t.batch * t.outChannels * g.outputPlane)
    var dx = [Float](repeating: start, count: x.count), dw = [Float](repeating: start, count: w.count)
    workspace.withUnsafeMutableBufferPointer { ws in
        conv2dForward(x: x, weight: w, bias: bias, y: &y, batch: t.batch, outChannels: t.outChannels, geometry: g,
                      workspace: ws.baseAddress!)
        conv2dBackward(gradOut: dy, x: x, weight: w, gradX: &dx, gradWeight: &dw, gradBias: nil, batch: t.batch,
                       outChannels: t.outChannels, geometry: g, workspace: ws.baseAddress!)
    }
    return (y, dx.map { $0 - start }, dw.map { $0 - start })
}

final class WinogradTests: XCTestCase {
    private let cases = [
        Case(batch: 1, channels: 1, outChannels: 1, height: 3, width: 3, padding: 0),    // one partial tile
        Case(batch: 2, channels: 3, outChannels: 5, height: 7, width: 9, padding: 1),
        Case(batch: 1, channels: 4, outChannels: 2, height: 10, width: 6, padding: 0),
        Case(batch: 1, channels: 6, outChannels: 3, height: 5, width: 13, padding: 2),
        Case(batch: 2, channels: 17, outChannels: 9, height: 11, width: 11, padding: 1),
        Case(batch: 1, channels: 33, outChannels: 40, height: 14, width: 18, padding: 0),  // like a ResNet block
        Case(batch: 1, channels: 3, outChannels: 4, height: 9, width: 26, padding: 1),  // 7 tiles a row: 4 at once + 3
        Case(batch: 1, channels: 2, outChannels: 3, height: 6, width: 75, padding: 1),  // 19 a row: 16 (or 8+8) + 3
        Case(batch: 1, channels: 2, outChannels: 3, height: 5, width: 40, padding: 1),  // 10 a row: AVX2's 8 + 2
        // F(3x3, 4x4): every padding the input gradient allows (its own padding is 3 - p).
        Case(batch: 1, channels: 1, outChannels: 1, height: 4, width: 4, padding: 0, kernel: 4),  // one partial tile
        Case(batch: 2, channels: 3, outChannels: 5, height: 8, width: 10, padding: 1, kernel: 4),
        Case(batch: 1, channels: 4, outChannels: 2, height: 11, width: 7, padding: 0, kernel: 4),
        Case(batch: 1, channels: 6, outChannels: 3, height: 5, width: 13, padding: 2, kernel: 4),
        Case(batch: 1, channels: 5, outChannels: 7, height: 3, width: 6, padding: 3, kernel: 4),
        Case(batch: 2, channels: 17, outChannels: 9, height: 12, width: 12, padding: 1, kernel: 4),
        Case(batch: 1, channels: 33, outChannels: 40, height: 16, width: 17, padding: 1, kernel: 4),  // like PatchGAN
    ]

    /// Forward, input gradient and weight gradient against the direct convolution in Double, with one band and
    /// with many (bands of one tile row), accumulating onto existing gradients.
    func testMatchesDirectConvolution() {
        let savedBand = winogradBandFloats
        defer { winogradBandFloats = savedBand }
        for (index, t) in cases.enumerated() {
            let oh = t.height + 2 * t.padding - t.kernel + 1, ow = t.width + 2 * t.padding - t.kernel + 1
            let x = randomValues(t.batch * t.channels * t.height * t.width, seed: UInt64(index * 4 + 1))
            let w = randomValues(t.outChannels * t.channels * t.kernel * t.kernel, seed: UInt64(index * 4 + 2))
            let bias = randomValues(t.outChannels, seed: UInt64(index * 4 + 3))
            let dy = randomValues(t.batch * t.outChannels * oh * ow, seed: UInt64(index * 4 + 4))
            let ref = reference(t, x: x, w: w, bias: bias, dy: dy)
            for band in [savedBand, 1] { forEachVectorLevel { level in
                winogradBandFloats = band
                let got = runWinograd(t, x: x, w: w, bias: bias, dy: dy, start: 0.5)
                let label = "case \(index) \(t), band floats \(band), vector level \(level)"
                // F(4x4, 3x3) and F(3x3, 4x4) in float32: errors grow with the transform constants (up to 8
                // and 1/24) but stay a few 1e-6 of the result's scale; 2e-5 leaves room for more channels.
                XCTAssertLessThan(relativeError(got.y, ref.y), 2e-5, "y, \(label)")
                XCTAssertLessThan(relativeError(got.dx, ref.dx), 2e-5, "dx, \(label)")
                XCTAssertLessThan(relativeError(got.dw, ref.dw), 2e-5, "dW, \(label)")
            } }
        }
    }

    /// At the size of CycleGAN's residual convolutions (256 channels, 3x3) and of the PatchGAN's 256→512 4x4
    /// conv the error stays at float32 rounding level.
    func testAccuracyAtNetworkWidths() {
        for (t, seed) in [(Case(batch: 1, channels: 256, outChannels: 256, height: 14, width: 14, padding: 0), 91),
                          (Case(batch: 1, channels: 256, outChannels: 512, height: 9, width: 10, padding: 1, kernel: 4),
                           95)] {
            let oh = t.height + 2 * t.padding - t.kernel + 1, ow = t.width + 2 * t.padding - t.kernel + 1
            let x = randomValues(t.channels * t.height * t.width, seed: UInt64(seed))
            let w = randomValues(t.outChannels * t.channels * t.kernel * t.kernel, seed: UInt64(seed + 1))
                .map { $0 * 0.05 }
            let bias = [Float](repeating: 0, count: t.outChannels)
            let dy = randomValues(t.outChannels * oh * ow, seed: UInt64(seed + 2))
            let ref = reference(t, x: x, w: w, bias: bias, dy: dy)
            let got = runWinograd(t, x: x, w: w, bias: bias, dy: dy, start: 0)
            XCTAssertLessThan(relativeError(got.y, ref.y), 2e-5, "y, \(t)")
            XCTAssertLessThan(relativeError(got.dx, ref.dx), 2e-5, "dx, \(t)")
            XCTAssertLessThan(relativeError(got.dw, ref.dw), 2e-5, "dW, \(t)")
        }
    }

    /// `automatic` keeps narrow layers and those other than 3x3 and 4x4 stride-1 on the other lowerings.
    func testAutomaticSelection() {
        func geometry(_ c: Int, _ size: Int, kernel: Int = 3, stride: Int = 1, padding: Int = 0) -> ConvGeometry {
            ConvGeometry(channels: c, height: size, width: size, kernelH: kernel, kernelW: kernel, stride: stride,
                         padding: padding)
        }
        let saved = conv2dLowering
        conv2dLowering = .automatic
        defer { conv2dLowering = saved }
        XCTAssertTrue(conv2dUsesWinograd(outChannels: 256, geometry: geometry(256, 66)))
        XCTAssertFalse(conv2dUsesWinograd(outChannels: 256, geometry: geometry(256, 66, stride: 2)))
        XCTAssertTrue(conv2dUsesWinograd(outChannels: 512, geometry: geometry(256, 32, kernel: 4, padding: 1)))
        XCTAssertTrue(conv2dUsesWinograd(outChannels: 512, geometry: geometry(256, 20, kernel: 4, padding: 1)))
        XCTAssertFalse(conv2dUsesWinograd(outChannels: 512, geometry: geometry(256, 16, kernel: 4, padding: 1)))
        XCTAssertFalse(conv2dUsesWinograd(outChannels: 1, geometry: geometry(512, 31, kernel: 4, padding: 1)))
        XCTAssertFalse(conv2dUsesWinograd(outChannels: 256, geometry: geometry(256, 66, kernel: 4, stride: 2)))
        XCTAssertFalse(conv2dUsesWinograd(outChannels: 256, geometry: geometry(256, 66, kernel: 4, padding: 4)))
        XCTAssertFalse(conv2dUsesWinograd(outChannels: 256, geometry: geometry(256, 66, kernel: 5)))
        XCTAssertFalse(conv2dUsesWinograd(outChannels: 3, geometry: geometry(64, 66)))
        XCTAssertFalse(conv2dUsesWinograd(outChannels: 256, geometry: geometry(256, 66, padding: 3)))
        XCTAssertFalse(conv2dUsesWinograd(outChannels: 256, geometry: geometry(256, 4)))  // 2x2 output
    }
}
