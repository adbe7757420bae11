import ArgumentParser
import Conversion
import Foundation
import Kernels

/// `translate test`: the reference's test.py — a results folder with a web page.
struct TestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run a trained model over a test set and write a reference-style results page.",
        discussion: """
        Reads CHECKPOINTS-DIR/NAME/<epoch>_net_G (pix2pix) or <epoch>_net_G_A and _G_B (CycleGAN) and \
        writes RESULTS-DIR/NAME/<phase>_<epoch>/images/<base>_<label>.png plus index.html with one row per \
        test image: real_A, fake_B, real_B (pix2pix); real_A, fake_B, rec_A, real_B, fake_A, rec_B \
        (CycleGAN); real, fake (a single folder). stdout: the path of index.html.

        Data (DATAROOT defaults to the run's train_opt.json): DATAROOT/<phase>A + <phase>B (unaligned), \
        DATAROOT/<phase> (A|B pairs side by side), else a single folder of images; --dataset-mode forces \
        one. Like the reference, images are resized to --load-size (default: the run's crop size) and the \
        networks run in training mode (batch statistics, seeded dropout) unless --eval. Unlike the \
        reference, all images are tested unless --num-test says otherwise.
        """)

    @Option(help: "Run name (folder under --checkpoints-dir).") var name: String
    @Option(name: .customLong("checkpoints-dir")) var checkpointsDir = "./checkpoints"
    @Option(name: .customLong("results-dir")) var resultsDir = "./results"
    @Option(help: "Dataset folder (default: the run's dataroot).") var dataroot: String?
    @Option(help: "Subfolder of the dataset: test, val, train ...") var phase = "test"
    @Option(help: "latest or an epoch number.") var epoch = "latest"
    @Option(name: .customLong("dataset-mode"), help: "aligned | unaligned | single (default: detected).") var datasetMode: String?
    @Option(help: "AtoB or BtoA (default: the run's).") var direction: String?
    @Flag(help: "Running statistics, no dropout.") var eval = false
    @Option(help: "Seed of the dropout masks.") var seed: UInt64 = 0
    @Option(name: .customLong("num-test"), help: "Test at most this many images (default: all).") var numTest: Int?
    @Option(help: "resize (default) | none (any size: reflect-pad, crop back) | scale_width") var preprocess = "resize"
    @Option(name: .customLong("load-size"), help: "Resize to this size (default: the run's crop size, else 256).") var loadSize: Int?
    @Option(help: "Threads for the math (default: all cores).") var threads: Int?

    func validate() throws {
        if let datasetMode, TestDatasetMode(rawValue: datasetMode) == nil {
            throw ValidationError("--dataset-mode must be aligned, unaligned or single, not '\(datasetMode)'")
        }
        if let direction, Direction(rawValue: direction) == nil {
            throw ValidationError("--direction must be AtoB or BtoA, not '\(direction)'")
        }
        guard SizeMode(rawValue: preprocess) != nil else {
            throw ValidationError("--preprocess must be resize, none or scale_width, not '\(preprocess)'")
        }
        if let numTest, numTest < 1 { throw ValidationError("--num-test must be at least 1") }
        if let loadSize, !(1...16384).contains(loadSize) { throw ValidationError("--load-size must be in 1...16384") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    }

    func run() throws {
        if let threads { setBLASThreads(threads); kernelThreadCount = threads }
        var options = TestRunOptions(name: name)
        options.checkpointsDir = checkpointsDir
        options.resultsDir = resultsDir
        options.dataroot = dataroot
        options.phase = phase
        options.epoch = epoch
        options.datasetMode = datasetMode.flatMap(TestDatasetMode.init(rawValue:))
        options.direction = direction.flatMap(Direction.init(rawValue:))
        options.evaluationMode = eval
        options.seed = seed
        options.numTest = numTest
        options.size = SizeMode(rawValue: preprocess)!
        options.loadSize = loadSize
        let summary: TestRunSummary
        do {
            summary = try TestRun.run(options) { printError($0) }
        } catch let error as ConversionError {
            throw error.isUsage ? CLIError.usage(error.description) : CLIError.failure(error.description)
        } catch {
            throw CLIError.failure("translate test: \(error)")
        }
        FileHandle.standardOutput.write(Data((summary.indexPath + "\n").utf8))
        var line = "translate test: \(summary.description): \(summary.rows) rows, \(summary.imagesWritten) images in \(summary.folder)"
        if summary.failed > 0 { line += ", \(summary.failed) failed" }
        printError(line + String(format: " (%.1f s)", summary.seconds))
        if summary.failed > 0 { throw ExitCode(1) }
    }
}
