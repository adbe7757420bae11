import XCTest
import Foundation
import SafeTensors
@testable import TensorCore

final class NormTests: XCTestCase {
    // x: [2, 2, 1, 2]; channel 0 holds 1, 2, 3, 4 and channel 1 holds -1, 0.5, 2, -2.
    let bnInput: [Float] = [1, 2, -1, 0.5, 3, 4, 2, -2]

    func testBatchNormTrainingValuesAndRunningStats() {
        let x = Tensor(shape: [2, 2, 1, 2], values: bnInput)
        let w = Tensor(shape: [2], values: [2, -0.5]), b = Tensor(shape: [2], values: [0.5, 1])
        let rm = Tensor(shape: [2], values: [0.5, -1]), rv = Tensor(shape: [2], values: [2, 0.5])
        let y = batchNorm2d(x, weight: w, bias: b, runningMean: rm, runningVar: rv, training: true)
        // numpy: (x - mean) / sqrt(biased var + 1e-5) * w + b
        assertValues(y, [-2.1832708399378538, -0.394423613312618, 1.2886745061884086, 0.7938039241511368,
                         1.394423613312618, 3.1832708399378538, 0.2989333421138649, 1.6185882275465897],
                     accuracy: 2e-6, "batch norm train")
        // Batch means 2.5 and -0.125; unbiased variances 5/3 and 3.5625 (n = 4):
        // running = 0.9 * running + 0.1 * batch.
        assertValues(rm, [0.7, -0.9125], "running mean")
        assertValues(rv, [1.9666666666666668, 0.7562500000000001], "running var (unbiased)")
    }

    func testBatchNormEvalUsesRunningStats() {
        let x = Tensor(shape: [2, 2, 1, 2], values: bnInput, requiresGrad: true)
        let w = Tensor(shape: [2], values: [2, -0.5], requiresGrad: true)
        let b = Tensor(shape: [2], values: [0.5, 1], requiresGrad: true)
        let rm = Tensor(shape: [2], values: [0.5, -1]), rv = Tensor(shape: [2], values: [2, 0.5])
        let y = batchNorm2d(x, weight: w, bias: b, runningMean: rm, runningVar: rv, training: false)
        assertValues(y, [1.2071050134262236, 2.6213150402786707, 1.0, -0.060649565337199896,
                         4.035525067131118, 5.449735093983565, -1.1212991306743998, 1.7070997102248],
                     accuracy: 2e-6, "batch norm eval")
        XCTAssertEqual(rm.toArray(), [0.5, -1], "eval leaves the running mean alone")
        XCTAssertEqual(rv.toArray(), [2, 0.5], "eval leaves the running var alone")
        // Backward in eval mode is a per-channel scale w / sqrt(running var + eps).
        let g = Tensor(shape: [2, 2, 1, 2], values: [1, -2, 0.5, 3, 2, 1, -1, 0])
        y.backward(gradient: g)
        let s0 = 2 / (2 + 1e-5).squareRoot(), s1 = -0.5 / (0.5 + 1e-5).squareRoot()
        assertValues(x.grad!, [1 * s0, -2 * s0, 0.5 * s1, 3 * s1, 2 * s0, 1 * s0, -1 * s1, 0], "eval dx")
        assertValues(b.grad!, [1 - 2 + 2 + 1, 0.5 + 3 - 1 + 0], "eval dbias")
        // dweight = Σ g * (x - running mean) / sqrt(running var + eps)
        let i0 = 1 / (2 + 1e-5).squareRoot(), i1 = 1 / (0.5 + 1e-5).squareRoot()
        assertValues(w.grad!, [(1 * 0.5 - 2 * 1.5 + 2 * 2.5 + 1 * 3.5) * i0,
                               (0.5 * 0 + 3 * 1.5 - 1 * 3 + 0) * i1], accuracy: 2e-6, "eval dweight")
    }

    func testBatchNormWithoutRunningStatsUsesBatchStatisticsInEval() {
        var rng = RNG(seed: 2)
        let x = randomTensor([2, 3, 3, 3], &rng)
        let a = batchNorm2d(x, weight: nil, bias: nil, runningMean: nil, runningVar: nil, training: false)
        let b = batchNorm2d(x, weight: nil, bias: nil, runningMean: nil, runningVar: nil, training: true)
        XCTAssertEqual(a.toArray(), b.toArray())
        // Each channel is normalised to mean 0 and biased variance ~1 (eps makes it slightly smaller).
        for c in 0..<3 {
            var values: [Double] = []
            for n in 0..<2 { for h in 0..<3 { for w in 0..<3 { values.append(Double(b[n, c, h, w])) } } }
            let mean = values.reduce(0, +) / 18
            let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 18
            XCTAssertEqual(mean, 0, accuracy: 1e-6)
            XCTAssertEqual(variance, 1, accuracy: 1e-3)
        }
    }

    func testBatchNormStatisticsAreAccurateWithLargeOffset() {
        // Float accumulation of 1000 + small noise would lose the variance; Double two-pass keeps it.
        var rng = RNG(seed: 4)
        let x = Tensor.randn([4, 2, 32, 32], mean: 1000, std: 0.5, rng: &rng)
        let rm = Tensor(zeros: [2]), rv = Tensor(filled: 1, shape: [2])
        let y = batchNorm2d(x, weight: nil, bias: nil, runningMean: rm, runningVar: rv, training: true)
        var sum = 0.0, sq = 0.0
        for v in y.toArray() { sum += Double(v); sq += Double(v) * Double(v) }
        XCTAssertEqual(sum / Double(y.count), 0, accuracy: 1e-4)
        XCTAssertEqual(sq / Double(y.count), 1, accuracy: 1e-3)
        // Running mean 0.9 * 0 + 0.1 * ~1000, running var 0.9 + 0.1 * ~0.25.
        XCTAssertEqual(rm[0], 100, accuracy: 0.01)
        XCTAssertEqual(rv[0], 0.925, accuracy: 0.003)
    }

    func testBatchNormGradients() {
        var rng = RNG(seed: 11)
        for shape: Shape in [[2, 3, 3, 5], [1, 2, 3, 3], [2, 1, 1, 3], [3, 2, 1, 1], [1, 4, 2, 1]] {
            let c = shape[1]
            let x = randomTensor(shape, &rng)
            let w = Tensor.uniform([c], 0.5, 1.5, rng: &rng), b = randomTensor([c], &rng)
            checkGradients("bn train \(shape)", inputs: [x, w, b]) {
                batchNorm2d($0[0], weight: $0[1], bias: $0[2], runningMean: nil, runningVar: nil, training: true)
            }
            checkGradients("bn train no affine \(shape)", inputs: [x]) {
                batchNorm2d($0[0], weight: nil, bias: nil, runningMean: nil, runningVar: nil, training: true)
            }
            let rm = randomTensor([c], &rng), rv = Tensor.uniform([c], 0.5, 2, rng: &rng)
            checkGradients("bn eval \(shape)", inputs: [x, w, b]) {
                batchNorm2d($0[0], weight: $0[1], bias: $0[2], runningMean: rm, runningVar: rv, training: false)
            }
            // x used in both branches.
            checkGradients("bn x twice \(shape)", inputs: [x, x, w]) {
                batchNorm2d($0[0], weight: $0[2], bias: nil, runningMean: nil, runningVar: nil, training: true) * $0[1]
            }
        }
    }

    func testInstanceNormValues() {
        let x = Tensor(shape: [1, 3, 2, 2], values: [1, 2, 4, -1, 0, 0, 3, 1, 2, 2, 2, 5])
        assertValues(instanceNorm2d(x), [-0.2773496714211406, 0.2773496714211406, 1.386748357105703, -1.386748357105703,
                                         -0.8164938592860644, -0.8164938592860644, 1.6329877185721289, 0.0,
                                         -0.5773485585297644, -0.5773485585297644, -0.5773485585297644, 1.7320456755892935],
                     accuracy: 2e-6, "instance norm")
        // A constant plane maps to zeros (variance 0, eps keeps it finite).
        XCTAssertEqual(instanceNorm2d(Tensor(filled: 3, shape: [1, 1, 2, 2])).toArray(), [0, 0, 0, 0])
    }

    func testInstanceNormGradients() {
        var rng = RNG(seed: 12)
        for shape: Shape in [[1, 1, 3, 3], [2, 3, 3, 5], [1, 2, 1, 7], [2, 2, 4, 4]] {
            let x = randomTensor(shape, &rng)
            checkGradients("instance norm \(shape)", inputs: [x]) { instanceNorm2d($0[0]) }
            checkGradients("instance norm twice \(shape)", inputs: [x, x]) { instanceNorm2d($0[0]) * $0[1] }
        }
    }
}

/// BatchNorm / InstanceNorm / LeakyReLU against PyTorch: the PixelDiscriminator fixtures composed by hand
/// (1x1 convs around the norm). Forward, loss, every gradient, the running-stat update and eval mode.
final class NormParityTests: XCTestCase {
    private static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("shared/fixtures")

    private func load(_ name: String) throws -> (weights: SafeTensorsFile, io: SafeTensorsFile) {
        let dir = Self.fixtures.appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: dir.appendingPathComponent("io.safetensors").path) else {
            throw XCTSkip("fixture \(name) not found at \(dir.path)")
        }
        return (try SafeTensorsFile.load(path: dir.appendingPathComponent("weights.safetensors").path),
                try SafeTensorsFile.load(path: dir.appendingPathComponent("io.safetensors").path))
    }

    private func tensor(_ file: SafeTensorsFile, _ name: String, requiresGrad: Bool = false) throws -> Tensor {
        let shape = try XCTUnwrap(file.shape(name), "missing \(name)")
        return Tensor(shape: Shape(shape), values: try file.floats(name), requiresGrad: requiresGrad)
    }

    /// max |a - b| / max |b| (the fixtures' README metric).
    private func assertClose(_ a: Tensor, _ file: SafeTensorsFile, _ name: String, tolerance: Double,
                             line: UInt = #line) throws {
        let b = try file.doubles(name)
        XCTAssertEqual(a.count, b.count, name, line: line)
        var maxDiff = 0.0, maxRef = 0.0
        for (x, y) in zip(a.toArray(), b) { maxDiff = max(maxDiff, abs(Double(x) - y)); maxRef = max(maxRef, abs(y)) }
        XCTAssertLessThanOrEqual(maxDiff / max(maxRef, 1e-30), tolerance, "\(name): max |diff| \(maxDiff), max |ref| \(maxRef)",
                                 line: line)
    }

    func testPixelDiscriminatorWithBatchNorm() throws {
        let (w, io) = try load("pixel_d_batch_ndf8")
        let x = try tensor(io, "input", requiresGrad: true)
        let w0 = try tensor(w, "net.0.weight", requiresGrad: true), b0 = try tensor(w, "net.0.bias", requiresGrad: true)
        let w2 = try tensor(w, "net.2.weight", requiresGrad: true)
        let gamma = try tensor(w, "net.3.weight", requiresGrad: true), beta = try tensor(w, "net.3.bias", requiresGrad: true)
        let runningMean = try tensor(w, "net.3.running_mean"), runningVar = try tensor(w, "net.3.running_var")
        let w5 = try tensor(w, "net.5.weight", requiresGrad: true)
        func forward(training: Bool) -> Tensor {
            var h = conv2d(x, weight: w0, bias: b0).leakyRelu(0.2)
            h = batchNorm2d(conv2d(h, weight: w2, bias: nil), weight: gamma, bias: beta,
                            runningMean: runningMean, runningVar: runningVar, training: training).leakyRelu(0.2)
            return conv2d(h, weight: w5, bias: nil)
        }
        let evalOut = withNoGrad { forward(training: false) }
        try assertClose(evalOut, io, "out_eval_f64", tolerance: 1e-5)

        let out = forward(training: true)
        try assertClose(out, io, "out_train_nodropout_f64", tolerance: 1e-5)
        try assertClose(runningMean, io, "bn_after_train.net.3.running_mean", tolerance: 1e-6)
        try assertClose(runningVar, io, "bn_after_train.net.3.running_var", tolerance: 1e-6)
        let loss = mseLoss(out, try tensor(io, "target"))
        try assertClose(loss, io, "loss_train_nodropout_f64", tolerance: 1e-6)
        loss.backward()
        try assertClose(x.grad!, io, "grad.input_f64", tolerance: 2e-5)
        for (t, name) in [(w0, "net.0.weight"), (b0, "net.0.bias"), (w2, "net.2.weight"), (gamma, "net.3.weight"),
                          (beta, "net.3.bias"), (w5, "net.5.weight")] {
            try assertClose(t.grad!, io, "grad_f64.\(name)", tolerance: 2e-5)
        }
    }

    func testPixelDiscriminatorWithInstanceNorm() throws {
        let (w, io) = try load("pixel_d_instance_ndf8")
        let x = try tensor(io, "input", requiresGrad: true)
        let names = ["net.0.weight", "net.0.bias", "net.2.weight", "net.2.bias", "net.5.weight", "net.5.bias"]
        let p = try names.map { try tensor(w, $0, requiresGrad: true) }
        func forward() -> Tensor {
            var h = conv2d(x, weight: p[0], bias: p[1]).leakyRelu(0.2)
            h = instanceNorm2d(conv2d(h, weight: p[2], bias: p[3])).leakyRelu(0.2)
            return conv2d(h, weight: p[4], bias: p[5])
        }
        try assertClose(withNoGrad { forward() }, io, "out_eval_f64", tolerance: 1e-5)
        let out = forward()
        try assertClose(out, io, "out_train_nodropout_f64", tolerance: 1e-5)
        let loss = mseLoss(out, try tensor(io, "target"))
        try assertClose(loss, io, "loss_train_nodropout_f64", tolerance: 1e-6)
        loss.backward()
        try assertClose(x.grad!, io, "grad.input_f64", tolerance: 2e-5)
        for (t, name) in zip(p, names) where name != "net.2.bias" {
            try assertClose(t.grad!, io, "grad_f64.\(name)", tolerance: 2e-5)
        }
        // The conv bias right before an affine-free InstanceNorm has an exact gradient of zero.
        XCTAssertLessThan(p[3].grad!.toArray().map(abs).max()!, 1e-6)
    }
}
