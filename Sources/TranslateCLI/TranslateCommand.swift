import ArgumentParser

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
        subcommands: [BenchCommand.self, InspectCommand.self]
    )
    public init() {}
}
