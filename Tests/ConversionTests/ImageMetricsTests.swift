import XCTest
@testable import Conversion

/// Expected values computed independently with scikit-image 0.26 (peak_signal_noise_ratio, data_range=255;
/// structural_similarity with gaussian_weights=True, sigma=1.5, use_sample_covariance=False, data_range=255,
/// channel_axis=-1 for RGB) on the same formula-made 37x29 images.
final class ImageMetricsTests: XCTestCase {
    /// The reference image: (x²·3 + 5y + 40c + (xy mod 7)·9) mod 256.
    func reference(_ channels: Int) -> RGBImage { patternImage(width: 37, height: 29, channels: channels) }

    /// The reference plus a structured perturbation in -20...20, clamped.
    func noisy(_ channels: Int) -> RGBImage {
        var image = reference(channels)
        for y in 0..<29 {
            for x in 0..<37 {
                for c in 0..<channels {
                    let v = Int(image[x: x, y: y, c: c]) + (x * 31 + y * 17 + c * 11) % 41 - 20
                    image[x: x, y: y, c: c] = UInt8(min(255, max(0, v)))
                }
            }
        }
        return image
    }

    func inverted(_ channels: Int) -> RGBImage {
        var image = reference(channels)
        image.pixels = image.pixels.map { 255 - $0 }
        return image
    }

    func testAgainstScikitImageRGB() throws {
        let noisy = try ImageMetrics(reference(3), noisy(3))
        XCTAssertEqual(noisy.psnr, 26.841489820541227, accuracy: 1e-9)
        XCTAssertEqual(noisy.ssim, 0.9865543269791329, accuracy: 1e-9)
        XCTAssertEqual(noisy.l1, 0.03906218591816969, accuracy: 1e-12)
        let inverted = try ImageMetrics(reference(3), inverted(3))
        XCTAssertEqual(inverted.psnr, 4.903191000942312, accuracy: 1e-9)
        XCTAssertEqual(inverted.ssim, -0.9591487568411843, accuracy: 1e-9)
        XCTAssertEqual(inverted.l1, 0.48936035426907637, accuracy: 1e-12)
    }

    func testAgainstScikitImageGray() throws {
        let noisy = try ImageMetrics(reference(1), noisy(1))
        XCTAssertEqual(noisy.psnr, 26.850161020198723, accuracy: 1e-9)
        XCTAssertEqual(noisy.ssim, 0.9864470654402795, accuracy: 1e-9)
        XCTAssertEqual(noisy.l1, 0.03893792372494198, accuracy: 1e-12)
        let inverted = try ImageMetrics(reference(1), inverted(1))
        XCTAssertEqual(inverted.psnr, 5.106915486190854, accuracy: 1e-9)
        XCTAssertEqual(inverted.ssim, -0.9590429106321194, accuracy: 1e-9)
    }

    func testIdenticalImagesAndErrors() throws {
        let same = try ImageMetrics(reference(3), reference(3))
        XCTAssertEqual(same.psnr, .infinity)
        XCTAssertEqual(same.ssim, 1, accuracy: 1e-12)
        XCTAssertEqual(same.l1, 0)
        // Gray against its RGB replica is identical too.
        let gray = reference(1)
        XCTAssertEqual(try ImageMetrics(gray, gray.toRGB()).psnr, .infinity)
        XCTAssertThrowsError(try ImageMetrics(reference(3), patternImage(width: 36, height: 29), path: "x.png")) { error in
            XCTAssertEqual("\(error)", "x.png: sizes differ: 37x29 and 36x29")
        }
        XCTAssertThrowsError(try ImageMetrics(patternImage(width: 10, height: 40), patternImage(width: 10, height: 40)))
    }

    func testEvaluationPairsFoldersByNameAndAveragesPSNRWithoutIdenticalPairs() throws {
        let dir = try makeTemporaryFolder("eval")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/out/sub", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: dir + "/gt/sub", withIntermediateDirectories: true)
        try noisy(3).write(to: dir + "/out/sub/a.png")
        try reference(3).write(to: dir + "/gt/sub/a.ppm")
        try reference(3).write(to: dir + "/out/b.png")
        try reference(3).write(to: dir + "/gt/b.png")
        try reference(3).write(to: dir + "/out/only.png")
        let match = try EvalPairing.folders(produced: dir + "/out", reference: dir + "/gt")
        XCTAssertEqual(match.pairs.map(\.name), ["b", "sub/a"])
        XCTAssertEqual(match.unmatched, [dir + "/out/only.png"])
        let report = EvalReport.evaluate(match)
        XCTAssertEqual(report.failed, 0)
        XCTAssertNil(report.images[0].psnr)
        XCTAssertEqual(report.means.count, 1)
        XCTAssertEqual(report.means[0].psnr!, 26.841489820541227, accuracy: 1e-9)
        XCTAssertEqual(report.means[0].identical, 1)
        XCTAssertEqual(report.means[0].ssim, (1 + 0.9865543269791329) / 2, accuracy: 1e-9)
        let lines = report.text().split(separator: "\n")
        XCTAssertEqual(lines.first, "name\tpsnr\tssim\tl1")
        XCTAssertEqual(lines[1], "b\tinf\t1.000000\t0.000000")
        XCTAssertTrue(lines.last!.hasPrefix("mean\t26.8415\t"), String(lines.last!))
        let json = try JSONSerialization.jsonObject(with: Data(try report.json().utf8)) as! [String: Any]
        let images = json["images"] as! [[String: Any]]
        XCTAssertTrue(images[0]["psnr"] is NSNull, "identical pairs have psnr null")
        XCTAssertEqual((images[1]["ssim"] as! Double), 0.9865543269791329, accuracy: 1e-9)
    }

    func testResultsFolderPairsFakeWithReal() throws {
        let dir = try makeTemporaryFolder("results")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/images", withIntermediateDirectories: true)
        for (name, image) in [("1_real_A", inverted(3)), ("1_fake_B", noisy(3)), ("1_real_B", reference(3)),
                              ("2_fake_B", reference(3)), ("2_real_B", reference(3)), ("3_fake_B", reference(3))] {
            try image.write(to: "\(dir)/images/\(name).png")
        }
        let match = try EvalPairing.results(dir)
        XCTAssertEqual(match.pairs.map(\.name), ["1", "2"])
        XCTAssertEqual(Set(match.pairs.map(\.group)), ["fake_B"])
        XCTAssertEqual(match.unmatched, [dir + "/images/3_fake_B.png"])
        XCTAssertThrowsError(try EvalPairing.results(dir + "/images/nothing"))
    }
}
