import XCTest
@testable import ImageData

/// The public datasets in ../shared/datasets (skipped when absent).
final class RealDataTests: XCTestCase {
    func testFacadesCountsSizesAndHalves() throws {
        guard let facades = sharedDataset("facades") else { throw XCTSkip("../shared/datasets/facades not present") }
        let counts = try ["train", "val", "test"].map { try listImageFiles(in: facades + "/" + $0).paths.count }
        XCTAssertEqual(counts, [400, 100, 106])
        // Every file decodes in strict mode at 512x256 and splits into two 256x256 halves.
        let options = DatasetOptions(transform: TransformOptions(preprocess: .none, flip: false), direction: .bToA)
        let test = try AlignedDataset(root: facades, phase: "test", options: options)
        for path in test.paths {
            let image = try RGBImage(contentsOf: path)
            XCTAssertEqual(image.width, 512, path)
            XCTAssertEqual(image.height, 256, path)
        }
        var rng = RNG(seed: 0)
        let sample = try test.sample(at: 0, rng: &rng)
        let whole = try RGBImage(contentsOf: test.paths[0])
        XCTAssertEqual(sample.a, whole.cropped(x: 256, y: 0, width: 256, height: 256))  // BtoA: labels (right) are the input
        XCTAssertEqual(sample.b, whole.cropped(x: 0, y: 0, width: 256, height: 256))
        // Training preprocessing: 286 -> random crop 256, one batch of 4.
        let train = try AlignedDataset(root: facades, phase: "train", options: DatasetOptions(direction: .bToA))
        let batch = try BatchLoader(dataset: train, batchSize: 4, seed: 1).batch(epoch: 0, index: 0)
        XCTAssertEqual(batch.a.shape, Shape([4, 3, 256, 256]))
        XCTAssertEqual(batch.b?.shape, Shape([4, 3, 256, 256]))
        let values = batch.a.toArray()
        XCTAssertGreaterThanOrEqual(values.min()!, -1)
        XCTAssertLessThanOrEqual(values.max()!, 1)
    }

    func testFacadesTrainAndValDecodeStrictly() throws {
        guard let facades = sharedDataset("facades") else { throw XCTSkip("../shared/datasets/facades not present") }
        for phase in ["train", "val"] {
            for path in try listImageFiles(in: facades + "/" + phase).paths {
                let image = try RGBImage(contentsOf: path)
                XCTAssertTrue(image.width == 512 && image.height == 256, path)
            }
        }
    }

    func testHorse2ZebraCountsAndGrayscaleJPEGs() throws {
        guard let h2z = sharedDataset("horse2zebra") else { throw XCTSkip("../shared/datasets/horse2zebra not present") }
        let counts = try ["trainA", "trainB", "testA", "testB"].map { try listImageFiles(in: h2z + "/" + $0).paths.count }
        XCTAssertEqual(counts, [1067, 1334, 120, 140])
        var grayFiles: [String] = []
        for path in try listImageFiles(in: h2z + "/trainB").paths {
            let native = try RGBImage(contentsOf: path, mode: .native)
            XCTAssertTrue(native.width == 256 && native.height == 256, path)
            if native.channels == 1 { grayFiles.append(path) }
        }
        XCTAssertEqual(grayFiles.count, 7)
        // Read as RGB they have three equal channels.
        let rgb = try RGBImage(contentsOf: grayFiles[0])
        XCTAssertEqual(rgb.channels, 3)
        for i in stride(from: 0, to: rgb.pixels.count, by: 3) {
            XCTAssertTrue(rgb.pixels[i] == rgb.pixels[i + 1] && rgb.pixels[i] == rgb.pixels[i + 2])
        }
        // And they batch with colour images.
        let ds = try UnalignedDataset(root: h2z, phase: "train", options: DatasetOptions(transform: .fixed(size: 64)), serialB: true)
        XCTAssertEqual(ds.count, 1334)
        let index = try XCTUnwrap(try listImageFiles(in: h2z + "/trainB").paths.firstIndex(of: grayFiles[0]))
        var rng = RNG(seed: 0)
        let sample = try ds.sample(at: index, rng: &rng)
        XCTAssertEqual(sample.b?.channels, 3)
        XCTAssertEqual(sample.bPath, grayFiles[0])
    }

    func testHorse2ZebraOtherFoldersDecodeStrictly() throws {
        guard let h2z = sharedDataset("horse2zebra") else { throw XCTSkip("../shared/datasets/horse2zebra not present") }
        for folder in ["trainA", "testA", "testB"] {
            for path in try listImageFiles(in: h2z + "/" + folder).paths {
                let image = try RGBImage(contentsOf: path)
                XCTAssertEqual(image.width * image.height, 65536, path)
            }
        }
    }
}
