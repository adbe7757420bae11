import XCTest
@testable import ImageData

/// Transforms against values computed by hand.
final class TransformTests: XCTestCase {
    func testCropFlipAndSplit() {
        let image = patternImage(width: 5, height: 4)
        let crop = image.cropped(x: 1, y: 2, width: 2, height: 2)
        XCTAssertEqual(crop.rgb(x: 0, y: 0).0, image.rgb(x: 1, y: 2).0)
        XCTAssertEqual(crop.rgb(x: 1, y: 1).2, image.rgb(x: 2, y: 3).2)
        // Outside the image is black, as PIL's crop.
        let outside = image.cropped(x: 3, y: -1, width: 3, height: 2)
        XCTAssertEqual(outside.pixels[0..<9], [0, 0, 0, 0, 0, 0, 0, 0, 0])
        XCTAssertEqual(outside.rgb(x: 0, y: 1).1, image.rgb(x: 3, y: 0).1)
        XCTAssertEqual(outside.rgb(x: 2, y: 1).1, 0)

        let flipped = image.flippedHorizontally()
        for y in 0..<4 { for x in 0..<5 { XCTAssertEqual(flipped.rgb(x: x, y: y).0, image.rgb(x: 4 - x, y: y).0) } }
        XCTAssertEqual(flipped.flippedHorizontally(), image)

        // Odd width: A gets floor(w/2) columns, B the rest.
        let (left, right) = image.splitHalves()
        XCTAssertEqual(left.width, 2)
        XCTAssertEqual(right.width, 3)
        XCTAssertEqual(right.rgb(x: 0, y: 3).0, image.rgb(x: 2, y: 3).0)
        XCTAssertEqual(RGBImage.sideBySide([left, right]), image)
    }

    func testGrayConversionUsesPILWeights() {
        let image = RGBImage(width: 4, height: 1, channels: 3, pixels: [255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30])
        // (19595 R + 38470 G + 7471 B + 32768) >> 16
        XCTAssertEqual(image.toGray().pixels, [76, 150, 29, 18])
        XCTAssertEqual(image.toGray().toRGB().pixels[9..<12], [18, 18, 18])
    }

    func testScaleWidthAndMultipleOfFourSizes() {
        XCTAssertTrue(RGBImage.scaledWidthSize(width: 512, height: 256, target: 286, cropSize: 256) == (286, 256))
        XCTAssertTrue(RGBImage.scaledWidthSize(width: 300, height: 600, target: 286, cropSize: 256) == (286, 572))
        XCTAssertTrue(RGBImage.scaledWidthSize(width: 286, height: 300, target: 286, cropSize: 256) == (286, 300))
        XCTAssertTrue(RGBImage.scaledWidthSize(width: 286, height: 100, target: 286, cropSize: 256) == (286, 256))
        // Python round (ties to even) of side / 4, times 4; never 0.
        XCTAssertTrue(RGBImage.multipleSize(width: 255, height: 257, base: 4) == (256, 256))
        XCTAssertTrue(RGBImage.multipleSize(width: 250, height: 254, base: 4) == (248, 256))  // 62.5 -> 62, 63.5 -> 64
        XCTAssertTrue(RGBImage.multipleSize(width: 1, height: 6, base: 4) == (4, 8))            // 0.25 -> 0 -> 4, 1.5 -> 2
        let odd = patternImage(width: 31, height: 17).resizedToMultiple(of: 4)
        XCTAssertEqual(odd.width, 32)
        XCTAssertEqual(odd.height, 16)
    }

    func testRandomParamsAreSeededAndCoverTheRange() {
        let options = TransformOptions()  // resize_and_crop 286 -> 256
        var rng1 = RNG(seed: 5), rng2 = RNG(seed: 5)
        var xs = Set<Int>(), ys = Set<Int>(), flips = 0
        for _ in 0..<2000 {
            let p = options.randomParams(width: 256, height: 256, rng: &rng1)
            XCTAssertEqual(p, options.randomParams(width: 256, height: 256, rng: &rng2))
            xs.insert(p.cropX); ys.insert(p.cropY)
            if p.flip { flips += 1 }
        }
        XCTAssertEqual(xs, Set(0...30))
        XCTAssertEqual(ys, Set(0...30))
        XCTAssertTrue((900...1100).contains(flips), "\(flips)")
        // --no-flip never flips; crop-free modes give position 0.
        var rng = RNG(seed: 1)
        var noFlip = options; noFlip.flip = false
        XCTAssertFalse((0..<100).contains { _ in noFlip.randomParams(width: 256, height: 256, rng: &rng).flip })
        let p = TransformOptions(preprocess: .scaleWidth).randomParams(width: 200, height: 100, rng: &rng)
        XCTAssertEqual(p.cropY, 0)
    }

    func testPreprocessModes() {
        let image = patternImage(width: 300, height: 200)
        let params = TransformParams(cropX: 7, cropY: 11, flip: true)

        let resizeAndCrop = TransformOptions().apply(image, params: params)
        let manual = image.resized(width: 286, height: 286).cropped(x: 7, y: 11, width: 256, height: 256).flippedHorizontally()
        XCTAssertEqual(resizeAndCrop, manual)

        // crop: 300 wide > 256, so the reference crops (and PIL pads the missing rows with black).
        let crop = TransformOptions(preprocess: .crop, flip: false).apply(image, params: params)
        XCTAssertEqual(crop.width, 256)
        XCTAssertEqual(crop.height, 256)
        XCTAssertEqual(crop.rgb(x: 0, y: 0).0, image.rgb(x: 7, y: 11).0)
        XCTAssertEqual(crop.rgb(x: 5, y: 200).0, 0)

        // scale_width: 300x200 -> 286 x max(190, 256).
        let scaled = TransformOptions(preprocess: .scaleWidth, flip: false).apply(image, params: params)
        XCTAssertEqual(scaled, image.resized(width: 286, height: 256))
        let scaledCrop = TransformOptions(preprocess: .scaleWidthAndCrop, flip: false).apply(image, params: params)
        XCTAssertEqual(scaledCrop, image.resized(width: 286, height: 256).cropped(x: 7, y: 11, width: 256, height: 256))

        // none: only rounded to multiples of 4 by resizing.
        let none = TransformOptions(preprocess: .none, flip: false).apply(patternImage(width: 30, height: 21), params: params)
        XCTAssertEqual(none, patternImage(width: 30, height: 21).resized(width: 32, height: 20))
        XCTAssertTrue(TransformOptions(preprocess: .none).outputSize(width: 30, height: 21) == (32, 20))
        XCTAssertTrue(TransformOptions().outputSize(width: 512, height: 300) == (256, 256))

        // Same parameters, same result: both halves of a pair stay aligned.
        XCTAssertEqual(TransformOptions().apply(image, params: params), resizeAndCrop)
    }

    func testTensorConversionBothWays() throws {
        let image = RGBImage(width: 2, height: 1, channels: 3, pixels: [0, 128, 255, 64, 32, 16])
        let t = image.toTensor()
        XCTAssertEqual(t.shape, Shape([1, 3, 1, 2]))
        // Planar: R of both pixels, then G, then B. Same Float32 operations as ToTensor + Normalize.
        let expected: [Float] = [0, 64, 128, 32, 255, 16].map { (Float($0) / 255 - 0.5) / 0.5 }
        XCTAssertEqual(t.toArray(), expected)
        XCTAssertEqual(t.toArray()[0], -1)
        XCTAssertEqual(t.toArray()[4], 1)
        XCTAssertEqual(t.toArray()[2], 0.003921628, accuracy: 1e-7)
        XCTAssertEqual(RGBImage(tensor: t), image)

        // Every byte value survives the round trip.
        let all = RGBImage(width: 256, height: 1, channels: 1, pixels: (0...255).map { UInt8($0) })
        XCTAssertEqual(RGBImage(tensor: all.toTensor()), all)

        // (x + 1) / 2 * 255, rounded, clamped; NaN -> 0. Second image of a batch.
        let batch = Tensor(shape: [2, 1, 1, 6], values: [0, 0, 0, 0, 0, 0, -1, 1, 0, -3, 5, .nan])
        XCTAssertEqual(RGBImage(tensor: batch, index: 1).pixels, [0, 255, 128, 0, 255, 0])
        XCTAssertEqual(RGBImage(tensor: Tensor(shape: [1, 1, 1, 2], values: [-0.2, 0.2])).pixels, [102, 153])
    }

    func testStackingAndSizeMismatch() throws {
        let a = patternImage(width: 4, height: 3), b = smoothImage(width: 4, height: 3)
        let t = try stackImages([a, b])
        XCTAssertEqual(t.shape, Shape([2, 3, 3, 4]))
        XCTAssertEqual(RGBImage(tensor: t, index: 1), b)
        XCTAssertThrowsError(try stackImages([a, patternImage(width: 5, height: 3)], paths: ["a.png", "odd.png"])) { error in
            XCTAssertEqual(error as? BatchError, .sizeMismatch(path: "odd.png", got: "5x3x3", expected: "4x3x3"))
        }
    }
}
