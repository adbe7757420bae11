import ArgumentParser
import Foundation

/// `translate`: image-to-image translation (pix2pix, CycleGAN) on the CPU.
public struct TranslateCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "translate",
        abstract: "Image-to-image translation (pix2pix and CycleGAN) on the CPU.",
        discussion: """
        Train a translator between two image domains, convert folders of images with it, and use it \
        as one step in shell pipelines. Checkpoints are safetensors files with the reference \
        implementation's state_dict keys, so PyTorch users can exchange weights with us.
        """,
        subcommands: [TrainCommand.self, ConvertCommand.self, TestCommand.self, EvalCommand.self, BenchCommand.self, WorkloadBenchCommand.self, InspectCommand.self, DatasetsCommand.self]
    )
    public init() {}

    /// Runs the command line with stable exit codes: 0 success, 1 a job failed, 2 usage error
    /// (ArgumentParser's own 64 is mapped to 2), 130 interrupted.
    public static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let error as CLIError {
            printError(error.description)
            Foundation.exit(error.exitCode)
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                printError(fullMessage(for: error))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}
