import XCTest
@testable import TensorCore

/// Storages of 1 MB and more come from `LargeBlocks`: a freed block serves the next request of its size, stale
/// blocks are unmapped, and `releaseCached` empties the cache.
final class LargeBlocksTests: XCTestCase {
    /// Floats in a block just over 1 MB, at an odd size no other test uses.
    private let floats = (1 << 18) + 4099

    func testFreedBlockServesTheNextRequestOfItsSize() {
        LargeBlocks.releaseCached()
        var first: Storage? = Storage(uninitializedCount: floats)
        let address = first!.pointer
        first!.pointer[floats - 1] = 7
        first = nil
        XCTAssertGreaterThanOrEqual(LargeBlocks.cachedBytes, floats * 4)
        let second = Storage(uninitializedCount: floats)
        XCTAssertEqual(second.pointer, address, "the cached block is reused")
        XCTAssertEqual(LargeBlocks.cachedBytes, 0)
        // Zero-filled storage on a reused block is still all zeros.
        second.pointer[floats - 1] = 7
        _ = second
        let zeroed = Storage(count: floats + 1)
        XCTAssertTrue(UnsafeBufferPointer(start: zeroed.pointer, count: zeroed.count).allSatisfy { $0 == 0 })
    }

    func testBlocksNobodyTakesAreUnmapped() {
        LargeBlocks.releaseCached()
        _ = Storage(uninitializedCount: floats)  // freed at once: cached
        XCTAssertGreaterThanOrEqual(LargeBlocks.cachedBytes, floats * 4)
        let other = floats + 8192
        for _ in 0...LargeBlocks.idleLimit { _ = Storage(uninitializedCount: other) }
        // Only the block of the size in use is left.
        XCTAssertEqual(LargeBlocks.cachedBytes, (other * 4 + 4095) / 4096 * 4096)
        LargeBlocks.releaseCached()
        XCTAssertEqual(LargeBlocks.cachedBytes, 0)
    }

    func testSmallStoragesStayWithMalloc() {
        LargeBlocks.releaseCached()
        _ = Storage(uninitializedCount: LargeBlocks.threshold / 4 - 1)
        XCTAssertEqual(LargeBlocks.cachedBytes, 0)
    }
}
