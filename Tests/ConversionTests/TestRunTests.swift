import XCTest
@testable import Conversion

final class TestRunTests: XCTestCase {
    var dir: String!
    override func setUpWithError() throws { dir = try makeTemporaryFolder("testrun") }
    override func tearDownWithError() throws { if let dir { try? FileManager.default.removeItem(atPath: dir) } }

    private func mkdir(_ path: String) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func testPix2PixOnAlignedPairs() throws {
        try mkdir(dir + "/data/test")
        for i in 1...3 {
            try RGBImage.sideBySide([patternImage(width: 40, height: 40, seed: i), patternImage(width: 40, height: 40, seed: 9)])
                .write(to: "\(dir!)/data/test/\(i).jpg")
        }
        try mkdir(dir + "/checkpoints/facades")
        try tinyGenerator("unet_32").save(to: dir + "/checkpoints/facades/latest_net_G.safetensors")
        XCTAssertTrue(FileManager.default.createFile(atPath: dir + "/checkpoints/facades/train_opt.json",
                                       contents: Data(#"{"dataroot": "\#(dir!)/data", "cropSize": 32, "model": "pix2pix"}"#.utf8)))
        var options = TestRunOptions(name: "facades")
        options.checkpointsDir = dir + "/checkpoints"
        options.resultsDir = dir + "/results"
        options.numTest = 2
        var problems: [String] = []
        let summary = try TestRun.run(options) { problems.append($0) }
        XCTAssertEqual(problems, [])
        XCTAssertEqual(summary.folder, dir + "/results/facades/test_latest")
        XCTAssertEqual([summary.rows, summary.imagesWritten, summary.failed], [2, 6, 0])
        for base in ["1", "2"] {
            for label in ["real_A", "fake_B", "real_B"] {
                let image = try RGBImage(contentsOf: "\(summary.folder)/images/\(base)_\(label).png")
                XCTAssertEqual([image.width, image.height], [32, 32], "resized to the run's crop size")
            }
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: summary.folder + "/images/3_real_A.png"))
        let html = try String(contentsOfFile: summary.indexPath, encoding: .utf8)
        XCTAssertTrue(html.contains("<title>Experiment = facades, Phase = test, Epoch = latest</title>"))
        XCTAssertTrue(html.contains("<h3>2</h3>"))
        XCTAssertTrue(html.contains(#"<img src="images/2_fake_B.png" style="width:256px">"#))
        XCTAssertTrue(html.contains("<p>real_B</p>"))
        // The results folder is what eval reads.
        let match = try EvalPairing.results(summary.folder)
        XCTAssertEqual(match.pairs.map(\.name), ["1", "2"])
    }

    func testCycleGANOnUnalignedFoldersAndSingleMode() throws {
        try mkdir(dir + "/h2z/testA")
        try mkdir(dir + "/h2z/testB")
        try patternImage(width: 20, height: 12, seed: 1).write(to: dir + "/h2z/testA/horse1.png")
        try patternImage(width: 20, height: 12, seed: 2).write(to: dir + "/h2z/testA/horse2.png")
        for i in 1...3 { try patternImage(width: 16, height: 16, seed: 3 + i).write(to: "\(dir!)/h2z/testB/zebra\(i).png") }
        XCTAssertTrue(FileManager.default.createFile(atPath: dir + "/h2z/testA/broken.png", contents: Data([0x89, 0x50])))
        try mkdir(dir + "/ck/h2z")
        try tinyGenerator("resnet_1blocks", norm: .instance, dropout: false, seed: 1).save(to: dir + "/ck/h2z/latest_net_G_A.safetensors")
        try tinyGenerator("resnet_1blocks", norm: .instance, dropout: false, seed: 2).save(to: dir + "/ck/h2z/latest_net_G_B.safetensors")
        var options = TestRunOptions(name: "h2z")
        options.checkpointsDir = dir + "/ck"
        options.resultsDir = dir + "/results"
        options.dataroot = dir + "/h2z"
        options.size = .none
        var problems: [String] = []
        let summary = try TestRun.run(options) { problems.append($0) }
        XCTAssertEqual(problems.count, 1)
        XCTAssertTrue(problems[0].hasPrefix(dir + "/h2z/testA/broken.png: "), problems[0])
        XCTAssertEqual([summary.rows, summary.imagesWritten, summary.failed], [3, 15, 1])
        let files = Set(try FileManager.default.contentsOfDirectory(atPath: summary.folder + "/images"))
        var expected = Set<String>()
        for base in ["horse1", "horse2"] { for l in ["real_A", "fake_B", "rec_A"] { expected.insert("\(base)_\(l).png") } }
        for base in ["zebra1", "zebra2", "zebra3"] { for l in ["real_B", "fake_A", "rec_B"] { expected.insert("\(base)_\(l).png") } }
        XCTAssertEqual(files, expected)
        let fake = try RGBImage(contentsOf: summary.folder + "/images/horse1_fake_B.png")
        XCTAssertEqual([fake.width, fake.height], [20, 12], "--preprocess none keeps the size")

        options.datasetMode = .single
        options.direction = .bToA
        options.phase = "testB"
        options.dataroot = dir + "/h2z/testB"
        let single = try TestRun.run(options)
        XCTAssertEqual(single.folder, dir + "/results/h2z/testB_latest")
        XCTAssertEqual(Set(try FileManager.default.contentsOfDirectory(atPath: single.folder + "/images")),
                       Set((1...3).flatMap { ["zebra\($0)_real.png", "zebra\($0)_fake.png"] }))
    }

    func testMissingRunAndDataAreUsageErrors() throws {
        var options = TestRunOptions(name: "nope")
        options.checkpointsDir = dir
        XCTAssertThrowsError(try TestRun.run(options)) { error in
            XCTAssertEqual((error as? ConversionError)?.isUsage, true)
            XCTAssertEqual("\(error)", "\(dir!)/nope: no such run folder")
        }
        try mkdir(dir + "/run")
        try tinyGenerator("resnet_1blocks", norm: .instance, dropout: false).save(to: dir + "/run/latest_net_G.safetensors")
        options.name = "run"
        XCTAssertThrowsError(try TestRun.run(options)) { error in
            XCTAssertEqual("\(error)", "\(dir!)/run: no --dataroot given and none recorded in train_opt.json")
        }
    }

    func testResultsPageEscapesNames() {
        let page = ResultsPage(title: "a<b", rows: [.init(header: "x&y", images: [("fake_B", "x&y #1_fake_B.png")])])
        let html = page.html()
        XCTAssertTrue(html.contains("<title>a&lt;b</title>"))
        XCTAssertTrue(html.contains("<h3>x&amp;y</h3>"))
        XCTAssertTrue(html.contains(#"href="images/x&amp;y%20%231_fake_B.png""#), html)
    }
}
