import XCTest
@testable import TensorCore

/// Storages of 1 MB and more come from a `BlockArena`: freed space serves later requests of any size that fits,
/// neighbouring free blocks merge, and free pages go back to the system when asked, when recent requests stayed
/// below them, or beyond the cache limit. Each test has its own small arena, so nothing else allocates in it.
final class BlockArenaTests: XCTestCase {
    private let mb = 1 << 20

    /// Resident bytes of the pages in [block, block + bytes), from mincore.
    private func residentBytes(_ block: UnsafeMutableRawPointer, _ bytes: Int, page: Int) -> Int {
        var vector = [UInt8](repeating: 0, count: (bytes + page - 1) / page)
        XCTAssertEqual(mincore(block, bytes, &vector), 0)
        return vector.reduce(0) { $0 + Int($1 & 1) } * page
    }

    func testFreedSpaceServesLaterRequestsOfOtherSizes() {
        let arena = BlockArena(reservation: 1 << 30)
        let a = arena.take(3 * mb), b = arena.take(2 * mb + 5)
        XCTAssertEqual(a.size, 3 * mb)
        XCTAssertEqual(b.size, 2 * mb + arena.pageSize, "sizes are whole pages")
        XCTAssertEqual(b.block, a.block + a.size, "blocks are carved first-fit from one region")
        a.block.storeBytes(of: 7, toByteOffset: 0, as: Float.self)
        arena.give(a.block, size: a.size)
        XCTAssertEqual(arena.cachedBytes, 3 * mb)
        // A smaller request takes the start of the freed space; the rest still serves another one.
        let c = arena.take(1 * mb), d = arena.take(2 * mb)
        XCTAssertEqual(c.block, a.block)
        XCTAssertEqual(d.block, a.block + mb)
        XCTAssertEqual(arena.cachedBytes, 0)
        XCTAssertEqual(arena.extentBytes, 5 * mb + arena.pageSize, "no new space was needed")
        for block in [b, c, d] { arena.give(block.block, size: block.size) }
    }

    func testNeighboursMergeIntoOneLargerBlock() {
        let arena = BlockArena(reservation: 1 << 30)
        let blocks = (0..<3).map { _ in arena.take(2 * mb) }
        let guardBlock = arena.take(mb)  // keeps the freed ones from merging with the top
        // Freed out of order: the middle one last, so it merges on both sides.
        for i in [0, 2, 1] { arena.give(blocks[i].block, size: blocks[i].size) }
        let large = arena.take(6 * mb)
        XCTAssertEqual(large.block, blocks[0].block)
        XCTAssertEqual(arena.extentBytes, 7 * mb)
        arena.give(large.block, size: large.size)
        arena.give(guardBlock.block, size: guardBlock.size)
        // The top free range grows into fresh pages for a request larger than all the free space.
        let larger = arena.take(8 * mb)
        XCTAssertEqual(larger.block, blocks[0].block)
        XCTAssertEqual(arena.extentBytes, 8 * mb)
    }

    func testReleaseFreeHandsPagesBackAndTheyReadAsZeros() {
        let arena = BlockArena(reservation: 1 << 30)
        let a = arena.take(4 * mb)
        memset(a.block, 0x5a, a.size)
        XCTAssertEqual(residentBytes(a.block, a.size, page: arena.pageSize), a.size)
        arena.give(a.block, size: a.size)
        XCTAssertEqual(residentBytes(a.block, a.size, page: arena.pageSize), a.size, "freed pages stay for reuse")
        arena.releaseFree()
        XCTAssertEqual(arena.cachedBytes, 0)
        XCTAssertEqual(residentBytes(a.block, a.size, page: arena.pageSize), 0)
        let b = arena.take(4 * mb)
        XCTAssertEqual(b.block, a.block)
        XCTAssertTrue(UnsafeRawBufferPointer(start: b.block, count: b.size).allSatisfy { $0 == 0 })
    }

    func testFreeSpaceAboveWhatRecentRequestsUsedIsReleased() {
        let arena = BlockArena(reservation: 1 << 30, trimWindow: 64)
        let low = arena.take(mb)
        let high = arena.take(8 * mb)
        memset(high.block, 1, high.size)
        arena.give(high.block, size: high.size)
        XCTAssertEqual(arena.cachedBytes, 8 * mb)
        // A phase that needs only 1 MB at a time: after a window of such requests, the free pages above the
        // highest of them go back to the system.
        for _ in 0..<(2 * arena.trimWindow) {
            let small = arena.take(mb)
            memset(small.block, 2, small.size)
            arena.give(small.block, size: small.size)
        }
        XCTAssertEqual(arena.cachedBytes, mb)
        XCTAssertEqual(residentBytes(high.block + mb, 7 * mb, page: arena.pageSize), 0)
        arena.give(low.block, size: low.size)
    }

    func testFreeBytesBeyondTheCacheLimitAreReleasedHighestFirst() {
        let arena = BlockArena(reservation: 1 << 30, cacheLimit: 3 * mb)
        let blocks = (0..<3).map { _ in arena.take(2 * mb) }
        for block in blocks { memset(block.block, 3, block.size) }
        arena.give(blocks[0].block, size: blocks[0].size)
        arena.give(blocks[2].block, size: blocks[2].size)
        XCTAssertEqual(arena.cachedBytes, 2 * mb, "4 MB free exceeds the 3 MB limit: the higher block went back")
        XCTAssertEqual(residentBytes(blocks[0].block, 2 * mb, page: arena.pageSize), 2 * mb)
        XCTAssertEqual(residentBytes(blocks[2].block, 2 * mb, page: arena.pageSize), 0)
        arena.give(blocks[1].block, size: blocks[1].size)
    }

    func testStoragesUseTheSharedArenaAndSmallOnesStayWithMalloc() {
        LargeBlocks.releaseCached()
        let floats = (1 << 18) + 4099
        var first: Storage? = Storage(uninitializedCount: floats)
        let address = first!.pointer
        first!.pointer[floats - 1] = 7
        first = nil
        XCTAssertGreaterThanOrEqual(LargeBlocks.cachedBytes, floats * 4)
        let second = Storage(count: floats)
        XCTAssertEqual(second.pointer, address, "the freed block is reused")
        XCTAssertTrue(UnsafeBufferPointer(start: second.pointer, count: second.count).allSatisfy { $0 == 0 },
                      "zero-filled storage on a reused block is all zeros")
        LargeBlocks.releaseCached()
        _ = Storage(uninitializedCount: LargeBlocks.threshold / 4 - 1)
        XCTAssertEqual(LargeBlocks.cachedBytes, 0)
    }
}
