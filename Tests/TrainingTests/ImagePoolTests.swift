import XCTest
@testable import Training

final class ImagePoolTests: XCTestCase {
    private func batch(_ values: [Float]) -> Tensor {
        Tensor(shape: [values.count, 1, 1, 2], values: values.flatMap { [$0, $0 + 0.5] })
    }

    func testFillsThenSwapsHalfTheTime() {
        var pool = ImagePool(capacity: 3)
        var rng = RNG(seed: 11)
        // While filling, queries return their inputs.
        XCTAssertEqual(pool.query(batch([1, 2]), rng: &rng).toArray(), [1, 1.5, 2, 2.5])
        XCTAssertEqual(pool.query(batch([3]), rng: &rng).toArray(), [3, 3.5])
        XCTAssertEqual(pool.images.count, 3)
        // Full: each image comes back either as itself or as a stored one, which it replaces.
        var swapped = 0, total = 0
        for step in 0..<400 {
            let v = Float(100 + step)
            let stored = Set(pool.images.map { $0[0] })
            let out = pool.query(batch([v]), rng: &rng)
            total += 1
            if out[0] != v {
                swapped += 1
                XCTAssertTrue(stored.contains(out[0]), "a swapped image must come from the pool")
                XCTAssertTrue(pool.images.contains { $0[0] == v }, "the new image takes its slot")
            }
            XCTAssertEqual(out[1], out[0] + 0.5)  // whole images move, not single values
        }
        XCTAssertEqual(Double(swapped) / Double(total), 0.5, accuracy: 0.08)
    }

    func testZeroCapacityPassesThrough() {
        var pool = ImagePool(capacity: 0)
        var rng = RNG(seed: 1)
        XCTAssertEqual(pool.query(batch([7, 8]), rng: &rng).toArray(), [7, 7.5, 8, 8.5])
        XCTAssertTrue(pool.images.isEmpty)
    }

    func testStoredImagesAreCopies() {
        var pool = ImagePool(capacity: 2)
        var rng = RNG(seed: 2)
        let b = batch([1])
        _ = pool.query(b, rng: &rng)
        b.data[0] = 42
        XCTAssertEqual(pool.images[0][0], 1)
    }
}
