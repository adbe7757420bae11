import ArgumentParser
import Foundation
import ImageData

/// `translate datasets`: make the built-in offline datasets.
struct DatasetsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "datasets",
        abstract: "Create small datasets (no download needed).",
        discussion: """
        Standard datasets (facades, horse2zebra, ...) are fetched with scripts/download_dataset; \
        see datasets/README.md.
        """,
        subcommands: [SynthDatasetsCommand.self])
}

/// `translate datasets synth`: the procedural paired and unpaired datasets of the README demo.
struct SynthDatasetsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth",
        abstract: "Write the procedural datasets synth_facades (paired) and synth_shapes (unpaired).",
        discussion: """
        synth_facades/{train,test}/NNNN.png: label map (left, A) | rendered facade (right, B); train \
        with --direction AtoB. synth_shapes/{trainA,trainB,testA,testB}/NNNN.png: day scenes (A) and \
        night scenes (B). Same seed, same files, on any machine.
        """)

    @Option(help: "Folder that receives synth_facades and synth_shapes.")
    var out = "datasets"

    @Option(help: "Image side in pixels (16...1024); the facade files are twice as wide.")
    var size = 64

    @Option(help: "Training images per dataset (and per domain); test sets get a fifth of it (at least 1).")
    var count = 200

    @Option(help: "Random seed.")
    var seed: UInt64 = 1

    @Option(help: "Which datasets: facades, shapes or all.")
    var only: Which = .all

    enum Which: String, ExpressibleByArgument, CaseIterable { case facades, shapes, all }

    func validate() throws {
        guard (16...1024).contains(size) else { throw ValidationError("--size must be between 16 and 1024 (got \(size))") }
        guard (1...100_000).contains(count) else { throw ValidationError("--count must be between 1 and 100000 (got \(count))") }
    }

    func run() throws {
        let testCount = max(1, count / 5)
        let start = Date()
        var summary: SyntheticData.Summary = []
        do {
            if only != .shapes {
                summary += try SyntheticData.writeFacades(root: out + "/synth_facades", size: size, trainCount: count,
                                                          testCount: testCount, seed: seed)
            }
            if only != .facades {
                summary += try SyntheticData.writeShapes(root: out + "/synth_shapes", size: size, trainCount: count,
                                                         testCount: testCount, seed: seed)
            }
        } catch {
            throw CLIError.failure("translate datasets synth: \(error)")
        }
        for (folder, images) in summary { print("\(folder): \(images) images") }
        print(String(format: "done in %.1f s", Date().timeIntervalSince(start)))
    }
}
