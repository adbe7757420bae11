import XCTest
import Foundation
import ImageData

final class PathNamesTests: XCTestCase {
    /// Where Foundation's `deletingLastPathComponent` works, `parentPath` gives the same answer.
    func testAgreesWithFoundation() {
        for path in ["ab/c", "abc", "ab/", "/", "/a", "/ab/", "./d", "../x/", "/a/b/", "a//bc", "dir/sub/file.png",
                     "dir/sub/", "", "x.y"] {
            XCTAssertEqual(parentPath(of: path), (path as NSString).deletingLastPathComponent, "\"\(path)\"")
        }
    }

    /// One-character paths, on which Foundation's property traps on Linux (so they are not compared with it), and
    /// "//", where it answers "" rather than the root.
    func testOneCharacterPaths() {
        XCTAssertEqual(parentPath(of: "d"), "")
        XCTAssertEqual(parentPath(of: "a/"), "")
        XCTAssertEqual(parentPath(of: "x/d"), "x")
        XCTAssertEqual(parentPath(of: "/d"), "/")
        XCTAssertEqual(parentPath(of: "//"), "/")  // the root (Foundation says "" here)
    }
}
