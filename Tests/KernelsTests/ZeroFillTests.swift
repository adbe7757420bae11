import XCTest
import Kernels

final class ZeroFillTests: XCTestCase {
    /// Large (split over the threads, odd length) and small (one chunk) fills zero exactly their range and
    /// nothing past it.
    func testZeroesExactlyTheRange() {
        for count in [1_000_003, 7] {
            var buffer = [Float](repeating: 3, count: count + 5)
            buffer.withUnsafeMutableBufferPointer { zeroFill($0.baseAddress!, count: count) }
            XCTAssertEqual(buffer.prefix(count).first { $0 != 0 }, nil, "count \(count)")
            XCTAssertEqual(Array(buffer.suffix(5)), [3, 3, 3, 3, 3], "count \(count)")
        }
    }
}
