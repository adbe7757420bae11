import XCTest
@testable import Conversion

final class InputAndPlanTests: XCTestCase {
    var dir: String!
    override func setUpWithError() throws { dir = try makeTemporaryFolder("plan") }
    override func tearDownWithError() throws { if let dir { try? FileManager.default.removeItem(atPath: dir) } }

    private func touch(_ relative: String, _ bytes: [UInt8] = [1]) throws {
        let path = dir + "/" + relative
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
    }

    func testFoldersFilesAndListedPaths() throws {
        for name in ["in/b.jpg", "in/a/x.PNG", "in/a/deep/y.bmp", "in/notes.txt", "in/.hidden.png", "in/t.tiff", "one.jpeg"] {
            try touch(name)
        }
        let list = InputListing.collect(arguments: [dir + "/in", dir + "/one.jpeg", dir + "/missing.png", "-"]) {
            ["\(dir!)/in/b.jpg", "./rel/../up.png"]
        }
        let rows = list.items.map { [$0.relative, $0.problem ?? ""] }
        XCTAssertEqual(rows, [
            ["a/deep/y.bmp", ""], ["a/x.PNG", ""], ["b.jpg", ""],
            ["t.tiff", "TIFF is not supported; convert it to PNG"],
            ["one.jpeg", ""],
            ["missing.png", "no such file or folder"],
            [String((dir + "/in/b.jpg").dropFirst()), ""],
            ["./rel/../up.png", "a listed path with '..' would leave the output folder; list it from a folder above, or give it as an argument"],
        ])
        XCTAssertEqual(list.notes, ["\(dir!)/in/.hidden.png: hidden file"])
    }

    func testPathListParsing() {
        XCTAssertEqual(InputListing.parsePathList(Array("a b.jpg\r\n\nc.png\n".utf8), nulSeparated: false), ["a b.jpg", "c.png"])
        XCTAssertEqual(InputListing.parsePathList(Array("x\ny.png\u{0}z.jpg\u{0}".utf8), nulSeparated: true), ["x\ny.png", "z.jpg"])
        XCTAssertEqual(InputListing.listedRelativePath("/data/./x/a.jpg"), "data/x/a.jpg")
        XCTAssertNil(InputListing.listedRelativePath("a/../../b.jpg"))
    }

    func testOutputsCollisionsAndTheInputIsNeverAnOutput() throws {
        for name in ["in/a.jpg", "in/a.png", "in/b.jpg", "in/s/c.png"] { try touch(name) }
        let items = InputListing.collect(arguments: [dir + "/in", dir + "/in/b.jpg"]) { [] }.items
        // Into a separate folder: a.jpg and a.png both want a.png; b.jpg listed twice is converted once.
        let planner = OutputPlanner(target: .folder(dir + "/out"), suffix: "_fake")
        let plan = planner.plan(items)
        XCTAssertEqual(plan.map(\.output), ["a", "a", "b", "s/c"].map { "\(dir!)/out/\($0)_fake.png" })
        XCTAssertEqual(plan[0].action, .convert)
        XCTAssertEqual(plan[1].action, .fail("its output \(dir!)/out/a_fake.png is also the output of \(dir!)/in/a.jpg; rename one of them or convert them separately"))
        XCTAssertEqual(plan.map(\.key), ["a_fake", "a_fake", "b_fake", "s/c_fake"])
        // Into the input folder itself without a suffix: a.jpg -> a.png is an input file.
        let inPlace = OutputPlanner(target: .folder(dir + "/in"), format: .png).plan(items)
        XCTAssertEqual(inPlace[0].action, .fail("its output \(dir!)/in/a.png is an input file; refusing to overwrite it (choose another output folder or a --suffix)"))
        XCTAssertEqual(inPlace[2].action, .convert)  // b.jpg -> b.png is new
        if case .fail = inPlace[3].action {} else { XCTFail("s/c.png -> s/c.png must be refused") }
        // A symbolic link to an input is refused too, through a differently spelled folder.
        try FileManager.default.createDirectory(atPath: dir + "/out2", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: dir + "/out2/b.png", withDestinationPath: dir + "/in/a.png")
        let linked = OutputPlanner(target: .folder(dir + "/in/../out2")).plan([ConversionItem(input: dir + "/in/b.jpg", relative: "b.jpg"),
                                                                               ConversionItem(input: dir + "/in/a.png", relative: "a.png")])
        if case .fail(let why) = linked[0].action { XCTAssertTrue(why.contains("is an input file"), why) } else { XCTFail("link to input") }
    }

    func testSkipExistingAndShardingAfterCollisions() throws {
        for name in ["in/1.png", "in/2.png", "in/3.png", "in/4.png", "in/5.png"] { try touch(name) }
        try touch("out/2.png", [9, 9])
        try touch("out/3.png", [])  // an empty file (e.g. from a crash of another tool) is redone
        let items = InputListing.collect(arguments: [dir + "/in"]) { [] }.items
        let plan = OutputPlanner(target: .folder(dir + "/out"), skipExisting: true).plan(items)
        XCTAssertEqual(plan.map(\.action), [.convert, .skip, .convert, .convert, .convert])
        let shard = OutputPlanner(target: .folder(dir + "/out"), shard: try Shard(parsing: "2/2")).plan(items)
        XCTAssertEqual(shard.map(\.item.relative), ["2.png", "4.png"])
    }
}
