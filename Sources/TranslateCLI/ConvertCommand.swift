import ArgumentParser
import Conversion
import Foundation
import Kernels

/// `translate convert`: a trained generator over files, folders, or a shell pipeline.
struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Translate images with a trained generator: files, folders (recursive) or a shell pipeline.",
        discussion: """
        MODEL is one of our checkpoints (the architecture is in its metadata), a run folder \
        (checkpoints/<name>: latest_net_G, or G_A / G_B of a CycleGAN chosen with --generator or \
        --direction), or a PyTorch state dict saved as safetensors (give the reference's flags --netG, \
        --norm, --ngf, --no-dropout, --input-nc, --output-nc where the tensor names cannot tell).

        Outputs: OUTDIR keeps the folder structure below each INPUT folder and the base names \
        (a/b/c.jpg -> OUTDIR/a/b/c<suffix>.png). A file argument gives OUTDIR/<name>.png. Paths read \
        from stdin keep their path as listed (photos/x.jpg -> OUTDIR/photos/x.png). Every image is \
        converted (no limit of 50). Files are written atomically; an output that is an input file is \
        refused. stdout carries only data: one output path per converted image, or the image itself \
        with -o -. Everything else goes to stderr as "path: reason".

        Sizes (--preprocess): 'none' (default) takes any size: a U-Net needs sides divisible by \
        2^num_downs (256 for unet_256, 128 for unet_128) and a ResNet generator by 4, so the image is \
        reflect-padded up to that (mirrored again and again if the image is smaller than the pad, e.g. \
        100 px for unet_256) and the result cropped back to the input's size. 'resize' scales to \
        --load-size x --load-size like the reference's test (then back to the input size with \
        --keep-size); 'scale_width' scales the width to --load-size keeping the aspect ratio.

        Mode: like the reference's test.py, the network runs in training mode by default: BatchNorm \
        uses each image's own statistics and dropout is on (seeded with --seed per image, so results do \
        not depend on order or sharding). --eval uses running statistics and no dropout. CycleGAN \
        models (instance norm, no dropout) give the same result either way.

        stdin: '-' as INPUT reads newline-separated paths (NUL-separated with --null, for find \
        -print0); with -o - it reads one image instead (any format; --stdin list|image overrides).

        Exit status: 0 all converted (or skipped), 1 some failed (a summary line counts them), \
        2 usage error, 130 interrupted (rerun with --skip-existing to resume).

        Examples:
          translate convert -m checkpoints/facades photos/ -o out/
          translate convert -m checkpoints/h2z --direction BtoA zebras/ -o horses/ --format jpg
          find photos -name '*.jpg' -print0 | translate convert -m g.safetensors - --null -o out/
          translate convert -m g.safetensors - -o - < in.jpg > out.png
          translate convert -m g.safetensors photos/ -o out/ --shard 2/4 --skip-existing
        """)

    @Option(name: [.short, .long], help: "Checkpoint file, run folder, or PyTorch state dict (.safetensors).")
    var model: String

    @Argument(help: "Image files and folders; - reads paths (or one image, see --stdin) from stdin.")
    var inputs: [String] = []

    @Option(name: [.short, .long], help: "Output folder (created if needed), or - for stdout (one image).")
    var output: String

    @Option(help: "Output format: png or jpg.") var format = "png"
    @Option(help: "JPEG quality 1...100.") var quality = 95
    @Option(help: "Text added to each output's base name (e.g. _fake).") var suffix = ""

    // Model selection and architecture.
    @Option(help: "Run folder: G (pix2pix), G_A or G_B (CycleGAN).") var generator: String?
    @Option(help: "Run folder: AtoB (G_A) or BtoA (G_B).") var direction: String?
    @Option(help: "Run folder: latest or an epoch number.") var epoch = "latest"
    @Option(name: .customLong("netG"), help: "PyTorch file: unet_256 | unet_128 | resnet_9blocks | resnet_6blocks") var netG: String?
    @Option(help: "PyTorch file: batch | instance | none") var norm: String?
    @Option(help: "PyTorch file: generator filters (64).") var ngf: Int?
    @Flag(name: .customLong("no-dropout"), help: "The generator has no dropout.") var noDropout = false
    @Option(name: .customLong("input-nc"), help: "Input channels: 3 (RGB) or 1 (gray).") var inputNc: Int?
    @Option(name: .customLong("output-nc"), help: "Output channels: 3 (RGB) or 1 (gray).") var outputNc: Int?

    // Sizes.
    @Option(help: "none (any size: reflect-pad, crop back) | resize | scale_width") var preprocess = "none"
    @Option(name: .customLong("load-size"), help: "Size for resize / width for scale_width.") var loadSize = 256
    @Flag(name: .customLong("keep-size"), help: "With resize / scale_width: resize the result back to the input's size.") var keepSize = false
    @Option(name: .customLong("max-pixels"), help: "Largest network input (padded width x height) accepted.") var maxPixels = 4096 * 4096

    // Mode.
    @Flag(help: "Running statistics, no dropout (deterministic).") var eval = false
    @Option(help: "Seed of the dropout masks in the default mode.") var seed: UInt64 = 0

    // Pipeline.
    @Flag(help: "Paths on stdin are NUL-separated (find -print0).") var null = false
    @Option(name: .customLong("stdin"), help: "What '-' reads: list (paths) or image (default: image with -o -, else list).") var stdinMode: String?
    @Flag(name: .customLong("skip-existing"), help: "Leave outputs that already exist (resume a run).") var skipExisting = false
    @Option(help: "Convert only slice I of N (1-based: item k goes to slice k mod N + 1).") var shard: String?
    @Flag(name: .customLong("no-overlap"), help: "Decode, compute and encode one after the other on one thread.") var noOverlap = false
    @Option(help: "Threads for the math (default: all cores).") var threads: Int?
    @Flag(help: "No notes, and no summary line when everything succeeded (errors are always printed).") var quiet = false

    func validate() throws {
        guard OutputFormat(name: format) != nil else { throw ValidationError("--format must be png or jpg, not '\(format)'") }
        guard (1...100).contains(quality) else { throw ValidationError("--quality must be in 1...100, got \(quality)") }
        guard SizeMode(rawValue: preprocess) != nil else {
            throw ValidationError("--preprocess must be none, resize or scale_width, not '\(preprocess)'")
        }
        guard loadSize >= 1 && loadSize <= 16384 else { throw ValidationError("--load-size must be in 1...16384, got \(loadSize)") }
        guard maxPixels >= 1 else { throw ValidationError("--max-pixels must be positive") }
        if let direction, Direction(rawValue: direction) == nil {
            throw ValidationError("--direction must be AtoB or BtoA, not '\(direction)'")
        }
        if let norm, NormKind(rawValue: norm) == nil { throw ValidationError("--norm must be batch, instance or none, not '\(norm)'") }
        if let stdinMode, !["list", "image"].contains(stdinMode) {
            throw ValidationError("--stdin must be list or image, not '\(stdinMode)'")
        }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        if inputs.isEmpty { throw ValidationError("give image files, folders, or - (paths or an image on stdin)") }
        if let shard { do { _ = try Shard(parsing: shard) } catch { throw ValidationError("\(error)") } }
        if suffix.contains("/") { throw ValidationError("--suffix cannot contain '/'") }
    }

    func run() throws {
        if let threads { setBLASThreads(threads); kernelThreadCount = threads }
        let toStdout = output == "-"
        let stdinIsImage = inputs.contains("-") && (stdinMode.map { $0 == "image" } ?? toStdout)
        if stdinIsImage && inputs != ["-"] {
            throw CLIError.usage("translate convert: an image on stdin must be the only input (got \(inputs.count) inputs)")
        }
        if toStdout && isatty(STDOUT_FILENO) != 0 {
            throw CLIError.usage("translate convert: refusing to write image bytes to a terminal; redirect stdout (> out.png) or give -o DIR")
        }

        // Inputs and plan (before the model loads, so usage errors come fast).
        let list: InputList
        if stdinIsImage {
            list = InputList(items: [ConversionItem(input: "-", relative: "stdin")])
        } else {
            list = InputListing.collect(arguments: inputs) {
                InputListing.parsePathList(Array(FileHandle.standardInput.readDataToEndOfFile()), nulSeparated: null)
            }
        }
        if !quiet { for note in list.notes { printError("\(note), skipped") } }
        let outputFormat = OutputFormat(name: format)!
        if !toStdout {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: output, isDirectory: &isDirectory) && !isDirectory.boolValue {
                throw CLIError.usage("\(output): exists and is not a folder (-o takes an output folder, or - for stdout)")
            }
        }
        let planner = OutputPlanner(target: toStdout ? .stdout : .folder(output), format: outputFormat, suffix: suffix,
                                    skipExisting: skipExisting, shard: try shard.map { try Shard(parsing: $0) })
        let plan = planner.plan(list.items)
        if toStdout && list.items.count != 1 {
            throw CLIError.usage("translate convert: -o - writes one image to stdout, but the inputs hold \(list.items.count) images")
        }
        if list.items.isEmpty {
            throw CLIError.usage("translate convert: no images found in \(inputs.joined(separator: " "))")
        }

        // Model.
        let modelOptions = ModelOptions(netG: netG, norm: norm.flatMap(NormKind.init(rawValue:)), ngf: ngf,
                                        noDropout: noDropout ? true : nil, inputNc: inputNc, outputNc: outputNc,
                                        generator: generator, direction: direction.flatMap(Direction.init(rawValue:)),
                                        epoch: epoch)
        let converter: Converter
        do {
            let loaded = try GeneratorLoader.load(model, options: modelOptions)
            if !quiet { for note in loaded.notes { printError("\(loaded.file): \(note)") } }
            let translator = try ImageTranslator(network: loaded.network, evaluationMode: eval, seed: seed)
            let settings = ConversionSettings(size: SizeMode(rawValue: preprocess)!, loadSize: loadSize, keepSize: keepSize,
                                              format: outputFormat, encode: EncodeOptions(jpegQuality: quality),
                                              maxInputPixels: maxPixels, overlap: !noOverlap)
            converter = Converter(translator: translator, settings: settings)
        } catch let error as ConversionError {
            throw error.isUsage ? CLIError.usage(error.description) : CLIError.failure(error.description)
        } catch {
            throw CLIError.failure("\(model): \(error)")
        }

        // Run.
        let interactive = isatty(STDERR_FILENO) != 0
        let bar = interactive ? ProgressBar(label: "convert") : nil
        var drawn = false
        StopSignal.install()
        let summary = converter.run(plan, shouldStop: { StopSignal.requested }) { event, progress in
            if drawn { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)); drawn = false }
            switch event {
            case .converted(_, let path):
                if let path { FileHandle.standardOutput.write(Data((path + "\n").utf8)) }
            case .failed(let item, let reason):
                printError("\(item.item.input == "-" ? "<stdin>" : item.item.input): \(reason)")
            case .skipped:
                break
            }
            if let bar {
                let perImage = progress.converted > 0 ? progress.seconds / Double(progress.converted) : 0
                bar.update(prefix: "convert", done: progress.done, total: progress.total, secondsPerItem: perImage,
                           suffix: String(format: "%.2f images/s", progress.imagesPerSecond))
                drawn = true
            }
        }
        if drawn { FileHandle.standardError.write(Data("\n".utf8)) }

        var line = "translate convert: \(summary.converted) converted"
        if summary.skipped > 0 { line += ", \(summary.skipped) skipped (exist)" }
        if summary.failed > 0 { line += ", \(summary.failed) failed" }
        if let shard { line += " (shard \(shard) of \(list.items.count) inputs)" }
        line += String(format: " in %.1f s (%.2f images/s%@)", summary.seconds, summary.imagesPerSecond,
                       noOverlap ? ", no overlap" : "")
        if summary.stopped {
            printError(line + "; interrupted: rerun with --skip-existing to continue")
            throw ExitCode(130)
        }
        if summary.failed > 0 || !quiet { printError(line) }
        if summary.failed > 0 { throw ExitCode(1) }
    }
}
