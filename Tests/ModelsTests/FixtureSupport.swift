import Foundation
import XCTest
@testable import Models

/// Paths and readers for the parity fixtures: ../shared/fixtures (reference PyTorch networks, optional) and
/// our own committed Fixtures/ (always present).
enum Fixtures {
    /// Repository root, found from this file's path (Tests/ModelsTests/FixtureSupport.swift).
    static let repoRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    static let sharedDirectory = repoRoot.deletingLastPathComponent().appendingPathComponent("shared/fixtures")

    /// Names of the shared fixtures (directories with a meta.json), or XCTSkip when ../shared is absent.
    static func sharedNames() throws -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: sharedDirectory.path)) ?? []
        let fixtures = names.filter {
            FileManager.default.fileExists(atPath: sharedDirectory.appendingPathComponent("\($0)/meta.json").path)
        }.sorted()
        if fixtures.isEmpty { throw XCTSkip("no parity fixtures at \(sharedDirectory.path)") }
        return fixtures
    }

    /// Our committed fixture directory `name` (Tests/ModelsTests/Fixtures/<name>).
    static func committed(_ name: String) -> URL {
        if let url = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures") {
            return url
        }
        return repoRoot.appendingPathComponent("Tests/ModelsTests/Fixtures/\(name)")
    }
}

/// One shared fixture: meta.json, weights and io files.
struct SharedFixture {
    let name: String
    let directory: URL
    let meta: [String: Any]
    let io: SafeTensorsFile

    init(_ name: String) throws {
        self.name = name
        directory = Fixtures.sharedDirectory.appendingPathComponent(name)
        let data = try Data(contentsOf: directory.appendingPathComponent("meta.json"))
        meta = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        io = try SafeTensorsFile.load(path: directory.appendingPathComponent("io.safetensors").path)
    }

    var weightsPath: String { directory.appendingPathComponent("weights.safetensors").path }
    var inputShape: [Int] { meta["input_shape"] as! [Int] }
    var outputShape: [Int] { meta["output_shape"] as! [Int] }
    var noise: [String: Any] { meta["numerical_noise"] as! [String: Any] }
    func noise(_ key: String) -> Double { (noise[key] as? NSNumber)?.doubleValue ?? 0 }
    var gradsSaved: [String] { meta["grads_saved"] as! [String] }
    var hasDropout: Bool { meta["has_dropout"] as? Bool ?? false }
    var zeroExactGradParams: Set<String> { Set(noise["params_with_zero_exact_grad"] as? [String] ?? []) }

    /// (key, shape) of parameters, then of buffers, in the reference's order.
    var parameterShapes: [(String, [Int])] {
        (meta["parameters"] as! [[Any]]).map { ($0[0] as! String, $0[1] as! [Int]) }
    }
    var bufferShapes: [(String, [Int])] {
        (meta["buffers"] as! [[Any]]).map { ($0[0] as! String, $0[1] as! [Int]) }
    }

    /// The network the fixture was made from, as our spec (ngf/ndf as given).
    var spec: ModelSpec {
        let c = meta["constructor"] as! [String: Any]
        let norm = NormKind(rawValue: c["norm"] as! String)!
        switch c["kind"] as! String {
        case "D":
            return .discriminator(c["netD"] as! String, inputNc: inputShape[1], ndf: c["ndf"] as! Int, norm: norm,
                                  nLayers: c["n_layers"] as? Int)
        case "unet_custom":
            return .generator("unet", inputNc: inputShape[1], outputNc: outputShape[1], ngf: c["ngf"] as! Int,
                              norm: norm, dropout: c["dropout"] as! Bool, numDowns: c["num_downs"] as? Int)
        default:
            return .generator(c["netG"] as! String, inputNc: inputShape[1], outputNc: outputShape[1],
                              ngf: c["ngf"] as! Int, norm: norm, dropout: c["dropout"] as! Bool)
        }
    }
}

// MARK: tensors from files and comparisons

extension SafeTensorsFile {
    /// A tensor of the named entry (converted to Float32).
    func tensor(_ name: String) throws -> Tensor {
        let shape = try XCTUnwrap(self.shape(name), "no tensor \(name) in \(path)")
        return Tensor(shape: Shape(shape), values: try floats(name))
    }
}

/// max |a - b| over all elements.
func maxAbsDifference(_ a: Tensor, _ b: [Double]) -> Double {
    precondition(a.count == b.count, "compare \(a.count) with \(b.count) values")
    var m = 0.0
    for i in 0..<a.count { m = max(m, abs(Double(a.data[i]) - b[i])) }
    return m
}

/// max |a - b| / max |b| (the README's relative error), with max |b| floored at `floor`.
func relativeDifference(_ a: Tensor, _ b: [Double], floor: Double = 1e-30) -> Double {
    let scale = max(b.map(abs).max() ?? 0, floor)
    return maxAbsDifference(a, b) / scale
}
