import ArgumentParser
import Foundation
import Kernels
import TensorCore

/// `translate bench`: speed figures as ratios to this machine's sgemm peak, measured in the same process.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure sgemm peak and kernel speed on this machine.",
        discussion: """
        Absolute times drift between machines and within an hour on shared ones, so every figure is \
        also printed as efficiency = achieved GFLOP/s / sgemm GFLOP/s measured in the same run.
        """)

    @Option(help: "Threads for OpenBLAS and our own loops (default: all cores).")
    var threads: Int?

    @Option(help: "Timed runs per layer (the median is reported, after one warm-up run).")
    var runs: Int = 5

    @Flag(help: "Only measure the sgemm peak.")
    var sgemmOnly = false

    @Flag(help: "Time by process CPU time instead of wall time (steadier on a busy machine; use with --threads 1).")
    var cpuClock = false

    @Flag(help: "Time the forward passes with kept Winograd weight transforms, as `translate convert` runs them (forward + backward: as training runs them, either way).")
    var frozen = false

    @Option(help: "Only the layers whose label contains this text.")
    var layer: String?

    @Option(help: ArgumentHelp("Pixel count up to which convs use streaming weight products (0: plain GEMM).",
                               visibility: .hidden))
    var skinnyColumns: Int?

    @Option(help: ArgumentHelp("Pixel count up to which convs use the AVX-512 narrow products (0: OpenBLAS and the streaming products only).",
                               visibility: .hidden))
    var narrowColumns: Int?

    @Option(help: ArgumentHelp("Variant of the C vector kernels (streaming products, Winograd input rows): 2 AVX-512, 1 AVX2, 0 portable Swift (default: the widest this CPU runs).",
                               visibility: .hidden))
    var vectorLevel: Int?

    @Option(help: ArgumentHelp("Column count up to which transposed-weight products are computed transposed (0: never).",
                               visibility: .hidden))
    var transposedColumns: Int?

    @Option(help: ArgumentHelp("Floats of im2col columns built per band.", visibility: .hidden))
    var bandFloats: Int?

    @Option(help: ArgumentHelp("Floats of Winograd-transformed tiles per band.", visibility: .hidden))
    var winogradBand: Int?

    @Option(help: "How convolutions are lowered: automatic, columns (im2col + GEMM), winograd (3x3 and 4x4 stride-1 convs; 4x4 stride-2 convs and up-convs), tap-planes.")
    var lowering: String = "automatic"

    func run() throws {
        if let threads { setBLASThreads(threads); kernelThreadCount = threads }
        benchUsesCPUClock = cpuClock
        if let skinnyColumns { skinnyGemmMaxColumns = skinnyColumns }
        if let narrowColumns { narrowGemmMaxColumns = narrowColumns }
        if let vectorLevel { vectorKernelLevel = min(vectorLevel, vectorKernelLevel) }
        if let transposedColumns { transposedProductMaxColumns = transposedColumns }
        if let bandFloats { im2colChunkFloats = bandFloats }
        if let winogradBand { winogradBandFloats = winogradBand }
        switch lowering {
        case "automatic": conv2dLowering = .automatic
        case "columns": conv2dLowering = .columns
        case "winograd": conv2dLowering = .winograd
        case "tap-planes": conv2dLowering = .tapPlanes
        default: throw ValidationError("--lowering must be automatic, columns, winograd or tap-planes, not '\(lowering)'")
        }
        let peak = measureSgemmPeak()
        print(sgemmPeakLine(peak))
        if sgemmOnly { return }
        print("Conv layers at batch 1; eff = GFLOP/s / sgemm peak; f+b = forward + backward (input, weight, bias).")
        let selected = { (layers: [ConvBenchLayer]) in layers.filter { layer == nil || $0.label.contains(layer!) } }
        printConvBench(title: "U-Net 256 generator (ngf 64, 256x256)", layers: selected(unet256ConvLayers()),
                       peak: peak, runs: runs, frozen: frozen)
        printConvBench(title: "ResNet-9 generator (ngf 64, 256x256)", layers: selected(resnet9ConvLayers()),
                       peak: peak, runs: runs, frozen: frozen)
        printConvBench(title: "ResNet residual convs at 128x128 (ngf 64 and 32)",
                       layers: selected(resnetResidualLayers128()), peak: peak, runs: runs, frozen: frozen)
        printConvBench(title: "PatchGAN discriminator (ndf 64, n_layers 3) on pix2pix pairs at 256x256 and 128x128",
                       layers: selected(patchGANConvLayers(size: 256, inChannels: 6)
                                        + patchGANConvLayers(size: 128, inChannels: 6)), peak: peak, runs: runs, frozen: frozen)
    }
}

/// "sgemm peak: … GFLOP/s (threads, OpenBLAS kernels)", the first line of both benchmarks.
func sgemmPeakLine(_ peak: Double) -> String {
    var kernels = "OpenBLAS \(blasCoreName()) kernels"
    if case .upgraded(let from, _) = blasKernelChoice { kernels += ", chosen by translate over OpenBLAS's \(from)" }
    return String(format: "sgemm peak: %.1f GFLOP/s (%d threads, %@)", peak, blasThreads(), kernels)
}

/// Best-of-several GFLOP/s of a large square sgemm: the machine's practical GEMM ceiling.
func measureSgemmPeak(size: Int = 1536, repeats: Int = 5) -> Double {
    let n = size
    // Tensor storage, like a step's activations: a probe between two steps reuses their free space instead of
    // adding 12-28 MB of heap to the workload's peak RSS.
    let storages = (0..<3).map { _ in Storage(uninitializedCount: n * n) }
    var best = Double.infinity
    withExtendedLifetime(storages) {
        let a = storages[0].pointer, b = storages[1].pointer, c = storages[2].pointer
        for i in 0..<(n * n) { a[i] = Float(i % 7) * 0.1; b[i] = Float(i % 5) * 0.1; c[i] = 0 }
        sgemm(m: n, n: n, k: n, a: a, lda: n, b: b, ldb: n, c: c, ldc: n)  // warm-up
        for _ in 0..<repeats {
            let t0 = benchClockSeconds()
            sgemm(m: n, n: n, k: n, a: a, lda: n, b: b, ldb: n, c: c, ldc: n)
            best = min(best, benchClockSeconds() - t0)
        }
    }
    return 2 * Double(n) * Double(n) * Double(n) / best / 1e9
}
