import XCTest
@testable import Models

final class ModelSpecTests: XCTestCase {
    func testKindsResolve() throws {
        XCTAssertEqual(try ModelSpec.generator("unet_256").architecture(), .unet(numDowns: 8))
        XCTAssertEqual(try ModelSpec.generator("unet_128").architecture(), .unet(numDowns: 7))
        XCTAssertEqual(try ModelSpec.generator("unet_64").architecture(), .unet(numDowns: 6))
        XCTAssertEqual(try ModelSpec.generator("unet", numDowns: 6).architecture(), .unet(numDowns: 6))
        XCTAssertEqual(try ModelSpec.generator("unet_256", numDowns: 8).architecture(), .unet(numDowns: 8))
        XCTAssertEqual(try ModelSpec.generator("resnet_9blocks").architecture(), .resnet(blocks: 9))
        XCTAssertEqual(try ModelSpec.generator("resnet_6blocks").architecture(), .resnet(blocks: 6))
        XCTAssertEqual(try ModelSpec.discriminator("basic", inputNc: 6).architecture(), .nLayers(3))
        XCTAssertEqual(try ModelSpec.discriminator("n_layers", inputNc: 6, nLayers: 5).architecture(), .nLayers(5))
        XCTAssertEqual(try ModelSpec.discriminator("n_layers", inputNc: 6).architecture(), .nLayers(3))
        XCTAssertEqual(try ModelSpec.discriminator("pixel", inputNc: 6).architecture(), .pixel)
        XCTAssertTrue(ModelSpec.generator("unet_256").isGenerator)
        XCTAssertFalse(ModelSpec.discriminator("pixel", inputNc: 3).isGenerator)
    }

    func testInvalidSpecsThrowReadableErrors() {
        func reason(_ spec: ModelSpec) -> String {
            do { _ = try spec.architecture(); return "no error" } catch { return "\(error)" }
        }
        XCTAssertTrue(reason(.generator("unet_100")).contains("unknown network 'unet_100'"))
        XCTAssertTrue(reason(.generator("vgg")).contains("unknown network 'vgg'"))
        XCTAssertTrue(reason(.generator("unet")).contains("needs num_downs"))
        XCTAssertTrue(reason(.generator("unet_256", numDowns: 7)).contains("num_downs is 7"))
        XCTAssertTrue(reason(.generator("unet_16")).contains("num_downs in 5...16"))
        XCTAssertTrue(reason(.generator("resnet_9blocks", ngf: 0)).contains("ngf/ndf"))
        XCTAssertTrue(reason(.generator("unet_256", ngf: 1024)).contains("parameters, too many"))
        XCTAssertTrue(reason(.generator("resnet_64blocks", ngf: 4096)).contains("parameters, too many"))
        XCTAssertEqual(reason(.generator("unet_256", ngf: 128)), "no error")
        XCTAssertEqual(reason(.generator("resnet_9blocks", ngf: 512)), "no error")
        XCTAssertTrue(reason(.generator("resnet_9blocks", inputNc: 0)).contains("input_nc"))
        XCTAssertTrue(reason(.discriminator("n_layers", inputNc: 3, nLayers: 99)).contains("n_layers"))
        var d = ModelSpec.discriminator("basic", inputNc: 3)
        d.dropout = true
        XCTAssertTrue(reason(d).contains("no dropout"))
        XCTAssertThrowsError(try Network(spec: .generator("resnet_x")))
    }

    func testInputSizeChecks() throws {
        XCTAssertNoThrow(try ModelSpec.generator("unet_256").checkInputSize(height: 512, width: 256))
        XCTAssertThrowsError(try ModelSpec.generator("unet_256").checkInputSize(height: 300, width: 256)) {
            XCTAssertTrue("\($0)".contains("divisible by 256"))
        }
        XCTAssertEqual(try ModelSpec.generator("unet_128").sizeMultiple(), 128)
        XCTAssertEqual(try ModelSpec.generator("resnet_9blocks").sizeMultiple(), 4)
        XCTAssertNoThrow(try ModelSpec.generator("resnet_9blocks").checkInputSize(height: 36, width: 8))
        XCTAssertThrowsError(try ModelSpec.generator("resnet_9blocks").checkInputSize(height: 4, width: 4))
        XCTAssertThrowsError(try ModelSpec.generator("resnet_9blocks").checkInputSize(height: 10, width: 8))
        XCTAssertNoThrow(try ModelSpec.discriminator("basic", inputNc: 3).checkInputSize(height: 24, width: 30))
        XCTAssertThrowsError(try ModelSpec.discriminator("basic", inputNc: 3).checkInputSize(height: 16, width: 30))
    }

    func testMetadataRoundTrip() throws {
        let specs: [ModelSpec] = [
            .generator("unet_256", inputNc: 1, outputNc: 3, ngf: 32, norm: .instance, dropout: true),
            .generator("unet", ngf: 4, numDowns: 6),
            .discriminator("n_layers", inputNc: 6, ndf: 16, norm: .none, nLayers: 4),
        ]
        for spec in specs {
            let m = spec.metadata
            XCTAssertEqual(try ModelSpec(metadata: m), spec)
            XCTAssertEqual(m["norm"], spec.norm.rawValue)
            XCTAssertEqual(m["input_nc"], String(spec.inputNc))
            XCTAssertEqual(m[spec.isGenerator ? "netG" : "netD"], spec.kind)
            XCTAssertEqual(m[spec.isGenerator ? "ngf" : "ndf"], String(spec.filters))
        }
        XCTAssertEqual(specs[2].metadata["n_layers_D"], "4")
        XCTAssertEqual(specs[0].metadata["use_dropout"], "true")
        XCTAssertNil(try ModelSpec(metadata: ["format": "pt"]))
        XCTAssertThrowsError(try ModelSpec(metadata: [ModelSpec.metadataKey: "{not json"]))
        XCTAssertThrowsError(try ModelSpec(metadata: [ModelSpec.metadataKey:
            #"{"kind":"resnet_9blocks","norm":"batch","filters":-1,"inputNc":3,"outputNc":3,"dropout":false}"#]))
    }
}
