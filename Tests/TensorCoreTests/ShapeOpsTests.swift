import XCTest
@testable import TensorCore

final class ShapeOpsTests: XCTestCase {
    func testConcatChannelsValues() {
        let a = Tensor(shape: [2, 1, 1, 2], values: [1, 2, 3, 4])
        let b = Tensor(shape: [2, 2, 1, 2], values: [10, 11, 12, 13, 20, 21, 22, 23])
        let y = concatChannels([a, b])
        XCTAssertEqual(y.shape, [2, 3, 1, 2])
        XCTAssertEqual(y.toArray(), [1, 2, 10, 11, 12, 13, 3, 4, 20, 21, 22, 23])
        XCTAssertEqual(concatChannels([a, a]).toArray(), [1, 2, 1, 2, 3, 4, 3, 4])
    }

    func testConcatBatchAndSliceValues() {
        let a = Tensor(shape: [1, 2, 1, 1], values: [1, 2])
        let b = Tensor(shape: [2, 2, 1, 1], values: [3, 4, 5, 6])
        let y = concatBatch([a, b])
        XCTAssertEqual(y.shape, [3, 2, 1, 1])
        XCTAssertEqual(y.toArray(), [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(y.batchSlice(1, 3).shape, [2, 2, 1, 1])
        XCTAssertEqual(y.batchSlice(1, 3).toArray(), [3, 4, 5, 6])
        XCTAssertEqual(y.batchSlice(0, 1).toArray(), [1, 2])
    }

    func testBackwardValues() {
        let a = Tensor(shape: [1, 1, 1, 2], values: [1, 2], requiresGrad: true)
        let b = Tensor(shape: [1, 2, 1, 2], values: [3, 4, 5, 6], requiresGrad: true)
        concatChannels([a, b, a]).backward(gradient: Tensor(shape: [1, 4, 1, 2], values: [1, 2, 3, 4, 5, 6, 7, 8]))
        XCTAssertEqual(a.grad!.toArray(), [8, 10], "a gets its two slices")
        XCTAssertEqual(b.grad!.toArray(), [3, 4, 5, 6])

        let x = Tensor(shape: [3, 1, 1, 2], values: [1, 2, 3, 4, 5, 6], requiresGrad: true)
        (x.batchSlice(1, 2) * 3 + x.batchSlice(2, 3)).sum().backward()
        XCTAssertEqual(x.grad!.toArray(), [0, 0, 3, 3, 1, 1])
    }

    func testGradients() {
        var rng = RNG(seed: 41)
        for (n, h, w) in [(1, 3, 3), (2, 2, 5), (2, 1, 1)] {
            let a = randomTensor([n, 2, h, w], &rng), b = randomTensor([n, 3, h, w], &rng)
            checkGradients("concatChannels \(n)x\(h)x\(w)", inputs: [a, b]) { concatChannels($0) }
            checkGradients("concatChannels same tensor", inputs: [a, a]) { concatChannels($0) }
            checkGradients("concatChannels three", inputs: [b, a, b]) { concatChannels($0) }
            let c = randomTensor([1, 2, h, w], &rng)
            checkGradients("concatBatch", inputs: [a, c]) { concatBatch($0) }
            checkGradients("concatBatch same tensor", inputs: [a, a]) { concatBatch($0) }
            let both = randomTensor([3, 2, h, w], &rng)
            checkGradients("batchSlice", inputs: [both]) { $0[0].batchSlice(1, 3) }
            checkGradients("batchSlices combined", inputs: [both]) { $0[0].batchSlice(0, 1) * $0[0].batchSlice(2, 3) }
        }
    }
}
