import XCTest
import Kernels
@testable import TensorCore

// MARK: naive references (direct loops in Double, PyTorch definitions)

/// y[n,o,i,j] = b[o] + Σ_{c,ki,kj} x[n,c,i*s-p+ki, j*s-p+kj] · w[o,c,ki,kj], zero outside the input.
private func naiveConv2d(_ x: Tensor, _ w: Tensor, _ b: Tensor?, stride s: Int, padding p: Int) -> [Double] {
    let n = x.shape.n, c = x.shape.c, h = x.shape.h, wd = x.shape.w
    let o = w.shape[0], kh = w.shape[2], kw = w.shape[3]
    let oh = (h + 2 * p - kh) / s + 1, ow = (wd + 2 * p - kw) / s + 1
    var y = [Double](repeating: 0, count: n * o * oh * ow)
    for ni in 0..<n { for oi in 0..<o { for i in 0..<oh { for j in 0..<ow {
        var acc = b.map { Double($0[oi]) } ?? 0
        for ci in 0..<c { for ki in 0..<kh { for kj in 0..<kw {
            let ih = i * s - p + ki, iw = j * s - p + kj
            if ih < 0 || ih >= h || iw < 0 || iw >= wd { continue }
            acc += Double(x[ni, ci, ih, iw]) * Double(w[oi, ci, ki, kj])
        } } }
        y[((ni * o + oi) * oh + i) * ow + j] = acc
    } } } }
    return y
}

/// y[n,co, i*s-p+ki, j*s-p+kj] += x[n,ci,i,j] · w[ci,co,ki,kj] (+ b[co]); output size as PyTorch.
private func naiveConvTranspose2d(_ x: Tensor, _ w: Tensor, _ b: Tensor?, stride s: Int, padding p: Int,
                                  outputPadding op: Int) -> (Shape, [Double]) {
    let n = x.shape.n, cin = x.shape.c, h = x.shape.h, wd = x.shape.w
    let cout = w.shape[1], kh = w.shape[2], kw = w.shape[3]
    let oh = (h - 1) * s - 2 * p + kh + op, ow = (wd - 1) * s - 2 * p + kw + op
    var y = [Double](repeating: 0, count: n * cout * oh * ow)
    for ni in 0..<n { for co in 0..<cout {
        let base = (ni * cout + co) * oh * ow
        if let b { for k in 0..<(oh * ow) { y[base + k] = Double(b[co]) } }
        for ci in 0..<cin { for i in 0..<h { for j in 0..<wd { for ki in 0..<kh { for kj in 0..<kw {
            let yi = i * s - p + ki, yj = j * s - p + kj
            if yi < 0 || yi >= oh || yj < 0 || yj >= ow { continue }
            y[base + yi * ow + yj] += Double(x[ni, ci, i, j]) * Double(w[ci, co, ki, kj])
        } } } } }
    } }
    return ([n, cout, oh, ow], y)
}

private func dot(_ a: Tensor, _ b: Tensor) -> Double {
    precondition(a.count == b.count)
    var s = 0.0
    for i in 0..<a.count { s += Double(a.data[i]) * Double(b.data[i]) }
    return s
}

/// One conv layer configuration for the table-driven tests.
private struct ConvCase: CustomStringConvertible {
    var batch: Int, channels: Int, height: Int, width: Int, outChannels: Int
    var kernelH: Int, kernelW: Int, stride: Int, padding: Int, outputPadding: Int = 0, bias: Bool
    var description: String {
        "N\(batch) C\(channels) \(height)x\(width) O\(outChannels) k\(kernelH)x\(kernelW) s\(stride) p\(padding) op\(outputPadding)\(bias ? " bias" : "")"
    }
}

/// Odd sizes, kernels 1/3/4/7 (and a non-square one), stride 1/2, padding 0/1/3, batch 1 and 2, ± bias.
private let convCases: [ConvCase] = [
    ConvCase(batch: 1, channels: 3, height: 7, width: 5, outChannels: 4, kernelH: 3, kernelW: 3, stride: 1, padding: 1, bias: true),
    ConvCase(batch: 2, channels: 3, height: 6, width: 9, outChannels: 2, kernelH: 3, kernelW: 3, stride: 1, padding: 0, bias: true),
    ConvCase(batch: 1, channels: 2, height: 5, width: 5, outChannels: 3, kernelH: 3, kernelW: 3, stride: 1, padding: 2, bias: false),
    ConvCase(batch: 2, channels: 2, height: 7, width: 5, outChannels: 3, kernelH: 3, kernelW: 3, stride: 2, padding: 1, bias: false),
    ConvCase(batch: 1, channels: 2, height: 8, width: 9, outChannels: 5, kernelH: 4, kernelW: 4, stride: 2, padding: 1, bias: true),
    ConvCase(batch: 2, channels: 3, height: 5, width: 7, outChannels: 2, kernelH: 1, kernelW: 1, stride: 1, padding: 0, bias: true),
    ConvCase(batch: 1, channels: 3, height: 5, width: 6, outChannels: 2, kernelH: 1, kernelW: 1, stride: 2, padding: 0, bias: false),
    ConvCase(batch: 1, channels: 4, height: 3, width: 4, outChannels: 3, kernelH: 1, kernelW: 1, stride: 1, padding: 1, bias: true),
    ConvCase(batch: 2, channels: 2, height: 9, width: 8, outChannels: 3, kernelH: 7, kernelW: 7, stride: 1, padding: 3, bias: true),
    ConvCase(batch: 1, channels: 2, height: 11, width: 10, outChannels: 2, kernelH: 7, kernelW: 7, stride: 2, padding: 0, bias: false),
    ConvCase(batch: 1, channels: 1, height: 6, width: 7, outChannels: 2, kernelH: 3, kernelW: 2, stride: 1, padding: 0, bias: true),
    ConvCase(batch: 2, channels: 3, height: 4, width: 4, outChannels: 2, kernelH: 4, kernelW: 4, stride: 1, padding: 3, bias: false),
    // 4x4 stride 1 (the PatchGAN's last two convs; Winograd F(3x3,4x4) under that lowering) at every padding.
    ConvCase(batch: 1, channels: 2, height: 7, width: 8, outChannels: 3, kernelH: 4, kernelW: 4, stride: 1, padding: 1, bias: true),
    ConvCase(batch: 2, channels: 3, height: 5, width: 6, outChannels: 2, kernelH: 4, kernelW: 4, stride: 1, padding: 0, bias: false),
    ConvCase(batch: 1, channels: 2, height: 4, width: 7, outChannels: 2, kernelH: 4, kernelW: 4, stride: 1, padding: 2, bias: true),
    ConvCase(batch: 1, channels: 2, height: 3, width: 3, outChannels: 2, kernelH: 3, kernelW: 3, stride: 2, padding: 3, bias: true),
    ConvCase(batch: 1, channels: 5, height: 2, width: 2, outChannels: 3, kernelH: 4, kernelW: 4, stride: 2, padding: 1, bias: true),
    // Even sizes: under the Winograd lowering the input gradient runs as a polyphase up-conv.
    ConvCase(batch: 2, channels: 3, height: 10, width: 6, outChannels: 4, kernelH: 4, kernelW: 4, stride: 2, padding: 1, bias: true),
]

/// Transposed-conv configurations: the U-Net (k4 s2 p1) and ResNet (k3 s2 p1 op1) up-samplers and more.
private let convTransposeCases: [ConvCase] = [
    ConvCase(batch: 1, channels: 3, height: 4, width: 3, outChannels: 2, kernelH: 4, kernelW: 4, stride: 2, padding: 1, bias: true),
    ConvCase(batch: 2, channels: 2, height: 3, width: 5, outChannels: 3, kernelH: 3, kernelW: 3, stride: 2, padding: 1, outputPadding: 1, bias: true),
    ConvCase(batch: 1, channels: 2, height: 5, width: 4, outChannels: 2, kernelH: 3, kernelW: 3, stride: 1, padding: 1, bias: false),
    ConvCase(batch: 2, channels: 4, height: 3, width: 3, outChannels: 3, kernelH: 1, kernelW: 1, stride: 1, padding: 0, bias: true),
    ConvCase(batch: 1, channels: 3, height: 4, width: 5, outChannels: 2, kernelH: 1, kernelW: 1, stride: 2, padding: 0, outputPadding: 1, bias: false),
    ConvCase(batch: 1, channels: 2, height: 3, width: 4, outChannels: 2, kernelH: 7, kernelW: 7, stride: 1, padding: 3, bias: true),
    ConvCase(batch: 1, channels: 2, height: 3, width: 2, outChannels: 3, kernelH: 4, kernelW: 4, stride: 2, padding: 0, outputPadding: 1, bias: false),
    ConvCase(batch: 2, channels: 1, height: 2, width: 3, outChannels: 2, kernelH: 4, kernelW: 3, stride: 2, padding: 1, bias: true),
    ConvCase(batch: 1, channels: 2, height: 5, width: 3, outChannels: 1, kernelH: 3, kernelW: 3, stride: 2, padding: 3, outputPadding: 1, bias: false),
    ConvCase(batch: 1, channels: 5, height: 1, width: 1, outChannels: 4, kernelH: 4, kernelW: 4, stride: 2, padding: 1, bias: true),
    // More U-Net up-convs (Winograd F(5x5,2x2) under that lowering): tile rows that overhang the edge by 0-4.
    ConvCase(batch: 2, channels: 3, height: 7, width: 11, outChannels: 4, kernelH: 4, kernelW: 4, stride: 2, padding: 1, bias: false),
    ConvCase(batch: 1, channels: 2, height: 5, width: 9, outChannels: 3, kernelH: 4, kernelW: 4, stride: 2, padding: 1, bias: true),
    // 17-64 input pixels, where a frozen layer keeps its weight transposed for the narrow product.
    ConvCase(batch: 2, channels: 5, height: 6, width: 6, outChannels: 3, kernelH: 4, kernelW: 4, stride: 2, padding: 1, bias: true),
    ConvCase(batch: 2, channels: 6, height: 4, width: 5, outChannels: 3, kernelH: 1, kernelW: 1, stride: 1, padding: 0, bias: false),
]

/// Runs `body` under each way of running the column GEMMs: streaming products for up to 16 pixels, the narrow
/// products (AVX-512) above 4, plain GEMMs with and without the transposed-orientation product, and plain GEMMs
/// in bands of a single output row, so every path (row offsets, accumulation across bands, skinny, narrow and
/// transposed products) is exercised on small tensors.
private func withColumnPaths(_ body: (String) -> Void) {
    let savedBudget = im2colChunkFloats, savedSkinny = skinnyGemmMaxColumns
    let savedTransposed = transposedProductMaxColumns, savedNarrow = narrowGemmMaxColumns
    defer {
        im2colChunkFloats = savedBudget; skinnyGemmMaxColumns = savedSkinny
        transposedProductMaxColumns = savedTransposed; narrowGemmMaxColumns = savedNarrow
    }
    let variants = [(savedBudget, 16, 0, savedTransposed, "streaming products"),
                    (savedBudget, 4, 64, savedTransposed, "streaming and narrow products"),
                    (savedBudget, 0, 0, savedTransposed, "gemm, transposed products"),
                    (savedBudget, 0, 0, 0, "gemm, direct products"),
                    (1, 0, 0, savedTransposed, "gemm, one-row bands")]
    for (budget, skinny, narrow, transposed, name) in variants {
        im2colChunkFloats = budget
        skinnyGemmMaxColumns = skinny
        narrowGemmMaxColumns = narrow
        transposedProductMaxColumns = transposed
        body(name)
    }
}

/// Runs `body` under each conv2d lowering (im2col columns with and without the skinny and narrow products, tap
/// planes, Winograd for the 3x3 stride-1 cases).
private func withConv2dLowerings(_ body: (String) -> Void) {
    let saved = conv2dLowering, savedSkinny = skinnyGemmMaxColumns, savedNarrow = narrowGemmMaxColumns
    defer { conv2dLowering = saved; skinnyGemmMaxColumns = savedSkinny; narrowGemmMaxColumns = savedNarrow }
    for (lowering, skinny, narrow) in [(Conv2dLowering.columns, 16, 0), (.columns, 4, 64), (.columns, 0, 0),
                                       (.tapPlanes, 16, 0), (.winograd, 0, 0)] {
        conv2dLowering = lowering
        skinnyGemmMaxColumns = skinny
        narrowGemmMaxColumns = narrow
        body("\(lowering), skinny ≤ \(skinny), narrow ≤ \(narrow)")
    }
}

/// Runs `body` under each column path and then under the Winograd lowering (the 4x4 stride-2 transposed cases).
private func withTransposedLowerings(_ body: (String) -> Void) {
    let saved = conv2dLowering
    defer { conv2dLowering = saved }
    conv2dLowering = .columns
    withColumnPaths(body)
    conv2dLowering = .winograd
    body("winograd")
}

/// Runs `body` under each conv2d lowering (im2col columns, tap planes, Winograd) and each column path.
private func withConv2dVariants(_ body: (String) -> Void) {
    let saved = conv2dLowering
    defer { conv2dLowering = saved }
    for lowering in [Conv2dLowering.columns, .tapPlanes, .winograd] {
        conv2dLowering = lowering
        withColumnPaths { bands in body("\(lowering), \(bands)") }
    }
}

final class ConvTests: XCTestCase {
    func testOutputShapesMatchPyTorch() {
        var rng = RNG(seed: 1)
        // Conv2d: floor((H + 2p - k) / s) + 1.
        let x = randomTensor([1, 3, 256, 256], &rng)
        XCTAssertEqual(conv2d(x, weight: Tensor(zeros: [8, 3, 4, 4]), bias: nil, stride: 2, padding: 1).shape, [1, 8, 128, 128])
        XCTAssertEqual(conv2d(randomTensor([2, 3, 7, 5], &rng), weight: Tensor(zeros: [4, 3, 3, 3]), bias: nil,
                              stride: 2, padding: 0).shape, [2, 4, 3, 2])
        XCTAssertEqual(conv2d(randomTensor([1, 2, 262, 262], &rng), weight: Tensor(zeros: [3, 2, 7, 7]), bias: nil).shape,
                       [1, 3, 256, 256])
        // ConvTranspose2d: (H - 1) s - 2p + k + op.
        let t = randomTensor([1, 4, 64, 64], &rng)
        XCTAssertEqual(convTranspose2d(t, weight: Tensor(zeros: [4, 2, 3, 3]), bias: nil, stride: 2, padding: 1,
                                       outputPadding: 1).shape, [1, 2, 128, 128])
        XCTAssertEqual(convTranspose2d(t, weight: Tensor(zeros: [4, 2, 4, 4]), bias: nil, stride: 2, padding: 1).shape,
                       [1, 2, 128, 128])
        XCTAssertEqual(convTranspose2d(randomTensor([1, 2, 1, 1], &rng), weight: Tensor(zeros: [2, 5, 4, 4]), bias: nil,
                                       stride: 2, padding: 1).shape, [1, 5, 2, 2])
    }

    func testHandComputedConv() {
        // 1x1x3x3 input 1..9, 2x2 kernel of ones, stride 1, no padding: sums of 2x2 windows, + bias 0.5.
        let x = Tensor(shape: [1, 1, 3, 3], values: [1, 2, 3, 4, 5, 6, 7, 8, 9])
        let w = Tensor(filled: 1, shape: [1, 1, 2, 2])
        let y = conv2d(x, weight: w, bias: Tensor(shape: [1], values: [0.5]))
        assertValues(y, [12.5, 16.5, 24.5, 28.5], "2x2 window sums")
        // Padding 1, stride 2: windows at (-1,-1), (-1,1), (1,-1), (1,1).
        assertValues(conv2d(x, weight: w, bias: nil, stride: 2, padding: 1), [1, 5, 11, 28], "padded strided")
        // Transposed conv of a single 1 stamps the kernel: x = [[1]], w = [[1,2],[3,4]], stride 2.
        let k = Tensor(shape: [1, 1, 2, 2], values: [1, 2, 3, 4])
        let t = convTranspose2d(Tensor(shape: [1, 1, 2, 1], values: [1, 10]), weight: k, bias: nil, stride: 2)
        XCTAssertEqual(t.shape, [1, 1, 4, 2])
        assertValues(t, [1, 2, 3, 4, 10, 20, 30, 40], "convT stamps")
    }

    func testConv2dMatchesNaiveReference() {
        var rng = RNG(seed: 11)
        withConv2dVariants { bands in
            for cfg in convCases {
                let x = randomTensor([cfg.batch, cfg.channels, cfg.height, cfg.width], &rng)
                let w = randomTensor([cfg.outChannels, cfg.channels, cfg.kernelH, cfg.kernelW], &rng)
                let b = cfg.bias ? randomTensor([cfg.outChannels], &rng) : nil
                let y = conv2d(x, weight: w, bias: b, stride: cfg.stride, padding: cfg.padding)
                let ref = naiveConv2d(x, w, b, stride: cfg.stride, padding: cfg.padding)
                let oh = (cfg.height + 2 * cfg.padding - cfg.kernelH) / cfg.stride + 1
                let ow = (cfg.width + 2 * cfg.padding - cfg.kernelW) / cfg.stride + 1
                XCTAssertEqual(y.shape, [cfg.batch, cfg.outChannels, oh, ow], "\(cfg)")
                // Winograd's transforms (constants up to 8 and 1/24) round more than a direct sum: a few 1e-6
                // of the output's scale, which reaches 3-4 here.
                assertValues(y, ref, accuracy: conv2dLowering == .winograd ? 4e-5 : 1e-5, "conv2d \(cfg), \(bands)")
            }
        }
    }

    /// Each case as a plain layer and as a frozen one (kept Winograd transforms, or the weight kept transposed).
    func testConvTranspose2dMatchesNaiveReference() {
        var rng = RNG(seed: 12)
        var keptTransposedRuns = 0
        withTransposedLowerings { bands in
            for cfg in convTransposeCases {
                let x = randomTensor([cfg.batch, cfg.channels, cfg.height, cfg.width], &rng)
                let w = randomTensor([cfg.channels, cfg.outChannels, cfg.kernelH, cfg.kernelW], &rng)
                let b = cfg.bias ? randomTensor([cfg.outChannels], &rng) : nil
                let (shape, ref) = naiveConvTranspose2d(x, w, b, stride: cfg.stride, padding: cfg.padding,
                                                        outputPadding: cfg.outputPadding)
                for kept in [nil, WinogradWeights()] {
                    let y = convTranspose2d(x, weight: w, bias: b, stride: cfg.stride, padding: cfg.padding,
                                            outputPadding: cfg.outputPadding, winogradWeights: kept)
                    XCTAssertEqual(y.shape, shape, "\(cfg)")
                    assertValues(y, ref, accuracy: conv2dLowering == .winograd ? 4e-5 : 1e-5,
                                 "convTranspose2d \(cfg), \(bands)\(kept == nil ? "" : ", frozen")")
                    let g = ConvGeometry(channels: cfg.outChannels, height: shape[2], width: shape[3],
                                         kernelH: cfg.kernelH, kernelW: cfg.kernelW, stride: cfg.stride,
                                         padding: cfg.padding)
                    if kept != nil && convTranspose2dKeepsTransposedWeight(inChannels: cfg.channels, geometry: g) {
                        keptTransposedRuns += 1
                    }
                }
            }
        }
        // The narrow products run on AVX-512 only; there the kept transpose must have been exercised.
        if narrowProductsAvailable { XCTAssertGreaterThanOrEqual(keptTransposedRuns, 3) }
    }

    /// <conv(x), y> = <x, convT(y)> with the same weight: convT is the adjoint of conv w.r.t. the input.
    func testConvTransposeIsAdjointOfConv() {
        var rng = RNG(seed: 13)
        for cfg in convCases {
            let x = randomTensor([cfg.batch, cfg.channels, cfg.height, cfg.width], &rng)
            let w = randomTensor([cfg.outChannels, cfg.channels, cfg.kernelH, cfg.kernelW], &rng)
            let cx = conv2d(x, weight: w, bias: nil, stride: cfg.stride, padding: cfg.padding)
            let y = randomTensor(cx.shape, &rng)
            // Output padding that makes convT land exactly on x's size (the rows conv's floor dropped).
            let op = cfg.height - ((cx.shape.h - 1) * cfg.stride - 2 * cfg.padding + cfg.kernelH)
            let opW = cfg.width - ((cx.shape.w - 1) * cfg.stride - 2 * cfg.padding + cfg.kernelW)
            guard op == opW else { continue }  // our API has one output padding for both axes
            let ty = convTranspose2d(y, weight: w, bias: nil, stride: cfg.stride, padding: cfg.padding, outputPadding: op)
            XCTAssertEqual(ty.shape, x.shape, "\(cfg)")
            let lhs = dot(cx, y), rhs = dot(x, ty)
            XCTAssertEqual(lhs, rhs, accuracy: 1e-4 * max(1, abs(lhs)), "adjoint \(cfg)")
        }
    }

    /// The backward pass of each op is the adjoint of its forward map w.r.t. the input: <A x, g> = <x, A' g>.
    func testBackwardInputIsAdjointOfForward() {
        var rng = RNG(seed: 14)
        withConv2dVariants { bands in
            for cfg in convCases + convTransposeCases {
                let isTransposed = convTransposeCases.contains { $0.description == cfg.description }
                let x = randomTensor([cfg.batch, cfg.channels, cfg.height, cfg.width], &rng)
                x.requiresGrad = true
                let w = isTransposed ? randomTensor([cfg.channels, cfg.outChannels, cfg.kernelH, cfg.kernelW], &rng)
                                     : randomTensor([cfg.outChannels, cfg.channels, cfg.kernelH, cfg.kernelW], &rng)
                let y = isTransposed
                    ? convTranspose2d(x, weight: w, bias: nil, stride: cfg.stride, padding: cfg.padding,
                                      outputPadding: cfg.outputPadding)
                    : conv2d(x, weight: w, bias: nil, stride: cfg.stride, padding: cfg.padding)
                let g = randomTensor(y.shape, &rng)
                let lhs = dot(y, g)
                y.backward(gradient: g)
                let rhs = dot(x, x.grad!)
                XCTAssertEqual(lhs, rhs, accuracy: 1e-4 * max(1, abs(lhs)), "\(cfg) \(bands)")
                XCTAssertNil(w.grad, "weight without requiresGrad must not get a gradient (\(cfg))")
            }
        }
    }

    func testConv2dGradients() {
        var rng = RNG(seed: 21)
        withConv2dVariants { bands in
            for cfg in convCases {
                let x = randomTensor([cfg.batch, cfg.channels, cfg.height, cfg.width], &rng)
                let w = randomTensor([cfg.outChannels, cfg.channels, cfg.kernelH, cfg.kernelW], &rng)
                var inputs = [x, w]
                if cfg.bias { inputs.append(randomTensor([cfg.outChannels], &rng)) }
                checkGradients("conv2d \(cfg) \(bands)", inputs: inputs, maxChecksPerInput: 30) { t in
                    conv2d(t[0], weight: t[1], bias: t.count > 2 ? t[2] : nil, stride: cfg.stride, padding: cfg.padding)
                }
            }
        }
    }

    func testConvTranspose2dGradients() {
        var rng = RNG(seed: 22)
        withTransposedLowerings { bands in
            for cfg in convTransposeCases {
                let x = randomTensor([cfg.batch, cfg.channels, cfg.height, cfg.width], &rng)
                let w = randomTensor([cfg.channels, cfg.outChannels, cfg.kernelH, cfg.kernelW], &rng)
                var inputs = [x, w]
                if cfg.bias { inputs.append(randomTensor([cfg.outChannels], &rng)) }
                checkGradients("convTranspose2d \(cfg) \(bands)", inputs: inputs, maxChecksPerInput: 30) { t in
                    convTranspose2d(t[0], weight: t[1], bias: t.count > 2 ? t[2] : nil, stride: cfg.stride,
                                    padding: cfg.padding, outputPadding: cfg.outputPadding)
                }
            }
        }
    }

    func testSameTensorUsedTwice() {
        withConv2dLowerings { lowering in sameTensorUsedTwice(lowering) }
    }

    private func sameTensorUsedTwice(_ lowering: String) {
        var rng = RNG(seed: 23)
        // x feeds two convs with different weights and strides that give the same output size; the shared
        // weight w feeds both too. Both paths must add into the gradients.
        let x = randomTensor([2, 2, 6, 5], &rng)
        let w = randomTensor([3, 2, 3, 3], &rng)
        let b = randomTensor([3], &rng)
        checkGradients("conv2d twice \(lowering)", inputs: [x, w, b, x, w]) { t in
            conv2d(t[0], weight: t[1], bias: t[2], stride: 1, padding: 1)
                + conv2d(t[3], weight: t[4], bias: nil, stride: 1, padding: 1) * conv2d(t[3], weight: t[1], bias: t[2], padding: 1)
        }
        // The same with a 4x4 kernel: x and w4 each feed both factors of a product.
        let w4 = randomTensor([3, 2, 4, 4], &rng)
        checkGradients("conv2d 4x4 twice \(lowering)", inputs: [x, w4, x, w4]) { t in
            conv2d(t[0], weight: t[1], bias: nil, stride: 1, padding: 1)
                * conv2d(t[2], weight: t[3], bias: nil, stride: 1, padding: 1)
        }
        // Transposed conv output fed into a conv with the same weight tensor (convT weight [Cin,Cout] and conv
        // weight [O,C] coincide when O = Cin and C = Cout).
        let z = randomTensor([1, 3, 3, 4], &rng)
        let v = randomTensor([3, 2, 4, 4], &rng)
        checkGradients("convT then conv with one weight \(lowering)", inputs: [z, v]) { t in
            conv2d(convTranspose2d(t[0], weight: t[1], bias: nil, stride: 2, padding: 1), weight: t[1], bias: nil,
                   stride: 2, padding: 1) + t[0]
        }
    }

    func testGradientsOnlyForInputsThatRequireThem() {
        var rng = RNG(seed: 24)
        let x = randomTensor([1, 2, 5, 5], &rng)
        let w = randomTensor([3, 2, 3, 3], &rng)
        let b = randomTensor([3], &rng)
        w.requiresGrad = true
        conv2d(x, weight: w, bias: b, padding: 1).backward(gradient: Tensor(filled: 1, shape: [1, 3, 5, 5]))
        XCTAssertNil(x.grad)
        XCTAssertNil(b.grad)
        XCTAssertNotNil(w.grad)
        // Bias gradient alone: the sum of the output gradient over N, H, W.
        let b2 = Tensor(zeros: [2], requiresGrad: true)
        let t = convTranspose2d(randomTensor([2, 3, 2, 2], &rng), weight: randomTensor([3, 2, 3, 3], &rng), bias: b2,
                                stride: 2, padding: 1, outputPadding: 1)
        XCTAssertEqual(t.shape, [2, 2, 4, 4])
        let g = Tensor(shape: t.shape, values: (0..<t.count).map { Float($0 % 5) })
        t.backward(gradient: g)
        var expected = [Double](repeating: 0, count: 2)
        for n in 0..<2 { for c in 0..<2 { for i in 0..<16 { expected[c] += Double(g.data[(n * 2 + c) * 16 + i]) } } }
        assertValues(b2.grad!, expected, "bias gradient")
    }

    func testGradientsAccumulateAcrossCalls() {
        withConv2dLowerings { lowering in gradientsAccumulateAcrossCalls(lowering) }
    }

    private func gradientsAccumulateAcrossCalls(_ lowering: String) {
        var rng = RNG(seed: 25)
        let x = randomTensor([1, 2, 4, 4], &rng)
        let w = randomTensor([2, 2, 3, 3], &rng)
        w.requiresGrad = true
        x.requiresGrad = true
        conv2d(x, weight: w, bias: nil, padding: 1).sum().backward()
        let wg1 = w.grad!.toArray(), xg1 = x.grad!.toArray()
        conv2d(x, weight: w, bias: nil, padding: 1).sum().backward()
        assertValues(w.grad!, wg1.map { 2 * Double($0) }, accuracy: 1e-5, "weight grad doubles \(lowering)")
        assertValues(x.grad!, xg1.map { 2 * Double($0) }, accuracy: 1e-5, "input grad doubles \(lowering)")
    }

    func testWorkspaceIsReusedAndGrowsOnDemand() {
        let ws = ConvWorkspace()
        var first: UnsafeMutablePointer<Float>?
        ws.withBuffer(count: 100) { first = $0; $0[99] = 1 }
        XCTAssertGreaterThanOrEqual(ws.capacity, 100)
        ws.withBuffer(count: 50) { XCTAssertEqual($0, first, "a smaller request reuses the buffer") }
        ws.withBuffer(count: 1000) { $0[999] = 2 }
        XCTAssertGreaterThanOrEqual(ws.capacity, 1000)
        // A nested (concurrent) request gets its own temporary buffer instead of the busy one.
        ws.withBuffer(count: 10) { outer in
            ws.withBuffer(count: 10) { inner in XCTAssertNotEqual(inner, outer) }
        }
        ws.release()
        XCTAssertEqual(ws.capacity, 0)
        // Columns of 1 MB and more come from the tensor arena for the call and go back to it after.
        LargeBlocks.releaseCached()
        let large = LargeBlocks.threshold / 4 + 100
        ws.withBuffer(count: large) { $0[large - 1] = 3 }
        XCTAssertEqual(ws.capacity, 0, "the small-request buffer did not grow")
        XCTAssertGreaterThanOrEqual(LargeBlocks.cachedBytes, large * 4)
    }

    func testLargeLayerIsBuiltInBands() {
        // A 7x7 conv over 64 channels at 40x40 has a 3.1M-float column matrix; the shared workspace stays within
        // the band budget (plus one row of slack) while the result still matches the naive loops at spot checks.
        var rng = RNG(seed: 26)
        let x = randomTensor([1, 64, 40, 40], &rng)
        let w = randomTensor([3, 64, 7, 7], &rng)
        let g = ConvGeometry(channels: 64, height: 40, width: 40, kernelH: 7, kernelW: 7, stride: 1, padding: 3)
        XCTAssertLessThanOrEqual(im2colWorkspaceCount(g), im2colChunkFloats + g.colRows * g.outWidth)
        XCTAssertLessThan(im2colWorkspaceCount(g), g.colRows * g.outputPlane)
        // Few output channels: the automatic choice is the tap-plane lowering, whose bands are small too.
        XCTAssertTrue(conv2dUsesTapPlanes(outChannels: 3, geometry: g))
        XCTAssertLessThanOrEqual(conv2dWorkspaceCount(outChannels: 3, geometry: g),
                                 im2colChunkFloats + 2 * 3 * 49 * 64 + 3 * 49 * 7 * 40)
        let saved = conv2dLowering
        defer { conv2dLowering = saved }
        for lowering in [Conv2dLowering.automatic, .columns] {
            conv2dLowering = lowering
            let y = conv2d(x, weight: w, bias: nil, padding: 3)
            for (o, i, j) in [(0, 0, 0), (1, 17, 39), (2, 39, 5), (0, 25, 25)] {
                var acc = 0.0
                for c in 0..<64 { for ki in 0..<7 { for kj in 0..<7 {
                    let ih = i - 3 + ki, iw = j - 3 + kj
                    if ih < 0 || ih >= 40 || iw < 0 || iw >= 40 { continue }
                    acc += Double(x[0, c, ih, iw]) * Double(w[o, c, ki, kj])
                } } }
                XCTAssertEqual(Double(y[0, o, i, j]), acc, accuracy: 1e-4 * max(1, abs(acc)), "\(lowering) (\(o),\(i),\(j))")
            }
        }
    }
}
