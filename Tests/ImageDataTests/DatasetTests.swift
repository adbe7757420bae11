import Foundation
import XCTest
@testable import ImageData

/// Datasets on temporary folders.
final class DatasetTests: XCTestCase {
    var root = ""
    override func setUpWithError() throws { root = try makeTemporaryFolder("datasets") }
    override func tearDown() { removeFolder(root) }

    private func mkdir(_ path: String) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// A|B file whose left half is all `left`, right half all `right` (gray levels).
    private func writePair(_ path: String, width: Int = 8, height: Int = 4, left: UInt8, right: UInt8) throws {
        try RGBImage.sideBySide([RGBImage(width: width / 2, height: height, fill: left),
                                 RGBImage(width: width / 2, height: height, fill: right)]).write(to: path)
    }

    func testFolderListingIsRecursiveSortedCaseInsensitiveAndNotesSkips() throws {
        try mkdir(root + "/sub/deeper")
        try mkdir(root + "/x.jpg")  // a folder named like an image: walked into, not listed
        for name in ["b.PNG", "a.jpg", "sub/c.JpEg", "sub/deeper/d.bmp", "e.ppm", "x.jpg/inner.png"] {
            try patternImage(width: 2, height: 2).write(to: root + "/" + name, format: name.hasSuffix("bmp") ? .ppm : nil)
        }
        try writeBytes(Array("notes".utf8), to: root + "/readme.txt")
        try writeBytes([0x49, 0x49, 0x2A, 0], to: root + "/scan.TIF")
        try writeBytes([1], to: root + "/.hidden.png")
        let list = try listImageFiles(in: root)
        XCTAssertEqual(list.paths.map { String($0.dropFirst(root.count + 1)) },
                       ["a.jpg", "b.PNG", "e.ppm", "sub/c.JpEg", "sub/deeper/d.bmp", "x.jpg/inner.png"])
        XCTAssertEqual(list.skipped.count, 3)
        XCTAssertTrue(list.skipped.contains { $0.contains("scan.TIF") && $0.contains("TIFF is not supported") })
        XCTAssertTrue(list.skipped.contains { $0.contains("readme.txt") })
        XCTAssertTrue(list.skipped.contains { $0.contains(".hidden.png") })
        XCTAssertEqual(try listImageFiles(in: root, maxCount: 2).paths.count, 2)
        // A single file is a list of one; missing and empty folders are typed errors.
        XCTAssertEqual(try listImageFiles(in: root + "/a.jpg").paths, [root + "/a.jpg"])
        XCTAssertThrowsError(try listImageFiles(in: root + "/missing")) {
            XCTAssertEqual(($0 as? DatasetError)?.kind, .folderNotFound)
        }
        try mkdir(root + "/empty")
        XCTAssertThrowsError(try FolderDataset(folder: root + "/empty")) { XCTAssertEqual(($0 as? DatasetError)?.kind, .noImages) }
    }

    func testAlignedDatasetSplitsHalvesAndFollowsDirection() throws {
        try mkdir(root + "/train")
        for i in 0..<3 { try writePair(root + "/train/\(i).png", left: UInt8(10 * i), right: UInt8(200 + i)) }
        let options = DatasetOptions(transform: TransformOptions(preprocess: .none, flip: false))
        let ds = try AlignedDataset(root: root, phase: "train", options: options)
        XCTAssertEqual(ds.count, 3)
        var rng = RNG(seed: 1)
        let s = try ds.sample(at: 2, rng: &rng)
        XCTAssertEqual(s.a.width, 4)
        XCTAssertEqual(s.a.pixels.first, 20)
        XCTAssertEqual(s.b?.pixels.first, 202)
        XCTAssertEqual(s.aPath, root + "/train/2.png")
        var reversed = options; reversed.direction = .bToA
        let r = try AlignedDataset(root: root, phase: "train", options: reversed).sample(at: 2, rng: &rng)
        XCTAssertEqual(r.a.pixels.first, 202)
        XCTAssertEqual(r.b?.pixels.first, 20)
        // Gray output side, max size.
        var gray = options; gray.outputChannels = 1; gray.maxSize = 2
        let g = try AlignedDataset(root: root, phase: "train", options: gray)
        XCTAssertEqual(g.count, 2)
        XCTAssertEqual(try g.sample(at: 0, rng: &rng).b?.channels, 1)
    }

    func testPairHalvesGetTheSameCropAndFlip() throws {
        // Left and right halves hold the same pattern: after random crop/flip they must stay identical.
        try mkdir(root + "/train")
        let half = patternImage(width: 40, height: 40)
        try RGBImage.sideBySide([half, half]).write(to: root + "/train/p.png")
        let options = DatasetOptions(transform: TransformOptions(loadSize: 46, cropSize: 32))
        let ds = try AlignedDataset(root: root, options: options)
        var rng = RNG(seed: 3)
        var sawFlip = false, sawNoFlip = false
        for _ in 0..<20 {
            let s = try ds.sample(at: 0, rng: &rng)
            XCTAssertEqual(s.a, s.b)
            XCTAssertEqual(s.a.width, 32)
            let unflipped = half.resized(width: 46, height: 46)
            if sawFlip && sawNoFlip { break }
            // Identify the flip by finding the crop in the unflipped or flipped resized image.
            let matchesPlain = (0...14).contains { x in (0...14).contains { y in unflipped.cropped(x: x, y: y, width: 32, height: 32) == s.a } }
            if matchesPlain { sawNoFlip = true } else { sawFlip = true }
        }
        XCTAssertTrue(sawFlip && sawNoFlip)
    }

    func testPairedFoldersMatchByBaseName() throws {
        try mkdir(root + "/A/sub"); try mkdir(root + "/B/sub")
        try RGBImage(width: 4, height: 4, fill: 1).write(to: root + "/A/x.jpg")
        try RGBImage(width: 4, height: 4, fill: 2).write(to: root + "/B/x.png")
        try RGBImage(width: 4, height: 4, fill: 3).write(to: root + "/A/sub/y.png")
        try RGBImage(width: 4, height: 4, fill: 4).write(to: root + "/B/sub/y.ppm")
        try RGBImage(width: 4, height: 4, fill: 5).write(to: root + "/A/only_a.png")
        try RGBImage(width: 4, height: 4, fill: 6).write(to: root + "/B/only_b.png")
        let options = DatasetOptions(transform: TransformOptions(preprocess: .none, flip: false))
        let ds = try PairedFoldersDataset(folderA: root + "/A", folderB: root + "/B", options: options)
        XCTAssertEqual(ds.count, 2)
        XCTAssertEqual(ds.pairs.map { $0.1 }, [root + "/B/sub/y.ppm", root + "/B/x.png"])
        XCTAssertEqual(ds.notes.count, 2)
        XCTAssertTrue(ds.notes.contains { $0.contains("only_a.png") })
        XCTAssertTrue(ds.notes.contains { $0.contains("only_b.png") })
        var rng = RNG(seed: 0)
        let s = try ds.sample(at: 1, rng: &rng)
        XCTAssertEqual(s.b?.pixels.first, 2)
        XCTAssertEqual(s.bPath, root + "/B/x.png")
        try mkdir(root + "/C")
        try RGBImage(width: 4, height: 4).write(to: root + "/C/z.png")
        XCTAssertThrowsError(try PairedFoldersDataset(folderA: root + "/A", folderB: root + "/C")) {
            XCTAssertEqual(($0 as? DatasetError)?.kind, .noPairs)
        }
    }

    func testUnalignedDatasetLengthAndBSelection() throws {
        try mkdir(root + "/trainA"); try mkdir(root + "/trainB")
        for i in 0..<3 { try RGBImage(width: 4, height: 4, fill: UInt8(i)).write(to: root + "/trainA/\(i).png") }
        for i in 0..<5 { try RGBImage(width: 4, height: 4, fill: UInt8(100 + i)).write(to: root + "/trainB/\(i).png") }
        let options = DatasetOptions(transform: TransformOptions(preprocess: .none, flip: false))
        let serial = try UnalignedDataset(root: root, options: options, serialB: true)
        XCTAssertEqual(serial.count, 5)
        var rng = RNG(seed: 0)
        let s4 = try serial.sample(at: 4, rng: &rng)
        XCTAssertEqual(s4.a.pixels.first, 1)      // 4 mod 3
        XCTAssertEqual(s4.b?.pixels.first, 104)   // serial
        let random = try UnalignedDataset(root: root, options: options)
        var seen = Set<UInt8>()
        for i in 0..<60 {
            var r = RNG(seed: UInt64(i))
            seen.insert(try random.sample(at: 0, rng: &r).b!.pixels[0])
        }
        XCTAssertEqual(seen, Set(100...104))
        var reversed = options; reversed.direction = .bToA
        let back = try UnalignedDataset(folderA: root + "/trainA", folderB: root + "/trainB", options: reversed, serialB: true)
        XCTAssertEqual(try back.sample(at: 0, rng: &rng).a.pixels.first, 100)
    }

    func testLoaderShufflesPerEpochWithSeedAndBatches() throws {
        try mkdir(root + "/f")
        for i in 0..<7 { try RGBImage(width: 4, height: 4, fill: UInt8(i * 10)).write(to: root + "/f/\(i).png") }
        let ds = try FolderDataset(folder: root + "/f", options: DatasetOptions(transform: .fixed(size: 4)))
        let loader = BatchLoader(dataset: ds, batchSize: 3, shuffle: true, seed: 9)
        XCTAssertEqual(loader.batchesPerEpoch, 3)
        let e0 = loader.order(epoch: 0), e1 = loader.order(epoch: 1)
        XCTAssertEqual(e0.sorted(), Array(0..<7))
        XCTAssertEqual(e1.sorted(), Array(0..<7))
        XCTAssertNotEqual(e0, e1)
        XCTAssertEqual(e0, BatchLoader(dataset: ds, batchSize: 3, shuffle: true, seed: 9).order(epoch: 0))
        XCTAssertNotEqual(e0, BatchLoader(dataset: ds, batchSize: 3, shuffle: true, seed: 10).order(epoch: 0))
        XCTAssertEqual(BatchLoader(dataset: ds, shuffle: false).order(epoch: 5), Array(0..<7))

        let last = try loader.batch(epoch: 0, index: 2)
        XCTAssertEqual(last.count, 1)
        XCTAssertEqual(last.a.shape, Shape([1, 3, 4, 4]))
        XCTAssertNil(last.b)
        let first = try loader.batch(epoch: 0, index: 0)
        XCTAssertEqual(first.a.shape, Shape([3, 3, 4, 4]))
        XCTAssertEqual(first.indices, Array(e0[0..<3]))
        for (k, index) in first.indices.enumerated() {
            XCTAssertEqual(first.aPaths[k], root + "/f/\(index).png")
            XCTAssertEqual(RGBImage(tensor: first.a, index: k).pixels[0], UInt8(index * 10))
        }
        XCTAssertEqual(BatchLoader(dataset: ds, batchSize: 3, dropLast: true).batchesPerEpoch, 2)
    }

    func testBatchOfDifferentSizesIsATypedError() throws {
        try mkdir(root + "/f")
        try RGBImage(width: 4, height: 4).write(to: root + "/f/a.png")
        try RGBImage(width: 8, height: 4).write(to: root + "/f/b.png")
        let ds = try FolderDataset(folder: root + "/f", options: DatasetOptions(transform: TransformOptions(preprocess: .none)))
        XCTAssertThrowsError(try BatchLoader(dataset: ds, batchSize: 2, shuffle: false).batch(epoch: 0, index: 0)) {
            XCTAssertEqual($0 as? BatchError, .sizeMismatch(path: root + "/f/b.png", got: "8x4x3", expected: "4x4x3"))
        }
    }

    func testInvalidOptionsAreTypedErrors() throws {
        try mkdir(root + "/train")
        try writePair(root + "/train/0.png", left: 0, right: 1)
        let bad = DatasetOptions(transform: TransformOptions(loadSize: 100, cropSize: 256))
        XCTAssertThrowsError(try AlignedDataset(root: root, options: bad)) { XCTAssertEqual(($0 as? DatasetError)?.kind, .invalidOption) }
        let channels = DatasetOptions(inputChannels: 2)
        XCTAssertThrowsError(try AlignedDataset(root: root, options: channels)) { XCTAssertEqual(($0 as? DatasetError)?.kind, .invalidOption) }
    }
}
