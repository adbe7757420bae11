import XCTest
@testable import TensorCore

/// A recorded graph keeps only the values its backward steps read; everything else is freed when the forward
/// code drops it.
final class GraphMemoryTests: XCTestCase {
    func testBackwardKeepsOnlyWhatItReads() {
        var rng = RNG(seed: 71)
        let x = Tensor.randn([1, 4, 16, 16], rng: &rng, requiresGrad: true)
        let before = StorageStats.liveBytes
        let loss = reflectionPad2d(instanceNorm2d(x).relu(), 1).sum()
        // Alive: the norm's output (1024 floats, which ReLU reads too) and statistics (2 x 4), the pad's output
        // (read by sum, 4 x 18 x 18) and the loss. Freed: the ReLU's output (the pad needs nothing backward).
        XCTAssertEqual(StorageStats.liveBytes - before, (1024 + 8 + 1296 + 1) * 4)
        loss.backward()
        // Graph and intermediate gradients gone: x's gradient and the loss remain.
        XCTAssertEqual(StorageStats.liveBytes - before, (1024 + 1) * 4)
        XCTAssertEqual(x.grad?.count, 1024)
    }

    func testChainsReadingSavedValuesHaveCorrectGradients() {
        // Central differences with eps 1e-2 are wrong across a kink: draw until neither ReLU's input (the
        // normalised values, which a step of 1e-2 in x moves by at most ~1e-2) nor LeakyReLU's (x) has an element
        // within 0.02 of zero (about one draw in a hundred qualifies).
        var rng = RNG(seed: 72)
        func clearOfKinks(_ t: Tensor) -> Bool { t.toArray().allSatisfy { abs($0) > 0.02 } }
        var x = Tensor.randn([2, 3, 5, 5], rng: &rng)
        while !(clearOfKinks(x) && clearOfKinks(instanceNorm2d(x))) { x = Tensor.randn([2, 3, 5, 5], rng: &rng) }
        let w = Tensor.randn([2, 3, 7, 7], rng: &rng)
        // InstanceNorm backward from its output, ReLU reading the norm's output, LeakyReLU with a negative slope
        // reading its input, pads and adds keeping nothing.
        let checked = checkGradients("norm-relu-pad chain", inputs: [x], eps: 1e-2, tolerance: 2e-2) { t in
            let h = instanceNorm2d(t[0]).relu() + t[0].leakyRelu(-0.3) * 0.5
            return (reflectionPad2d(h, 1) * w).sum()
        }
        XCTAssertGreaterThan(checked, 0)
    }

    func testStoragePeakFollowsLiveBytes() {
        StorageStats.resetPeak()
        let base = StorageStats.peakBytes
        XCTAssertEqual(base, StorageStats.liveBytes)
        do { _ = Tensor(zeros: [1000]) }
        XCTAssertEqual(StorageStats.peakBytes, base + 4000)
        XCTAssertEqual(StorageStats.liveBytes, base)
    }
}
