import XCTest
@testable import ImageData

final class SyntheticDataTests: XCTestCase {
    func testGeneratedDatasetsHaveTheLayoutAndAreDeterministic() throws {
        let root = try makeTemporaryFolder("synth")
        defer { removeFolder(root) }
        try SyntheticData.writeFacades(root: root + "/f", size: 32, trainCount: 6, testCount: 2, seed: 5)
        try SyntheticData.writeShapes(root: root + "/s", size: 32, trainCount: 4, testCount: 2, seed: 5)
        let aligned = try AlignedDataset(root: root + "/f", phase: "train",
                                         options: DatasetOptions(transform: TransformOptions(preprocess: .none, flip: false)))
        XCTAssertEqual(aligned.count, 6)
        XCTAssertEqual(aligned.paths.first, root + "/f/train/0000.png")
        XCTAssertEqual(try listImageFiles(in: root + "/f/test").paths.count, 2)
        let file = try RGBImage(contentsOf: root + "/f/train/0003.png")
        XCTAssertEqual(file.width, 64)
        XCTAssertEqual(file.height, 32)
        // The label half uses only label colours; the rendering does not.
        let (label, rendering) = file.splitHalves()
        let labelColors = Set(SyntheticData.facadeLabelColors.map { [$0.0, $0.1, $0.2] })
        for y in 0..<32 { for x in 0..<32 {
            let (r, g, b) = label.rgb(x: x, y: y)
            XCTAssertTrue(labelColors.contains([r, g, b]))
        } }
        var renderedColors = Set<[UInt8]>()
        for y in 0..<32 { for x in 0..<32 { let (r, g, b) = rendering.rgb(x: x, y: y); renderedColors.insert([r, g, b]) } }
        XCTAssertGreaterThan(renderedColors.count, 20)
        XCTAssertTrue(renderedColors.isDisjoint(with: labelColors))

        let unaligned = try UnalignedDataset(root: root + "/s", phase: "test")
        XCTAssertEqual(unaligned.count, 2)
        // Night is darker than day.
        let day = try RGBImage(contentsOf: root + "/s/trainA/0000.png"), night = try RGBImage(contentsOf: root + "/s/trainB/0000.png")
        XCTAssertGreaterThan(day.pixels.reduce(0) { $0 + Int($1) }, 2 * night.pixels.reduce(0) { $0 + Int($1) })

        // Same seed, same bytes; the first images do not depend on the count; another seed differs.
        try SyntheticData.writeFacades(root: root + "/g", size: 32, trainCount: 3, testCount: 1, seed: 5)
        XCTAssertEqual(try FileBytes.read(root + "/g/train/0002.png"), try FileBytes.read(root + "/f/train/0002.png"))
        try SyntheticData.writeFacades(root: root + "/h", size: 32, trainCount: 1, testCount: 1, seed: 6)
        XCTAssertNotEqual(try FileBytes.read(root + "/h/train/0000.png"), try FileBytes.read(root + "/f/train/0000.png"))
        // Re-running with a smaller count removes the numbered files beyond it.
        try SyntheticData.writeFacades(root: root + "/f", size: 32, trainCount: 2, testCount: 2, seed: 5)
        XCTAssertEqual(try listImageFiles(in: root + "/f/train").paths.count, 2)
    }
}
