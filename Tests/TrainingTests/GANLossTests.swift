import XCTest
@testable import Training

final class GANLossTests: XCTestCase {
    let prediction = Tensor(shape: [1, 1, 2, 2], values: [0.5, -1, 2, 0])

    func testLSGANIsMeanSquaredDistanceToLabel() {
        // real: ((0.5-1)² + (-1-1)² + (2-1)² + (0-1)²) / 4 = (0.25 + 4 + 1 + 1) / 4
        XCTAssertEqual(GANMode.lsgan.loss(prediction, targetIsReal: true).item, 1.5625, accuracy: 1e-6)
        // fake: (0.25 + 1 + 4 + 0) / 4
        XCTAssertEqual(GANMode.lsgan.loss(prediction, targetIsReal: false).item, 1.3125, accuracy: 1e-6)
    }

    func testVanillaIsBCEWithLogits() {
        // real: mean(log(1 + exp(-x))); fake: mean(log(1 + exp(x)))
        let xs: [Double] = [0.5, -1, 2, 0]
        let real = xs.map { log(1 + exp(-$0)) }.reduce(0, +) / 4
        let fake = xs.map { log(1 + exp($0)) }.reduce(0, +) / 4
        XCTAssertEqual(Double(GANMode.vanilla.loss(prediction, targetIsReal: true).item), real, accuracy: 1e-6)
        XCTAssertEqual(Double(GANMode.vanilla.loss(prediction, targetIsReal: false).item), fake, accuracy: 1e-6)
    }

    func testWGANIsSignedMean() {
        XCTAssertEqual(GANMode.wgangp.loss(prediction, targetIsReal: true).item, -0.375, accuracy: 1e-7)
        XCTAssertEqual(GANMode.wgangp.loss(prediction, targetIsReal: false).item, 0.375, accuracy: 1e-7)
    }

    func testGradientOfLSGAN() {
        let x = Tensor(shape: [1, 1, 2, 2], values: [0.5, -1, 2, 0], requiresGrad: true)
        GANMode.lsgan.loss(x, targetIsReal: true).backward()
        // d/dx mean((x-1)²) = 2(x-1)/4
        XCTAssertEqual(x.grad!.toArray(), [-0.25, -1, 0.5, -0.5])
    }
}
