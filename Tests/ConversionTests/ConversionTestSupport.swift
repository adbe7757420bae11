import Foundation
import XCTest
@testable import Conversion

/// A fresh temporary folder, removed by the caller's tearDown.
func makeTemporaryFolder(_ label: String) throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("conversion-\(label)-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// A deterministic test image with structure in every channel.
func patternImage(width: Int, height: Int, channels: Int = 3, seed: Int = 0) -> RGBImage {
    var image = RGBImage(width: width, height: height, channels: channels)
    for y in 0..<height {
        for x in 0..<width {
            for c in 0..<channels {
                image[x: x, y: y, c: c] = UInt8((x * x * 3 + y * 5 + c * 40 + (x * y) % 7 * 9 + seed * 17) % 256)
            }
        }
    }
    return image
}

/// A small generator with random weights: a U-Net with batch norm and dropout (pix2pix-like) or a ResNet
/// with instance norm (CycleGAN-like).
func tinyGenerator(_ kind: String = "unet_32", norm: NormKind = .batch, dropout: Bool = true, ngf: Int = 2,
                   inputNc: Int = 3, outputNc: Int = 3, seed: UInt64 = 7) throws -> Network {
    var rng = RNG(seed: seed)
    return try makeNetwork(.generator(kind, inputNc: inputNc, outputNc: outputNc, ngf: ngf, norm: norm, dropout: dropout),
                           rng: &rng)
}

/// Writes `network` as a plain PyTorch-style state dict (no architecture metadata).
func savePlainStateDict(_ network: Network, to path: String) throws {
    var file = network.stateDict()
    file.metadata = [:]
    try file.write(to: path)
}

func fileBytes(_ path: String) -> [UInt8]? {
    FileManager.default.contents(atPath: path).map { Array($0) }
}
