import XCTest
@testable import TensorCore

/// Asserts that `tensor` holds `expected` (row-major) within `accuracy` relative to max(1, |expected|).
func assertValues(_ tensor: Tensor, _ expected: [Double], accuracy: Double = 1e-6,
                  _ message: String = "", file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(tensor.count, expected.count, "\(message): element count", file: file, line: line)
    for (i, (a, e)) in zip(tensor.toArray(), expected).enumerated() {
        if abs(Double(a) - e) > accuracy * max(1, abs(e)) {
            XCTFail("\(message): element \(i) is \(a), expected \(e)", file: file, line: line)
            return
        }
    }
}

/// A tensor with uniform [-1, 1) values.
func randomTensor(_ shape: Shape, _ rng: inout RNG) -> Tensor { Tensor.uniform(shape, -1, 1, rng: &rng) }
