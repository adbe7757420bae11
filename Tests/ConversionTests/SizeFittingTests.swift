import XCTest
@testable import Conversion

final class SizeFittingTests: XCTestCase {
    func testReflectIndexMirrorsWithoutRepeatingTheEdgeAndKeepsMirroring() {
        // n = 4: ... 2 1 | 0 1 2 3 | 2 1 0 1 2 3 2 ...
        XCTAssertEqual((-3...9).map { reflectIndex($0, 4) }, [3, 2, 1, 0, 1, 2, 3, 2, 1, 0, 1, 2, 3])
        XCTAssertEqual((-2...2).map { reflectIndex($0, 1) }, [0, 0, 0, 0, 0])
        XCTAssertEqual((-2...3).map { reflectIndex($0, 2) }, [0, 1, 0, 1, 0, 1])
    }

    func testConstraintsOfTheGenerators() throws {
        let unet = try SizeConstraint(spec: .generator("unet_256"))
        XCTAssertEqual(unet, SizeConstraint(multiple: 256, minimumSide: 256))
        XCTAssertEqual(unet.paddedSide(100), 256)
        XCTAssertEqual(unet.paddedSide(257), 512)
        let resnet = try SizeConstraint(spec: .generator("resnet_9blocks"))
        XCTAssertEqual(resnet, SizeConstraint(multiple: 4, minimumSide: 8))
        XCTAssertEqual(resnet.paddedSide(3), 8)
        XCTAssertEqual(resnet.paddedSide(9), 12)
        XCTAssertEqual(resnet.paddedSide(12), 12)
    }

    func testPaddingLargerThanTheImageStillFillsEveryPixelByReflection() {
        let image = patternImage(width: 100, height: 37)
        let policy = SizePolicy(constraint: SizeConstraint(multiple: 256, minimumSide: 256))
        let prepared = policy.prepare(image)
        XCTAssertEqual([prepared.paddedWidth, prepared.paddedHeight, prepared.left, prepared.top], [256, 256, 78, 109])
        let t = policy.inputTensor(prepared)
        XCTAssertEqual(t.shape.dims, [1, 3, 256, 256])
        func value(_ c: Int, _ y: Int, _ x: Int) -> Float { t.data[c * 256 * 256 + y * 256 + x] }
        func expected(_ c: Int, _ sy: Int, _ sx: Int) -> Float { (Float(image[x: sx, y: sy, c: c]) / 255 - 0.5) / 0.5 }
        // Interior is the image itself.
        XCTAssertEqual(value(1, 109 + 5, 78 + 7), expected(1, 5, 7))
        // Left border: x = 77 mirrors column 1, x = 0 is 78 columns out: reflect(-78, 100) = 78.
        XCTAssertEqual(value(0, 109, 77), expected(0, 0, 1))
        XCTAssertEqual(value(2, 109, 0), expected(2, 0, 78))
        // Top border 109 rows on a 37-row image mirrors several times: reflect(-109, 37) = 35.
        XCTAssertEqual(reflectIndex(-109, 37), 35)
        XCTAssertEqual(value(0, 0, 78), expected(0, 35, 0))
        // All values are valid pixels in [-1, 1].
        XCTAssertTrue((0..<t.count).allSatisfy { abs(t.data[$0]) <= 1 })
    }

    func testIdentityNetworkGivesBackTheOriginalPixels() {
        for mode in [SizeMode.none, .resize, .scaleWidth] {
            let image = patternImage(width: 45, height: 30)
            let policy = SizePolicy(mode: mode, loadSize: 40, keepSize: false, constraint: SizeConstraint(multiple: 16, minimumSide: 16))
            let prepared = policy.prepare(image)
            let out = policy.finish(policy.inputTensor(prepared), prepared)
            XCTAssertEqual(out, prepared.image, "\(mode)")
            switch mode {
            case .none: XCTAssertEqual(out, image)
            case .resize: XCTAssertEqual([out.width, out.height], [40, 40])
            case .scaleWidth: XCTAssertEqual([out.width, out.height], [40, 26])  // int(40 * 30 / 45)
            }
        }
    }

    func testKeepSizeResizesTheResultBack() {
        let image = patternImage(width: 45, height: 30)
        let policy = SizePolicy(mode: .resize, loadSize: 32, keepSize: true, constraint: SizeConstraint(multiple: 32, minimumSide: 32))
        let prepared = policy.prepare(image)
        XCTAssertEqual([prepared.image.width, prepared.image.height, prepared.paddedWidth], [32, 32, 32])
        let out = policy.finish(policy.inputTensor(prepared), prepared)
        XCTAssertEqual([out.width, out.height], [45, 30])
    }

    func testGrayImagesStayOneChannel() {
        let image = patternImage(width: 10, height: 6, channels: 1)
        let policy = SizePolicy(constraint: SizeConstraint(multiple: 4, minimumSide: 8))
        let prepared = policy.prepare(image)
        let t = policy.inputTensor(prepared)
        XCTAssertEqual(t.shape.dims, [1, 1, 8, 12])
        XCTAssertEqual(policy.finish(t, prepared), image)
    }
}
