import ArgumentParser
import Foundation
import Kernels
import Models
import TensorCore
import Training

/// `translate bench-workloads`: whole training steps and inference on synthetic data, each as a ratio to the
/// sgemm peak measured in the same run (issue 7's table). Each workload runs in a child process (this binary,
/// re-executed with `--only`) so that its peak RSS is its own and one workload's heap does not slow the next.
struct WorkloadBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-workloads",
        abstract: "Time pix2pix/CycleGAN training steps and inference against the sgemm peak.",
        discussion: """
        Every workload runs in its own child process: warm-up step(s), then the median of --steps timed \
        steps (wall clock), and the child's peak RSS (VmHWM). Conv GFLOP are counted from the networks' \
        conv shapes, passes that actually run: forward, input gradient (skipped for a network's first conv \
        when its input is an image) and weight gradient (only for networks being trained in that pass). \
        eff = (GFLOP / seconds) / the sgemm GFLOP/s measured at the start. paired = the median over steps \
        of each step's GFLOP/s divided by the mean of two short sgemm probes taken right before and right \
        after that step: on a machine whose speed drifts (shared hosts), this is the figure to compare.
        """)

    @Option(help: "Timed steps per workload (median reported; at least 1).")
    var steps: Int = 5

    @Flag(help: "Fewer steps for the slow CycleGAN 256 workload (3 instead of --steps) and 1 warm-up everywhere.")
    var quick = false

    @Option(help: "Threads for OpenBLAS and our own loops (default: all cores).")
    var threads: Int?

    @Flag(help: ArgumentHelp("Print one JSON object instead of the table.", discussion: """
        Keys: sgemm_gflops, blas_core (the OpenBLAS kernels that ran), blas_core_openblas_pick (only when \
        translate replaced OpenBLAS's fallback for an unrecognised CPU), low_memory (--low-memory), and \
        workloads: a list of objects with \
        name, seconds, gflop, efficiency, paired_efficiency and peak_rss_bytes.
        """))
    var json = false

    @Option(help: "Run only the workloads whose name contains this text (comma-separated list allowed).")
    var filter: String?

    @Flag(name: .customLong("low-memory"),
          help: "Train as `translate train --low-memory` does: no kept Winograd weight transforms (slower, less memory).")
    var lowMemory = false

    /// Internal: run exactly this workload in this process and print its result line (used by the parent).
    @Option(help: .hidden)
    var only: String?

    func run() throws {
        if let threads { setBLASThreads(threads); kernelThreadCount = threads }
        if let only {
            guard let workload = Workload.all(lowMemory: lowMemory).first(where: { $0.name == only }) else {
                throw ValidationError("unknown workload '\(only)'")
            }
            let (seconds, paired) = try workload.measure(steps: stepsFor(workload), warmups: quick ? 1 : 2)
            print("RESULT \(seconds) \(peakResidentBytes()) \(paired)")
            return
        }
        let peak = measureSgemmPeak()
        let load = loadAverage()
        if !json {
            print(sgemmPeakLine(peak) + String(format: ", load average %.2f", load))
            print("eff = GFLOP/s / sgemm peak above; paired = median over steps of each step's GFLOP/s / sgemm probes around it")
            print("workload                        seconds     GFLOP  GFLOP/s    eff paired   peak RSS")
        }
        var rows: [[String: Any]] = []
        let filters = filter?.split(separator: ",").map(String.init)
        for workload in Workload.all(lowMemory: lowMemory) where filters == nil || filters!.contains(where: { workload.name.contains($0) }) {
            let (seconds, rss, paired) = try runChild(workload)
            let gflop = workload.gflop
            let efficiency = gflop / seconds / peak
            rows.append(["name": workload.name, "seconds": seconds, "gflop": gflop, "efficiency": efficiency,
                         "paired_efficiency": paired, "peak_rss_bytes": rss])
            if !json {
                print(workload.name.padding(toLength: 30, withPad: " ", startingAt: 0)
                      + String(format: " %8.3f %9.1f %8.1f %5.1f%% %5.1f%% %7.2f GB", seconds, gflop, gflop / seconds,
                               100 * efficiency, 100 * paired, Double(rss) / 1e9))
                fflush(nil)
            }
        }
        if json {
            var object: [String: Any] = ["sgemm_gflops": peak, "blas_core": blasCoreName(), "low_memory": lowMemory,
                                         "workloads": rows]
            // The kernels OpenBLAS picked by itself, when translate replaced its fallback pick (BLASKernels.swift).
            if case .upgraded(let from, _) = blasKernelChoice { object["blas_core_openblas_pick"] = from }
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        }
    }

    private func stepsFor(_ workload: Workload) -> Int {
        max(1, quick && workload.name == "cyclegan_resnet9_256_train" ? min(3, steps) : steps)
    }

    /// Re-executes this binary for one workload; returns its median seconds, peak RSS in bytes and its paired
    /// efficiency.
    private func runChild(_ workload: Workload) throws -> (Double, Int, Double) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var arguments = ["bench-workloads", "--only", workload.name, "--steps", String(steps)]
        if quick { arguments.append("--quick") }
        if lowMemory { arguments.append("--low-memory") }
        if let threads { arguments += ["--threads", String(threads)] }
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0,
              let line = output.split(separator: "\n").last(where: { $0.hasPrefix("RESULT ") }) else {
            throw CLIError.failure("workload \(workload.name) failed (exit \(process.terminationStatus))")
        }
        let fields = line.split(separator: " ")
        guard fields.count >= 4 else { throw CLIError.failure("workload \(workload.name): unreadable result '\(line)'") }
        return (Double(fields[1]) ?? .nan, Int(fields[2]) ?? 0, Double(fields[3]) ?? .nan)
    }
}

/// One benchmarked workload: builds its trainer or generator once, then times `body`.
struct Workload {
    var name: String
    /// Conv GFLOP of one step / one image.
    var gflop: Double
    var prepare: () throws -> () -> Void

    /// Median wall seconds of `steps` calls after `warmups` untimed ones, and the median of each step's
    /// GFLOP/s over the mean of the sgemm probes taken just before and just after it.
    func measure(steps: Int, warmups: Int) throws -> (seconds: Double, pairedEfficiency: Double) {
        let body = try prepare()
        for _ in 0..<warmups { body() }
        var times: [Double] = [], ratios: [Double] = []
        var probeBefore = measureSgemmPeak(size: 1024, repeats: 2)
        for _ in 0..<steps {
            let t0 = monotonicSeconds()
            body()
            let seconds = monotonicSeconds() - t0
            let probeAfter = measureSgemmPeak(size: 1024, repeats: 2)
            times.append(seconds)
            ratios.append(gflop / seconds / ((probeBefore + probeAfter) / 2))
            probeBefore = probeAfter
        }
        return (median(times), median(ratios))
    }

    private func median(_ values: [Double]) -> Double {
        let v = values.sorted()
        return v.count % 2 == 1 ? v[v.count / 2] : (v[v.count / 2 - 1] + v[v.count / 2]) / 2
    }

    static func all(lowMemory: Bool) -> [Workload] { [
        pix2pix(name: "pix2pix_unet256_train", netG: "unet_256", size: 256, lowMemory: lowMemory),
        pix2pix(name: "pix2pix_unet128_train", netG: "unet_128", size: 128, lowMemory: lowMemory),
        cycleGAN(name: "cyclegan_resnet9_256_train", size: 256, lowMemory: lowMemory),
        cycleGAN(name: "cyclegan_resnet9_128_train", size: 128, lowMemory: lowMemory),
        inference(name: "unet256_infer", options: TrainOptions.defaults(for: .pix2pix), size: 256),
        inference(name: "resnet9_infer", options: TrainOptions.defaults(for: .cycleGAN), size: 256),
    ] }

    static func pix2pix(name: String, netG: String, size: Int, lowMemory: Bool) -> Workload {
        var o = TrainOptions.defaults(for: .pix2pix)
        o.netG = netG
        let g = generatorSpec(o), d = discriminatorSpec(o, inputNc: o.inputNc + o.outputNc)
        let cg = ConvCost(g, size: size), cd = ConvCost(d, size: size)
        // G(A) once, trained (input is an image); D on the detached fake pair and on the real pair (weights
        // trained, inputs are images); D on the fake pair for G (weights frozen, gradient flows to G).
        let flops = cg.pass(weightGrad: true, inputGrad: true, inputIsImage: true)
            + 2 * cd.pass(weightGrad: true, inputGrad: true, inputIsImage: true)
            + cd.pass(weightGrad: false, inputGrad: true, inputIsImage: false)
        return Workload(name: name, gflop: flops / 1e9) {
            var rng = RNG(seed: 1)
            let trainer = Pix2PixTrainer(netG: try makeNetwork(g, rng: &rng), netD: try makeNetwork(d, rng: &rng),
                                         ganMode: o.ganMode, lambdaL1: o.lambdaL1, lr: o.lr, beta1: o.beta1)
            if lowMemory { trainer.keepNoWeightTransforms() }
            let a = Tensor.uniform([1, 3, size, size], -1, 1, rng: &rng)
            let b = Tensor.uniform([1, 3, size, size], -1, 1, rng: &rng)
            return { trainer.step(realA: a, realB: b) }
        }
    }

    static func cycleGAN(name: String, size: Int, lowMemory: Bool) -> Workload {
        let o = TrainOptions.defaults(for: .cycleGAN)
        let g = generatorSpec(o), d = discriminatorSpec(o, inputNc: o.outputNc)
        let cg = ConvCost(g, size: size), cd = ConvCost(d, size: size)
        // G step: G_A(A), G_B(B), identity G_A(B), G_B(A) see images; G_B(G_A(A)), G_A(G_B(B)) see fakes;
        // D_A(fake B), D_B(fake A) frozen with gradient to the G's. D step: each D on a real and a pooled
        // (detached) fake, weights trained.
        let flops = 4 * cg.pass(weightGrad: true, inputGrad: true, inputIsImage: true)
            + 2 * cg.pass(weightGrad: true, inputGrad: true, inputIsImage: false)
            + 2 * cd.pass(weightGrad: false, inputGrad: true, inputIsImage: false)
            + 4 * cd.pass(weightGrad: true, inputGrad: true, inputIsImage: true)
        return Workload(name: name, gflop: flops / 1e9) {
            var rng = RNG(seed: 1)
            let nets = try [g, g, d, d].map { try makeNetwork($0, rng: &rng) }
            let trainer = CycleGANTrainer(netGA: nets[0], netGB: nets[1], netDA: nets[2], netDB: nets[3],
                                          ganMode: o.ganMode, lambdaA: o.lambdaA, lambdaB: o.lambdaB,
                                          lambdaIdentity: o.lambdaIdentity, poolSize: o.poolSize, lr: o.lr,
                                          beta1: o.beta1)
            if lowMemory { trainer.keepNoWeightTransforms() }
            let a = Tensor.uniform([1, 3, size, size], -1, 1, rng: &rng)
            let b = Tensor.uniform([1, 3, size, size], -1, 1, rng: &rng)
            return { trainer.step(realA: a, realB: b) }
        }
    }

    static func inference(name: String, options o: TrainOptions, size: Int) -> Workload {
        let g = generatorSpec(o)
        let flops = ConvCost(g, size: size).forward
        return Workload(name: name, gflop: flops / 1e9) {
            var rng = RNG(seed: 1)
            let net = try makeNetwork(g, rng: &rng)
            net.eval()
            net.module.freezeWeights()  // as ImageTranslator does
            let x = Tensor.uniform([1, 3, size, size], -1, 1, rng: &rng)
            return { _ = withNoGrad { net(x) } }
        }
    }

    static func generatorSpec(_ o: TrainOptions) -> ModelSpec {
        .generator(o.netG, inputNc: o.inputNc, outputNc: o.outputNc, ngf: o.ngf,
                   norm: NormKind(rawValue: o.norm) ?? .batch, dropout: !o.noDropout)
    }

    static func discriminatorSpec(_ o: TrainOptions, inputNc: Int) -> ModelSpec {
        .discriminator(o.netD, inputNc: inputNc, ndf: o.ndf, norm: NormKind(rawValue: o.norm) ?? .batch)
    }
}

/// Conv FLOPs (2 · multiply-adds) of one network call at batch 1, from the architecture's conv shapes:
/// conv 2·Cout·Cin·kh·kw·Hout·Wout, transposed conv 2·Cin·Cout·kh·kw·Hin·Win. Each backward pass (input
/// gradient, weight gradient) costs the same as the forward of that layer.
struct ConvCost {
    /// All convs of one forward.
    var forward: Double = 0
    /// The first conv alone (its input gradient is skipped when the input is an image).
    var first: Double = 0

    init(_ spec: ModelSpec, size: Int) {
        var layers: [Double] = []
        let f = spec.filters
        switch (try? spec.architecture()) ?? .pixel {
        case .unet(let downs):
            let channels = [spec.inputNc] + (0..<downs).map { f * min(1 << $0, 8) }
            var s = size
            for i in 0..<downs {
                s /= 2
                layers.append(2 * Double(channels[i + 1] * channels[i] * 16 * s * s))
            }
            for i in (0..<downs).reversed() {
                let cin = i == downs - 1 ? channels[i + 1] : channels[i + 1] * 2
                let cout = i > 0 ? channels[i] : spec.outputNc
                layers.append(2 * Double(cin * cout * 16 * s * s))
                s *= 2
            }
        case .resnet(let blocks):
            let s2 = size / 2, s4 = size / 4
            layers.append(2 * Double(f * spec.inputNc * 49 * size * size))
            layers.append(2 * Double(2 * f * f * 9 * s2 * s2))
            layers.append(2 * Double(4 * f * 2 * f * 9 * s4 * s4))
            for _ in 0..<(2 * blocks) { layers.append(2 * Double(16 * f * f * 9 * s4 * s4)) }
            layers.append(2 * Double(4 * f * 2 * f * 9 * s4 * s4))  // transposed: Cin·Cout·9·Hin·Win
            layers.append(2 * Double(2 * f * f * 9 * s2 * s2))
            layers.append(2 * Double(spec.outputNc * f * 49 * size * size))
        case .nLayers(let n):
            var s = size, cin = spec.inputNc
            for i in 0..<n {  // k4 s2 p1
                let cout = f * min(1 << i, 8)
                s /= 2
                layers.append(2 * Double(cout * cin * 16 * s * s))
                cin = cout
            }
            let cout = f * min(1 << n, 8)
            s -= 1  // k4 s1 p1
            layers.append(2 * Double(cout * cin * 16 * s * s))
            s -= 1
            layers.append(2 * Double(cout * 16 * s * s))
        case .pixel:
            layers.append(2 * Double(f * spec.inputNc * size * size))
            layers.append(2 * Double(2 * f * f * size * size))
            layers.append(2 * Double(2 * f * size * size))
        }
        forward = layers.reduce(0, +)
        first = layers.first ?? 0
    }

    func pass(weightGrad: Bool, inputGrad: Bool, inputIsImage: Bool) -> Double {
        forward + (weightGrad ? forward : 0) + (inputGrad ? forward - (inputIsImage ? first : 0) : 0)
    }
}

private func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

/// This process's peak resident set (VmHWM), in bytes.
func peakResidentBytes() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        let kb = line.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        return kb * 1024
    }
    return 0
}

private func loadAverage() -> Double {
    var loads = [Double](repeating: 0, count: 3)
    return getloadavg(&loads, 3) > 0 ? loads[0] : -1
}
