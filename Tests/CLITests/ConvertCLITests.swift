import Foundation
import ImageData
import Models
import XCTest

/// `translate convert`, `test` and `eval` end to end, on tiny generators made here.
final class ConvertCLITests: XCTestCase {
    var dir: String!
    var cli: CLIRunner!
    /// A U-Net with batch norm and dropout (pix2pix-like, our metadata) and a plain ResNet state dict.
    var unet: String { dir + "/unet.safetensors" }
    var plainResnet: String { dir + "/resnet_plain.safetensors" }

    override func setUpWithError() throws {
        cli = try CLIRunner.locate()
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("convert-cli-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir + "/in/sub/deeper", withIntermediateDirectories: true)
        var rng = RNG(seed: 3)
        try makeNetwork(.generator("unet_64", ngf: 2, norm: .batch, dropout: true), rng: &rng).save(to: unet)
        var plain = try makeNetwork(.generator("resnet_1blocks", ngf: 2, norm: .instance), rng: &rng).stateDict()
        plain.metadata = [:]
        try plain.write(to: plainResnet)
        // Nested folders, mixed formats and sizes, a gray image, a bad file and a non-image file.
        try image(40, 24, 0).write(to: dir + "/in/a.png")
        try image(33, 20, 1).write(to: dir + "/in/sub/b.jpg")
        try image(17, 9, 2).toGray().write(to: dir + "/in/sub/deeper/c.ppm")
        try image(12, 12, 3).write(to: dir + "/in/sub/deeper/d.bmp.png")
        XCTAssertTrue(FileManager.default.createFile(atPath: dir + "/in/sub/broken.jpg", contents: Data([0xFF, 0xD8, 0xFF, 0xE0, 0, 16])))
        XCTAssertTrue(FileManager.default.createFile(atPath: dir + "/in/README.txt", contents: Data("notes".utf8)))
    }

    override func tearDownWithError() throws { if let dir { try? FileManager.default.removeItem(atPath: dir) } }

    private func image(_ w: Int, _ h: Int, _ seed: Int) -> RGBImage {
        var im = RGBImage(width: w, height: h)
        for y in 0..<h { for x in 0..<w { for c in 0..<3 { im[x: x, y: y, c: c] = UInt8((x * 7 + y * 13 + c * 50 + seed * 31) % 256) } } }
        return im
    }

    private func lines(_ data: Data) -> [String] { String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init) }
    private var goodOutputs: [String] { ["a.png", "sub/b.png", "sub/deeper/c.png", "sub/deeper/d.bmp.png"].map { dir + "/out/" + $0 } }

    func testFolderWithABadFileConvertsTheRestAndExits1() throws {
        let r = try cli.run(["convert", "--model", unet, dir + "/in", "-o", dir + "/out"])
        XCTAssertEqual(r.status, 1, r.stderr)
        // stdout: exactly the written files, in input order.
        XCTAssertEqual(lines(r.stdout), goodOutputs)
        for path in goodOutputs { XCTAssertNotNil(try? RGBImage(contentsOf: path), path) }
        let a = try RGBImage(contentsOf: dir + "/out/a.png")
        XCTAssertEqual([a.width, a.height], [40, 24], "any size in, same size out")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/out/sub/broken.png"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/out/README.png"))
        let errors = r.stderr.split(separator: "\n").map(String.init)
        XCTAssertEqual(errors.count, 2, r.stderr)
        XCTAssertTrue(errors[0].hasPrefix(dir + "/in/sub/broken.jpg: invalid JPEG"), errors[0])
        XCTAssertTrue(errors[1].hasPrefix("translate convert: 4 converted, 1 failed in "), errors[1])
        // No temporary files are left behind.
        let leftovers = FileManager.default.enumerator(atPath: dir + "/out")!.compactMap { $0 as? String }.filter { $0.contains(".tmp-") }
        XCTAssertEqual(leftovers, [])
    }

    func testSkipExistingAndOverlapGiveTheSameFiles() throws {
        let first = try cli.run(["convert", "-m", unet, dir + "/in", "-o", dir + "/out", "--no-overlap", "--seed", "5"])
        XCTAssertEqual(first.status, 1)
        let before = goodOutputs.map { FileManager.default.contents(atPath: $0) }
        try FileManager.default.removeItem(atPath: dir + "/out/sub/b.png")
        let again = try cli.run(["convert", "-m", unet, dir + "/in", "-o", dir + "/out", "--skip-existing", "--seed", "5"])
        XCTAssertEqual(again.status, 1, "the broken file still fails")
        XCTAssertEqual(lines(again.stdout), [dir + "/out/sub/b.png"])
        XCTAssertTrue(again.stderr.contains("1 converted, 3 skipped (exist), 1 failed"), again.stderr)
        XCTAssertEqual(goodOutputs.map { FileManager.default.contents(atPath: $0) }, before, "same seed, same bytes with and without overlap")
    }

    func testShardsCoverTheInputsExactlyOnce() throws {
        var all: [String] = []
        var failures = 0
        for i in 1...3 {
            let r = try cli.run(["convert", "-m", plainResnet, dir + "/in", "-o", dir + "/out", "--shard", "\(i)/3", "--quiet"])
            all += lines(r.stdout)
            failures += r.status == 1 ? 1 : 0
            XCTAssertTrue([0, 1].contains(r.status), r.stderr)
        }
        XCTAssertEqual(all.sorted(), goodOutputs.sorted())
        XCTAssertEqual(failures, 1, "the broken file belongs to one shard only")
        let bad = try cli.run(["convert", "-m", plainResnet, dir + "/in", "-o", dir + "/out", "--shard", "4/3"])
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.stdout.isEmpty)
    }

    func testPathListsFromStdin() throws {
        let listed = ["in/a.png", "in/sub/deeper/c.ppm", "in/missing.png"]
        let r = try cli.run(["convert", "-m", plainResnet, "-", "-o", "out"], stdin: Data(listed.joined(separator: "\n").utf8), cwd: dir)
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(lines(r.stdout), ["out/in/a.png", "out/in/sub/deeper/c.png"])
        XCTAssertTrue(r.stderr.contains("\nin/missing.png: no such file or folder\n"), r.stderr)
        XCTAssertTrue(r.stderr.hasPrefix(plainResnet + ": no architecture in the file's metadata; using resnet_1blocks"), r.stderr)
        // NUL-separated, as from find -print0: a newline inside a name is fine.
        try image(10, 10, 4).write(to: dir + "/in/odd\nname.png")
        let z = try cli.run(["convert", "-m", plainResnet, "-", "--null", "-o", "zout", "--quiet"],
                            stdin: Data("in/odd\nname.png\u{0}in/a.png\u{0}".utf8), cwd: dir)
        XCTAssertEqual(z.status, 0, z.stderr)
        XCTAssertEqual(z.stderr, "")
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/zout/in/odd\nname.png"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/zout/in/a.png"))
    }

    func testImageOnStdinToStdout() throws {
        let jpeg = try image(50, 30, 5).encoded(as: .jpeg)
        let r = try cli.run(["convert", "-m", unet, "-", "-o", "-", "--eval"], stdin: Data(jpeg))
        XCTAssertEqual(r.status, 0, r.stderr)
        let bytes = [UInt8](r.stdout)
        XCTAssertEqual(Array(bytes.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        let out = try RGBImage.decode(bytes, path: "stdout")
        XCTAssertEqual([out.width, out.height], [50, 30])
        XCTAssertTrue(r.stderr.hasPrefix("translate convert: 1 converted"), r.stderr)
        // --eval is deterministic: the same bytes again, and as a file.
        let file = dir + "/x.jpg"
        XCTAssertTrue(FileManager.default.createFile(atPath: file, contents: Data(jpeg)))
        let again = try cli.run(["convert", "-m", unet, file, "-o", "-", "--eval"])
        XCTAssertEqual(again.stdout, r.stdout)
        // A single file may go to stdout; a folder of several images may not; garbage on stdin fails with exit 1.
        let many = try cli.run(["convert", "-m", unet, dir + "/in", "-o", "-"])
        XCTAssertEqual(many.status, 2)
        XCTAssertTrue(many.stdout.isEmpty)
        let garbage = try cli.run(["convert", "-m", unet, "-", "-o", "-"], stdin: Data("hello".utf8))
        XCTAssertEqual(garbage.status, 1)
        XCTAssertTrue(garbage.stdout.isEmpty)
        XCTAssertTrue(garbage.stderr.hasPrefix("<stdin>: not a JPEG, PNG"), garbage.stderr)
    }

    func testNeverOverwritesAnInputAndUsageErrorsExit2() throws {
        let input: String = dir + "/in"
        let before = FileManager.default.contents(atPath: input + "/a.png")
        let r = try cli.run(["convert", "-m", plainResnet, input, "-o", input])
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(FileManager.default.contents(atPath: dir + "/in/a.png"), before)
        XCTAssertTrue(r.stderr.contains("\(dir!)/in/a.png: its output \(dir!)/in/a.png is an input file; refusing to overwrite it"), r.stderr)
        XCTAssertTrue(r.stderr.contains("\(dir!)/in/sub/deeper/d.bmp.png: its output"), r.stderr)
        XCTAssertEqual(Set(lines(r.stdout)), [dir + "/in/sub/b.png", dir + "/in/sub/deeper/c.png"])
        let out: String = dir + "/o"
        let usageErrors: [[String]] = [
            ["convert", "-m", unet, input, "-o", out, "--format", "gif"],
            ["convert", "-m", unet, "-o", out],
            ["convert", "-m", dir + "/nothing", input, "-o", out],
            ["convert", "-m", unet, input, "-o", input + "/a.png"],
            ["convert", "-m", unet, input, "-o", out, "--preprocess", "crop"],
            ["convert", "-m", plainResnet, "--norm", "batch", input, "-o", out],
        ]
        for args in usageErrors {
            let u = try cli.run(args)
            XCTAssertEqual(u.status, 2, "\(args): \(u.stderr)")
            XCTAssertTrue(u.stdout.isEmpty)
            XCTAssertFalse(u.stderr.isEmpty)
        }
    }

    func testTestWritesAResultsPageAndEvalMeasuresIt() throws {
        let data = dir + "/facades/test"
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        for i in 1...2 { try RGBImage.sideBySide([image(64, 64, i), image(64, 64, 9)]).write(to: "\(data)/\(i).png") }
        let run = dir + "/checkpoints/facades"
        try FileManager.default.createDirectory(atPath: run, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: unet, toPath: run + "/latest_net_G.safetensors")
        let r = try cli.run(["test", "--name", "facades", "--checkpoints-dir", dir + "/checkpoints", "--results-dir",
                             dir + "/results", "--dataroot", dir + "/facades", "--load-size", "64"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let folder = dir + "/results/facades/test_latest"
        XCTAssertEqual(lines(r.stdout), [folder + "/index.html"])
        let files = try FileManager.default.contentsOfDirectory(atPath: folder + "/images").sorted()
        XCTAssertEqual(files, ["1_fake_B.png", "1_real_A.png", "1_real_B.png", "2_fake_B.png", "2_real_A.png", "2_real_B.png"])
        let html = try String(contentsOfFile: folder + "/index.html", encoding: .utf8)
        XCTAssertTrue(html.contains(#"src="images/1_real_A.png""#))

        let e = try cli.run(["eval", folder, "--json"])
        XCTAssertEqual(e.status, 0, e.stderr)
        let json = try JSONSerialization.jsonObject(with: e.stdout) as! [String: Any]
        XCTAssertEqual((json["images"] as! [[String: Any]]).count, 2)
        let mean = (json["means"] as! [[String: Any]])[0]
        XCTAssertEqual(mean["group"] as? String, "fake_B")
        XCTAssertEqual(mean["count"] as? Int, 2)
        XCTAssertNotNil(mean["ssim"] as? Double)
    }

    func testEvalOfKnownPairs() throws {
        // real vs a copy (identical) and vs an inverted copy: PSNR of the inversion is 10 log10(255² / MSE).
        try FileManager.default.createDirectory(atPath: dir + "/gt", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: dir + "/pred", withIntermediateDirectories: true)
        var flat = RGBImage(width: 16, height: 16, fill: 100)
        try flat.write(to: dir + "/gt/x.png")
        try flat.write(to: dir + "/gt/y.png")
        try flat.write(to: dir + "/pred/x.ppm")
        flat.pixels = flat.pixels.map { _ in 110 }
        try flat.write(to: dir + "/pred/y.png")
        let r = try cli.run(["eval", dir + "/pred", dir + "/gt"])
        XCTAssertEqual(r.status, 0, r.stderr)
        // Uniform images: SSIM = (2·100·110 + C1) / (100² + 110² + C1) with C1 = 2.55², the contrast term is 1.
        let c1 = 2.55 * 2.55
        let ssim = (2 * 100 * 110 + c1) / (100 * 100 + 110 * 110 + c1)
        XCTAssertEqual(lines(r.stdout), ["name\tpsnr\tssim\tl1", "x\tinf\t1.000000\t0.000000",
                                         "y\t\(String(format: "%.4f", 10 * log10(255.0 * 255 / 100)))\t\(String(format: "%.6f", ssim))\t\(String(format: "%.6f", 10.0 / 255))",
                                         "mean\t28.1308\t\(String(format: "%.6f", (1 + ssim) / 2))\t\(String(format: "%.6f", 5.0 / 255))"])
        XCTAssertEqual(try cli.run(["eval", dir + "/pred", dir + "/nothing"]).status, 2)
    }
}
