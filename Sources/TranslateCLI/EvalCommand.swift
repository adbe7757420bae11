import ArgumentParser
import Conversion
import Foundation

/// `translate eval`: PSNR, SSIM and L1 between produced and reference images.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Paired metrics (PSNR, SSIM, L1) between two folders or in a results folder.",
        discussion: """
        With two folders, files are matched by relative path without extension (out/a.png with \
        gt/a.jpg). With one folder, it is a results folder of `translate test` (or the reference's): \
        <base>_fake_B is measured against <base>_real_B (and fake_A, rec_A, rec_B against their real \
        images when present).

        PSNR: 8-bit, 10 log10(255^2 / MSE) over all channels, per image and the mean over images \
        (identical pairs, infinite PSNR, are left out of the mean and counted). SSIM: Gaussian window \
        11x11, sigma 1.5, K1 0.01, K2 0.03, per RGB channel then averaged (= scikit-image \
        structural_similarity with gaussian_weights=True, use_sample_covariance=False, data_range=255). \
        L1: mean absolute difference / 255.

        stdout: a tab-separated table (name, psnr, ssim, l1; then mean lines), or JSON with --json.
        Exit status 1 when a pair cannot be compared (reported on stderr) or nothing pairs up.
        """)

    @Argument(help: "Produced images (or a results folder when alone).") var produced: String
    @Argument(help: "Reference images.") var reference: String?
    @Flag(help: "Print JSON instead of a table.") var json = false

    func run() throws {
        let match: EvalMatch
        do {
            match = try reference.map { try EvalPairing.folders(produced: produced, reference: $0) }
                ?? EvalPairing.results(produced)
        } catch let error as ConversionError {
            throw error.isUsage ? CLIError.usage(error.description) : CLIError.failure(error.description)
        }
        if !match.unmatched.isEmpty {
            let examples = match.unmatched.prefix(3).joined(separator: ", ")
            printError("translate eval: \(match.unmatched.count) files without a partner, left out (e.g. \(examples))")
        }
        guard !match.pairs.isEmpty else {
            throw CLIError.failure("translate eval: no pairs to compare (files are matched by relative path without extension)")
        }
        let report = EvalReport.evaluate(match) { printError($0) }
        FileHandle.standardOutput.write(Data(((json ? try report.json() : report.text()) + "\n").utf8))
        if report.failed > 0 {
            printError("translate eval: \(report.failed) of \(match.pairs.count) pairs could not be compared")
            throw ExitCode(1)
        }
    }
}
