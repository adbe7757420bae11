import XCTest
@testable import ImageData

final class PrefetcherTests: XCTestCase {
    var root = ""
    override func setUpWithError() throws {
        root = try makeTemporaryFolder("prefetch")
        try FileManager.default.createDirectory(atPath: root + "/train", withIntermediateDirectories: true)
        var rng = RNG(seed: 4)
        for i in 0..<11 {
            let (label, rendering) = SyntheticData.facadePair(size: 32, rng: &rng)
            try RGBImage.sideBySide([label, rendering]).write(to: root + "/train/\(i).png")
        }
    }
    override func tearDown() { removeFolder(root) }

    private func loader(batchSize: Int = 3) throws -> BatchLoader {
        let options = DatasetOptions(transform: TransformOptions(loadSize: 36, cropSize: 32))
        return BatchLoader(dataset: try AlignedDataset(root: root, options: options), batchSize: batchSize, seed: 77)
    }

    func testDeliversTheSameBatchesAsSynchronousLoading() throws {
        let loader = try loader()
        for epoch in 0..<2 {
            let prefetcher = loader.prefetcher(epoch: epoch)
            var count = 0
            while let batch = try prefetcher.next() {
                let expected = try loader.batch(epoch: epoch, index: count)
                XCTAssertEqual(batch.index, count)
                XCTAssertEqual(batch.indices, expected.indices)
                XCTAssertEqual(batch.aPaths, expected.aPaths)
                XCTAssertEqual(batch.a.toArray(), expected.a.toArray())
                XCTAssertEqual(batch.b?.toArray(), expected.b?.toArray())
                count += 1
            }
            XCTAssertEqual(count, 4)  // 11 samples in batches of 3
            XCTAssertNil(try prefetcher.next())
            XCTAssertGreaterThanOrEqual(prefetcher.totalWaitSeconds, 0)
            XCTAssertGreaterThanOrEqual(prefetcher.totalWaitSeconds, prefetcher.lastWaitSeconds)
        }
    }

    func testResumeFromAMiddleBatch() throws {
        let loader = try loader()
        let prefetcher = loader.prefetcher(epoch: 3, startBatch: 2)
        let batch = try XCTUnwrap(try prefetcher.next())
        XCTAssertEqual(batch.index, 2)
        XCTAssertEqual(batch.a.toArray(), try loader.batch(epoch: 3, index: 2).a.toArray())
    }

    func testErrorsArriveInOrderAndStopTheEpoch() throws {
        let loader = try loader(batchSize: 1)
        // Damage the file that the third batch of epoch 0 reads.
        let victim = loader.dataset.count > 0 ? loader.order(epoch: 0)[2] : 0
        let path = (loader.dataset as! AlignedDataset).paths[victim]
        try writeBytes([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0], to: path)
        let prefetcher = loader.prefetcher(epoch: 0)
        XCTAssertNotNil(try prefetcher.next())
        XCTAssertNotNil(try prefetcher.next())
        XCTAssertThrowsError(try prefetcher.next()) { error in
            XCTAssertEqual((error as? ImageFileError)?.path, path)
            XCTAssertEqual((error as? ImageFileError)?.kind, .corrupt)
        }
        XCTAssertNil(try prefetcher.next())
    }

    func testDroppingAPrefetcherStopsItsThread() throws {
        let loader = try loader(batchSize: 1)
        weak var weakPrefetcher: BatchPrefetcher?
        do {
            let prefetcher = loader.prefetcher(epoch: 0, depth: 1)
            weakPrefetcher = prefetcher
            _ = try prefetcher.next()
        }
        XCTAssertNil(weakPrefetcher)  // not kept alive by its own thread
        let cancelled = loader.prefetcher(epoch: 0)
        cancelled.cancel()
        XCTAssertNil(try cancelled.next())
    }
}
