import XCTest
@testable import Models

/// Full-size architectures: parameter counts from the reference, key sets, and conv biases per norm.
final class ArchitectureTests: XCTestCase {
    private func count(_ spec: ModelSpec) throws -> Int { try Network(spec: spec).parameterCount }

    func testReferenceParameterCounts() throws {
        XCTAssertEqual(try count(.generator("unet_256", norm: .batch)), 54_413_955)
        XCTAssertEqual(try count(.generator("unet_128", norm: .batch)), 41_828_995)
        XCTAssertEqual(try count(.generator("resnet_9blocks", norm: .instance)), 11_378_179)
        XCTAssertEqual(try count(.generator("resnet_6blocks", norm: .instance)), 7_837_699)
        XCTAssertEqual(try count(.discriminator("basic", inputNc: 3, norm: .instance)), 2_764_737)
        XCTAssertEqual(try count(.discriminator("basic", inputNc: 6, norm: .batch)), 2_768_705)
    }

    /// The full-size networks have the key sets of the fixtures' smaller ones (ngf changes shapes, not keys).
    func testFullSizeKeysMatchReferenceFixtures() throws {
        _ = try Fixtures.sharedNames()
        let cases: [(String, ModelSpec)] = [
            ("unet_256_ngf8", .generator("unet_256", norm: .batch, dropout: true)),
            ("resnet_9blocks_ngf8", .generator("resnet_9blocks", norm: .instance)),
            ("resnet_6blocks_ngf8", .generator("resnet_6blocks", norm: .instance)),
            ("resnet_6blocks_ngf8_batch_dropout", .generator("resnet_6blocks", norm: .batch, dropout: true)),
            ("nlayer_d3_batch_ndf8", .discriminator("basic", inputNc: 6, norm: .batch)),
            ("nlayer_d3_instance_ndf8", .discriminator("basic", inputNc: 3, norm: .instance)),
            ("pixel_d_batch_ndf8", .discriminator("pixel", inputNc: 6, norm: .batch)),
        ]
        for (name, spec) in cases {
            let fixture = try SharedFixture(name)
            let net = try Network(spec: spec)
            XCTAssertEqual(Set(net.stateDictKeys),
                           Set(fixture.parameterShapes.map(\.0) + fixture.bufferShapes.map(\.0)), name)
            XCTAssertEqual(net.parameterNames, fixture.parameterShapes.map(\.0), name)
        }
    }

    func testUNet256Shapes() throws {
        let net = try Network(spec: .generator("unet_256", norm: .batch))
        let shapes = Dictionary(uniqueKeysWithValues: net.namedParameters().map { ($0.name, $0.tensor.shape.dims) })
        XCTAssertEqual(shapes["model.model.0.weight"], [64, 3, 4, 4])
        XCTAssertEqual(shapes["model.model.1.model.1.weight"], [128, 64, 4, 4])
        XCTAssertEqual(shapes["model.model.3.weight"], [128, 3, 4, 4])  // ConvTranspose: [in, out, k, k]
        XCTAssertEqual(shapes["model.model.3.bias"], [3])
        let innermost = "model.model.1" + String(repeating: ".model.3", count: 6)
        XCTAssertEqual(shapes[innermost + ".model.1.weight"], [512, 512, 4, 4])
        XCTAssertEqual(shapes[innermost + ".model.3.weight"], [512, 512, 4, 4])
        XCTAssertEqual(shapes[innermost + ".model.4.weight"], [512])
        XCTAssertNil(shapes[innermost + ".model.2.weight"])  // the innermost level has no down norm
    }

    func testConvBiasesFollowTheNorm() throws {
        // Instance norm: every conv has a bias. Batch norm: only the always-biased ones. None: as batch.
        func biasKeys(_ spec: ModelSpec) throws -> [String] {
            try Network(spec: spec).parameterNames.filter { $0.hasSuffix(".bias") }
        }
        XCTAssertEqual(try biasKeys(.discriminator("basic", inputNc: 3, ndf: 8, norm: .none)),
                       ["model.0.bias", "model.11.bias"])
        XCTAssertEqual(try biasKeys(.discriminator("basic", inputNc: 3, ndf: 8, norm: .instance)),
                       ["model.0.bias", "model.2.bias", "model.5.bias", "model.8.bias", "model.11.bias"])
        XCTAssertEqual(try biasKeys(.discriminator("pixel", inputNc: 3, ndf: 8, norm: .none)), ["net.0.bias"])
        XCTAssertEqual(try biasKeys(.generator("unet_128", ngf: 8, norm: .none)), ["model.model.3.bias"])
        XCTAssertEqual(try biasKeys(.generator("resnet_6blocks", ngf: 8, norm: .none)), ["model.23.bias"])
        let none = try Network(spec: .generator("resnet_6blocks", ngf: 8, norm: .none))
        XCTAssertTrue(none.namedBuffers().isEmpty)
        // Identity layers keep their index: the last conv is still model.23 (ReflectionPad at 22).
        XCTAssertEqual(none.parameterNames.last, "model.23.bias")
        XCTAssertTrue(none.module.namedModules().first { $0.name == "model.2" }?.module is Identity)
        let instance = try Network(spec: .generator("unet_128", ngf: 8, norm: .instance))
        XCTAssertTrue(instance.namedBuffers().isEmpty)
        XCTAssertTrue(instance.parameterNames.contains("model.model.1.model.1.bias"))
    }

    func testDropoutPositions() throws {
        let unet = try Network(spec: .generator("unet_256", ngf: 4, norm: .batch, dropout: true))
        let prefix = "model.model.1.model.3.model.3.model.3"  // the three ngf*8 middle levels, outer first
        XCTAssertEqual(unet.dropoutLayers.map(\.name),
                       [prefix + ".model.3.model.3.model.7", prefix + ".model.3.model.7", prefix + ".model.7"])
        let resnet = try Network(spec: .generator("resnet_9blocks", ngf: 4, norm: .instance, dropout: true))
        XCTAssertEqual(resnet.dropoutLayers.map(\.name), (10..<19).map { "model.\($0).conv_block.4" })
        // All dropout layers of a network share its random source.
        XCTAssertTrue(resnet.dropoutLayers.allSatisfy { $0.layer.randomness === resnet.randomness })
        XCTAssertTrue(try Network(spec: .generator("unet_256", ngf: 4)).dropoutLayers.isEmpty)
    }

    func testOutputShapes() throws {
        var rng = RNG(seed: 5)
        let cases: [(ModelSpec, [Int], [Int])] = [
            (.generator("unet_64", inputNc: 1, outputNc: 2, ngf: 2, norm: .batch), [1, 1, 64, 64], [1, 2, 64, 64]),
            (.generator("resnet_2blocks", ngf: 2, norm: .instance), [1, 3, 20, 12], [1, 3, 20, 12]),
            (.discriminator("n_layers", inputNc: 3, ndf: 2, norm: .batch, nLayers: 2), [2, 3, 32, 32], [2, 1, 6, 6]),
            (.discriminator("pixel", inputNc: 4, ndf: 2, norm: .none), [1, 4, 5, 7], [1, 1, 5, 7]),
        ]
        for (spec, input, output) in cases {
            let net = try makeNetwork(spec, rng: &rng)
            let y = withNoGrad { net(Tensor.uniform(Shape(input), -1, 1, rng: &rng)) }
            XCTAssertEqual(y.shape.dims, output, spec.description)
            XCTAssertNoThrow(try spec.checkInputSize(height: input[2], width: input[3]), spec.description)
        }
    }
}
