import XCTest
@testable import Conversion

final class ShardTests: XCTestCase {
    func testShardsCoverTheListExactlyOnce() throws {
        for total in [0, 1, 5, 17] {
            for n in 1...6 {
                let items = Array(0..<total)
                var seen: [Int] = []
                for i in 1...n {
                    let part = try Shard(index: i, count: n).select(items)
                    XCTAssertEqual(part, part.sorted(), "order kept")
                    XCTAssertLessThanOrEqual(part.count, (total + n - 1) / n)
                    seen += part
                }
                XCTAssertEqual(seen.sorted(), items, "total \(total), \(n) shards")
            }
        }
        XCTAssertEqual(try Shard(parsing: "2/3").select(Array(0..<8)), [1, 4, 7])
    }

    func testBadShardsAreUsageErrors() {
        for text in ["0/3", "4/3", "1/0", "x/2", "1", "1/2/3", "-1/2"] {
            XCTAssertThrowsError(try Shard(parsing: text), text) { error in
                XCTAssertEqual((error as? ConversionError)?.isUsage, true, text)
            }
        }
    }
}
