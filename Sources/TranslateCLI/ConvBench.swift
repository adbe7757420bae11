import Foundation
import Kernels
import TensorCore

/// One conv or transposed-conv layer of a generator, as the benchmark times it (batch 1).
struct ConvBenchLayer {
    enum Kind { case conv, transposed }
    var name: String
    var kind: Kind
    var inChannels: Int
    var outChannels: Int
    /// Input height = width (before any reflection padding).
    var size: Int
    var kernel: Int
    var stride: Int
    var padding: Int
    /// Reflection padding in front of the conv (`ReflectionPad2d` before an unpadded stride-1 conv): timed as the
    /// network runs it, through `reflectionPaddedConv2d`, padding included.
    var reflectionPadding = 0
    var outputPadding = 0
    var bias: Bool
    /// The network's first conv sees the image, which needs no gradient.
    var needsInputGrad = true
    /// How many identical layers the network has (the ResNet's 18 residual convs are timed once).
    var repeats = 1

    var outSize: Int {
        kind == .conv ? (size + 2 * (padding + reflectionPadding) - kernel) / stride + 1
            : (size - 1) * stride - 2 * padding + kernel + outputPadding
    }

    /// Multiply-adds × 2 of one GEMM pass (forward, backward-input and backward-weight each cost the same).
    var passFlops: Double {
        let k2 = Double(kernel * kernel), ci = Double(inChannels), co = Double(outChannels)
        return kind == .conv ? 2 * co * ci * k2 * Double(outSize * outSize)
            : 2 * ci * co * k2 * Double(size * size)
    }
    var forwardFlops: Double { passFlops }
    var trainingFlops: Double { passFlops * (needsInputGrad ? 3 : 2) }

    var label: String {
        let op = kind == .conv ? "conv" : "convT"
        let geometry = "k\(kernel)s\(stride)" + (reflectionPadding > 0 ? "r\(reflectionPadding)" : "p\(padding)")
            + (outputPadding > 0 ? "op\(outputPadding)" : "")
        let count = repeats > 1 ? " x\(repeats)" : ""
        return "\(name) \(op) \(geometry) \(inChannels)x\(size)² → \(outChannels)x\(outSize)²\(count)"
    }
}

/// The conv stack of the U-Net 256 generator (ngf 64, batch norm: only the outermost up-conv has a bias).
/// Up-convs after the innermost one see the skip concatenation, hence twice the channels.
func unet256ConvLayers(ngf: Int = 64) -> [ConvBenchLayer] {
    let down: [(Int, Int)] = [(3, ngf), (ngf, ngf * 2), (ngf * 2, ngf * 4), (ngf * 4, ngf * 8),
                              (ngf * 8, ngf * 8), (ngf * 8, ngf * 8), (ngf * 8, ngf * 8), (ngf * 8, ngf * 8)]
    var layers: [ConvBenchLayer] = []
    var size = 256
    for (i, (cin, cout)) in down.enumerated() {
        layers.append(ConvBenchLayer(name: "down\(i + 1)", kind: .conv, inChannels: cin, outChannels: cout, size: size,
                                     kernel: 4, stride: 2, padding: 1, bias: false, needsInputGrad: i > 0))
        size /= 2
    }
    for (i, (outer, inner)) in down.reversed().enumerated() {
        let cin = i == 0 ? inner : inner * 2
        layers.append(ConvBenchLayer(name: "up\(down.count - i)", kind: .transposed, inChannels: cin, outChannels: outer,
                                     size: size, kernel: 4, stride: 2, padding: 1, bias: i == down.count - 1))
        size *= 2
    }
    return layers
}

/// The conv stack of the ResNet-9 generator (ngf 64, instance norm: every conv has a bias).
/// Reflection-padded convs are listed with their reflection padding ("r3": `ReflectionPad2d(3)` before the conv).
func resnet9ConvLayers(ngf: Int = 64) -> [ConvBenchLayer] {
    [
        ConvBenchLayer(name: "stem", kind: .conv, inChannels: 3, outChannels: ngf, size: 256, kernel: 7, stride: 1,
                       padding: 0, reflectionPadding: 3, bias: true, needsInputGrad: false),
        ConvBenchLayer(name: "down1", kind: .conv, inChannels: ngf, outChannels: ngf * 2, size: 256, kernel: 3,
                       stride: 2, padding: 1, bias: true),
        ConvBenchLayer(name: "down2", kind: .conv, inChannels: ngf * 2, outChannels: ngf * 4, size: 128, kernel: 3,
                       stride: 2, padding: 1, bias: true),
        ConvBenchLayer(name: "res", kind: .conv, inChannels: ngf * 4, outChannels: ngf * 4, size: 64, kernel: 3,
                       stride: 1, padding: 0, reflectionPadding: 1, bias: true, repeats: 18),
        ConvBenchLayer(name: "up1", kind: .transposed, inChannels: ngf * 4, outChannels: ngf * 2, size: 64, kernel: 3,
                       stride: 2, padding: 1, outputPadding: 1, bias: true),
        ConvBenchLayer(name: "up2", kind: .transposed, inChannels: ngf * 2, outChannels: ngf, size: 128, kernel: 3,
                       stride: 2, padding: 1, outputPadding: 1, bias: true),
        ConvBenchLayer(name: "head", kind: .conv, inChannels: ngf, outChannels: 3, size: 256, kernel: 7, stride: 1,
                       padding: 0, reflectionPadding: 3, bias: true),
    ]
}

/// The residual-block convs of a ResNet generator on 128x128 images (32x32 inside the blocks), where Winograd
/// has few tiles per weight: ngf 64 (the CycleGAN 128 workload) and ngf 32.
func resnetResidualLayers128() -> [ConvBenchLayer] {
    [64, 32].map { ngf in
        ConvBenchLayer(name: "res128 ngf\(ngf)", kind: .conv, inChannels: ngf * 4, outChannels: ngf * 4, size: 32,
                       kernel: 3, stride: 1, padding: 0, reflectionPadding: 1, bias: true, repeats: 18)
    }
}

/// The conv stack of the PatchGAN discriminator (n_layers 3, ndf 64, batch norm: the first and last convs have
/// a bias) on `size`² images with `inChannels` channels (6 for pix2pix's image pairs, 3 for CycleGAN). Its 4x4
/// stride-1 conv is ~60% of the discriminator's FLOPs.
func patchGANConvLayers(size: Int, inChannels: Int, ndf: Int = 64) -> [ConvBenchLayer] {
    let tag = "D\(size)"
    var layers: [ConvBenchLayer] = []
    var s = size, cin = inChannels
    for (i, cout) in [ndf, ndf * 2, ndf * 4].enumerated() {
        layers.append(ConvBenchLayer(name: "\(tag) conv\(i + 1)", kind: .conv, inChannels: cin, outChannels: cout,
                                     size: s, kernel: 4, stride: 2, padding: 1, bias: i == 0, needsInputGrad: i > 0))
        s /= 2
        cin = cout
    }
    layers.append(ConvBenchLayer(name: "\(tag) conv4", kind: .conv, inChannels: cin, outChannels: ndf * 8, size: s,
                                 kernel: 4, stride: 1, padding: 1, bias: false))
    layers.append(ConvBenchLayer(name: "\(tag) conv5", kind: .conv, inChannels: ndf * 8, outChannels: 1, size: s - 1,
                                 kernel: 4, stride: 1, padding: 1, bias: true))
    return layers
}

/// Which clock the benchmark reads: wall time, or the process's CPU time (a steadier figure on a busy machine
/// when run with `--threads 1`, since waiting for a core is not counted).
nonisolated(unsafe) var benchUsesCPUClock = false

func benchClockSeconds() -> Double {
    var ts = timespec()
    clock_gettime(benchUsesCPUClock ? CLOCK_PROCESS_CPUTIME_ID : CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

/// Median seconds of `runs` calls of `body` after one warm-up call.
func medianSeconds(runs: Int, _ body: () -> Void) -> Double {
    body()
    var times: [Double] = []
    for _ in 0..<max(1, runs) {
        let t0 = benchClockSeconds()
        body()
        times.append(benchClockSeconds() - t0)
    }
    times.sort()
    return times.count % 2 == 1 ? times[times.count / 2] : (times[times.count / 2 - 1] + times[times.count / 2]) / 2
}

struct ConvBenchResult {
    var layer: ConvBenchLayer
    var forwardSeconds: Double
    var trainingSeconds: Double
}

/// Times one layer through the TensorCore ops, as training runs it: forward with the graph recorded, then
/// forward + backward with a random output gradient. `frozen`: the forward pass keeps its Winograd weight
/// transforms between runs, as a converting network does (the forward + backward timing never does).
func benchConvLayer(_ layer: ConvBenchLayer, runs: Int, frozen: Bool = false) -> ConvBenchResult {
    // Uniform values: cheaper to draw than normal ones, and the timing does not depend on the values.
    var rng = RNG(seed: 1)
    let x = Tensor.uniform([1, layer.inChannels, layer.size, layer.size], -1, 1, rng: &rng,
                           requiresGrad: layer.needsInputGrad)
    let wShape: Shape = layer.kind == .conv ? [layer.outChannels, layer.inChannels, layer.kernel, layer.kernel]
        : [layer.inChannels, layer.outChannels, layer.kernel, layer.kernel]
    let w = Tensor.uniform(wShape, -0.03, 0.03, rng: &rng, requiresGrad: true)
    let b: Tensor? = layer.bias ? Tensor(zeros: [layer.outChannels], requiresGrad: true) : nil
    let kept = frozen ? WinogradWeights() : nil
    func forward(_ winogradWeights: WinogradWeights? = nil) -> Tensor {
        if layer.reflectionPadding > 0 {
            return reflectionPaddedConv2d(x, padding: layer.reflectionPadding, weight: w, bias: b,
                                          winogradWeights: winogradWeights)
        }
        return layer.kind == .conv
            ? conv2d(x, weight: w, bias: b, stride: layer.stride, padding: layer.padding,
                     winogradWeights: winogradWeights)
            : convTranspose2d(x, weight: w, bias: b, stride: layer.stride, padding: layer.padding,
                              outputPadding: layer.outputPadding, winogradWeights: winogradWeights)
    }
    let gradOut = Tensor.uniform([1, layer.outChannels, layer.outSize, layer.outSize], -1, 1, rng: &rng)
    let fwd = medianSeconds(runs: runs) { _ = forward(kept) }
    let train = medianSeconds(runs: runs) { forward().backward(gradient: gradOut) }
    return ConvBenchResult(layer: layer, forwardSeconds: fwd, trainingSeconds: train)
}

/// Prints one network's table: per layer GFLOP, time, GFLOP/s and efficiency (achieved / sgemm peak), forward
/// and forward+backward, and a total line for the whole stack (repeated layers counted `repeats` times).
func printConvBench(title: String, layers: [ConvBenchLayer], peak: Double, runs: Int, frozen: Bool = false) {
    if layers.isEmpty { return }
    print("\n\(title)")
    let header = "layer".padding(toLength: 42, withPad: " ", startingAt: 0)
        + "   fwd GFLOP     ms  GFLOP/s   eff │ f+b GFLOP     ms  GFLOP/s   eff"
    print(header)
    print(String(repeating: "─", count: header.count))
    var totalF = 0.0, totalFS = 0.0, totalT = 0.0, totalTS = 0.0
    for layer in layers {
        let r = benchConvLayer(layer, runs: runs, frozen: frozen)
        let n = Double(layer.repeats)
        totalF += layer.forwardFlops * n; totalFS += r.forwardSeconds * n
        totalT += layer.trainingFlops * n; totalTS += r.trainingSeconds * n
        print(benchRow(layer.label, layer.forwardFlops, r.forwardSeconds, layer.trainingFlops, r.trainingSeconds, peak))
    }
    print(String(repeating: "─", count: header.count))
    print(benchRow("total conv stack", totalF, totalFS, totalT, totalTS, peak))
}

private func benchRow(_ label: String, _ fFlops: Double, _ fSec: Double, _ tFlops: Double, _ tSec: Double,
                      _ peak: Double) -> String {
    let fRate = fFlops / fSec / 1e9, tRate = tFlops / tSec / 1e9
    return label.padding(toLength: 42, withPad: " ", startingAt: 0)
        + String(format: " %11.3f %6.1f %8.1f %4.0f%% │ %9.3f %6.1f %8.1f %4.0f%%",
                 fFlops / 1e9, fSec * 1e3, fRate, 100 * fRate / peak,
                 tFlops / 1e9, tSec * 1e3, tRate, 100 * tRate / peak)
}
