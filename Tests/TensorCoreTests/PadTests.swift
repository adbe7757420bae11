import XCTest
@testable import TensorCore

final class PadTests: XCTestCase {
    func testReflectionPadValues() {
        let x = Tensor(shape: [1, 1, 2, 3], values: [0, 1, 2, 3, 4, 5])
        let y = reflectionPad2d(x, 1)
        XCTAssertEqual(y.shape, [1, 1, 4, 5])
        // numpy.pad(mode="reflect"), the same rule as torch.nn.ReflectionPad2d.
        XCTAssertEqual(y.toArray(), [4, 3, 4, 5, 4,
                                     1, 0, 1, 2, 1,
                                     4, 3, 4, 5, 4,
                                     1, 0, 1, 2, 1])
    }

    func testZeroPadValues() {
        let x = Tensor(shape: [1, 1, 2, 3], values: [0, 1, 2, 3, 4, 5])
        let y = zeroPad2d(x, 1)
        XCTAssertEqual(y.shape, [1, 1, 4, 5])
        XCTAssertEqual(y.toArray(), [0, 0, 0, 0, 0,
                                     0, 0, 1, 2, 0,
                                     0, 3, 4, 5, 0,
                                     0, 0, 0, 0, 0])
        XCTAssertEqual(zeroPad2d(x, 0).toArray(), x.toArray())
    }

    func testReflectionBackwardAccumulatesMirroredCopies() {
        // With a gradient of ones, each input gets the number of padded positions copied from it.
        let x = Tensor(zeros: [1, 1, 3, 3], requiresGrad: true)
        reflectionPad2d(x, 2).sum().backward()
        XCTAssertEqual(x.grad!.toArray(), [4, 6, 4, 6, 9, 6, 4, 6, 4])
        // Zero padding passes only the interior back.
        let z = Tensor(zeros: [1, 1, 3, 3], requiresGrad: true)
        (zeroPad2d(z, 2) * Tensor(filled: 2, shape: [1, 1, 7, 7])).sum().backward()
        XCTAssertEqual(z.grad!.toArray(), [Float](repeating: 2, count: 9))
    }

    func testReflectionPadMultiplePlanes() {
        var rng = RNG(seed: 3)
        let x = randomTensor([2, 3, 4, 5], &rng)
        let y = reflectionPad2d(x, 3)
        XCTAssertEqual(y.shape, [2, 3, 10, 11])
        // Spot-check against the index rule: padded (i, j) reads input (|i-3| mirrored, |j-3| mirrored).
        func reflect(_ i: Int, _ n: Int) -> Int { var s = abs(i - 3); if s >= n { s = 2 * (n - 1) - s }; return s }
        for n in 0..<2 { for c in 0..<3 { for i in 0..<10 { for j in 0..<11 {
            XCTAssertEqual(y[n, c, i, j], x[n, c, reflect(i, 4), reflect(j, 5)])
        } } } }
    }

    func testGradients() {
        var rng = RNG(seed: 7)
        let cases: [(Shape, [Int])] = [
            ([1, 1, 3, 3], [0, 1, 2]),
            ([2, 3, 5, 4], [1, 2, 3]),
            ([1, 2, 4, 7], [1, 3]),
            ([2, 1, 2, 2], [1]),
        ]
        for (shape, pads) in cases {
            for pad in pads {
                let x = randomTensor(shape, &rng)
                checkGradients("reflectionPad \(shape) pad \(pad)", inputs: [x]) { reflectionPad2d($0[0], pad) }
                checkGradients("zeroPad \(shape) pad \(pad)", inputs: [x]) { zeroPad2d($0[0], pad) }
            }
        }
        for pad in [1, 3, 4] {
            let x = randomTensor([2, 2, 3, 3], &rng)
            checkGradients("zeroPad wide \(pad)", inputs: [x]) { zeroPad2d($0[0], pad) }
        }
        // The same tensor used twice: both paths add into its gradient.
        let x = randomTensor([1, 2, 3, 4], &rng)
        checkGradients("reflectionPad twice", inputs: [x, x]) { reflectionPad2d($0[0], 2) * zeroPad2d($0[1], 2) }
    }
}
