import XCTest
@testable import Conversion

final class ConverterTests: XCTestCase {
    var dir: String!
    override func setUpWithError() throws { dir = try makeTemporaryFolder("converter") }
    override func tearDownWithError() throws { if let dir { try? FileManager.default.removeItem(atPath: dir) } }

    /// in/a.png (40x24), in/sub/b.jpg (32x32), in/sub/deeper/c.ppm (gray 17x9), in/sub/bad.png (garbage).
    private func makeInputs() throws {
        try FileManager.default.createDirectory(atPath: dir + "/in/sub/deeper", withIntermediateDirectories: true)
        try patternImage(width: 40, height: 24).write(to: dir + "/in/a.png")
        try patternImage(width: 32, height: 32, seed: 1).write(to: dir + "/in/sub/b.jpg")
        try patternImage(width: 17, height: 9, channels: 1, seed: 2).write(to: dir + "/in/sub/deeper/c.ppm")
        XCTAssertTrue(FileManager.default.createFile(atPath: dir + "/in/sub/bad.png", contents: Data("not an image".utf8)))
    }

    private func convert(_ network: Network, out: String, eval: Bool = false, seed: UInt64 = 0, overlap: Bool = true,
                         shard: Shard? = nil) throws -> (ConversionSummary, [ConversionEvent]) {
        let items = InputListing.collect(arguments: [dir + "/in"]) { [] }.items
        let plan = OutputPlanner(target: .folder(dir + "/" + out), shard: shard).plan(items)
        let converter = Converter(translator: try ImageTranslator(network: network, evaluationMode: eval, seed: seed),
                                  settings: ConversionSettings(overlap: overlap))
        var events: [ConversionEvent] = []
        let summary = converter.run(plan) { event, _ in events.append(event) }
        return (summary, events)
    }

    func testNestedFolderWithABadFileWithAndWithoutOverlap() throws {
        try makeInputs()
        let network = try tinyGenerator("unet_64", norm: .batch, dropout: true)
        let (overlapped, events) = try convert(network, out: "o1")
        let (sequential, _) = try convert(network, out: "o2", overlap: false)
        for summary in [overlapped, sequential] {
            XCTAssertEqual([summary.total, summary.converted, summary.failed, summary.skipped], [4, 3, 1, 0])
        }
        // Events in input order; the bad file names itself and gets no output.
        let described: [String] = events.map { event in
            switch event {
            case .converted(let item, let output): return "ok \(item.item.relative) \(output!.dropFirst(dir.count))"
            case .failed(let item, let reason): return "failed \(item.item.relative): \(reason)"
            case .skipped(let item): return "skipped \(item.item.relative)"
            }
        }
        XCTAssertEqual(described, ["ok a.png /o1/a.png", "ok sub/b.jpg /o1/sub/b.png",
                                   "failed sub/bad.png: not a JPEG, PNG, PPM/PGM or BMP image (unrecognised first bytes 6E 6F 74 20)",
                                   "ok sub/deeper/c.ppm /o1/sub/deeper/c.png"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/o1/sub/bad.png"))
        for name in ["a.png", "sub/b.png", "sub/deeper/c.png"] {
            let one = fileBytes("\(dir!)/o1/\(name)"), two = fileBytes("\(dir!)/o2/\(name)")
            XCTAssertNotNil(one)
            XCTAssertEqual(one, two, "overlap must not change results: \(name)")
        }
        // Sizes are kept; a gray input to an RGB model gives RGB.
        let a = try RGBImage(contentsOf: dir + "/o1/a.png", mode: .native)
        XCTAssertEqual([a.width, a.height, a.channels], [40, 24, 3])
        let c = try RGBImage(contentsOf: dir + "/o1/sub/deeper/c.png", mode: .native)
        XCTAssertEqual([c.width, c.height, c.channels], [17, 9, 3])
    }

    func testResultsDoNotDependOnShardingOrOrder() throws {
        try makeInputs()
        let network = try tinyGenerator("unet_64", norm: .batch, dropout: true)
        _ = try convert(network, out: "all", seed: 3)
        let (summary, _) = try convert(network, out: "part", seed: 3, shard: try Shard(parsing: "2/2"))
        XCTAssertEqual(summary.total, 2)  // sub/b.jpg and sub/deeper/c.ppm
        XCTAssertEqual(fileBytes(dir + "/part/sub/b.png"), fileBytes(dir + "/all/sub/b.png"))
        XCTAssertEqual(fileBytes(dir + "/part/sub/deeper/c.png"), fileBytes(dir + "/all/sub/deeper/c.png"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/part/a.png"))
        // Another seed gives other dropout masks.
        _ = try convert(network, out: "other", seed: 4)
        XCTAssertTrue(fileBytes(dir + "/other/a.png") != fileBytes(dir + "/all/a.png"), "dropout masks follow the seed")
    }

    func testEvalModeIsTheNetworkInEvaluationMode() throws {
        let network = try tinyGenerator("unet_64", norm: .batch, dropout: true)
        // Non-trivial running statistics, so that evaluation and batch statistics differ.
        for (name, buffer) in network.namedBuffers() {
            if case .float(let t) = buffer, name.hasSuffix("running_var") { for i in 0..<t.count { t.data[i] = 2 } }
        }
        let image = patternImage(width: 64, height: 64)
        let translator = try ImageTranslator(network: network, evaluationMode: true)
        let policy = SizePolicy(constraint: translator.constraint)
        let converted = translator.translate(image, key: "k", policy: policy)
        network.eval()
        let direct = RGBImage(tensor: withNoGrad { network(image.toTensor()) })
        XCTAssertEqual(converted, direct)
        let testMode = try ImageTranslator(network: network, evaluationMode: false, seed: 0)
        let a = testMode.translate(image, key: "k", policy: policy), b = testMode.translate(image, key: "k", policy: policy)
        XCTAssertEqual(a, b, "seeded per image")
        XCTAssertTrue(a != converted, "test mode uses batch statistics and dropout")
        XCTAssertTrue(testMode.translate(image, key: "other", policy: policy) != a, "dropout masks follow the key")
    }

    func testImageFromStdinToStdoutAndTheSizeLimit() throws {
        let network = try tinyGenerator("resnet_1blocks", norm: .instance, dropout: false)
        let input = try patternImage(width: 30, height: 21).encoded(as: .jpeg)
        let translator = try ImageTranslator(network: network, evaluationMode: false)
        let converter = Converter(translator: translator, settings: ConversionSettings())
        converter.readStdin = { input }
        var written: [UInt8] = []
        converter.writeStdout = { written += $0 }
        let plan = OutputPlanner(target: .stdout).plan([ConversionItem(input: "-", relative: "stdin")])
        let summary = converter.run(plan) { _, _ in }
        XCTAssertEqual(summary.converted, 1)
        XCTAssertEqual(Array(written.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        let image = try RGBImage.decode(written, path: "stdout")
        XCTAssertEqual([image.width, image.height], [30, 21])

        let small = Converter(translator: translator, settings: ConversionSettings(maxInputPixels: 100))
        small.readStdin = { input }
        var reason = ""
        _ = small.run(plan) { event, _ in if case .failed(_, let r) = event { reason = r } }
        XCTAssertTrue(reason.hasPrefix("30x21 needs a 32x24 network input, more than the limit of 100 pixels"), reason)
    }

    func testStopRequestEndsTheRunEarly() throws {
        try makeInputs()
        let network = try tinyGenerator("resnet_1blocks", norm: .instance, dropout: false)
        let items = InputListing.collect(arguments: [dir + "/in"]) { [] }.items
        let plan = OutputPlanner(target: .folder(dir + "/out")).plan(items)
        for overlap in [true, false] {
            let converter = Converter(translator: try ImageTranslator(network: network, evaluationMode: true),
                                      settings: ConversionSettings(overlap: overlap))
            var asked = 0
            let summary = converter.run(plan, shouldStop: { asked += 1; return asked > 1 }) { _, _ in }
            XCTAssertTrue(summary.stopped)
            XCTAssertEqual(summary.done, 1, "overlap \(overlap)")
        }
    }
}
