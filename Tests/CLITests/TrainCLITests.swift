import Foundation
import XCTest

/// `translate train` end to end: usage errors, a tiny run, Ctrl-C and resume.
final class TrainCLITests: XCTestCase {
    var dir: String!
    var cli: CLIRunner!

    override func setUpWithError() throws {
        cli = try CLIRunner.locate()
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("train-cli-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let synth = try cli.run(["datasets", "synth", "--out", dir, "--size", "32", "--count", "6", "--only", "facades"])
        XCTAssertEqual(synth.status, 0, synth.stderr)
    }
    override func tearDownWithError() throws { if let dir { try? FileManager.default.removeItem(atPath: dir) } }

    private func tinyTrain(_ extra: [String]) -> [String] {
        ["train", "--dataroot", dir + "/synth_facades", "--checkpoints-dir", dir + "/ck", "--name", "tiny",
         "--netG", "unet_32", "--ngf", "4", "--ndf", "4", "--load-size", "36", "--crop-size", "32", "--print-freq", "1"] + extra
    }

    func testMissingFolderIsAUsageErrorNamingIt() throws {
        let r = try cli.run(["train", "--dataroot", dir + "/nope"])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains(dir + "/nope"), r.stderr)
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
        let crop = try cli.run(tinyTrain(["--crop-size", "40"]))
        XCTAssertEqual(crop.status, 2)
        XCTAssertTrue(crop.stderr.contains("--crop-size 40"), crop.stderr)
    }

    /// Relative folders named by one character ("d", "a/"): Foundation's path code traps on them on Linux, which
    /// crashed `datasets synth --out d` and `train --domains a/ b/` before they used `parentPath(of:)`.
    func testOneCharacterFolderNames() throws {
        let synth = try cli.run(["datasets", "synth", "--out", "d", "--size", "32", "--count", "4", "--only", "shapes"],
                                cwd: dir)
        XCTAssertEqual(synth.status, 0, synth.stderr)
        let fm = FileManager.default
        try fm.createSymbolicLink(atPath: dir + "/a", withDestinationPath: dir + "/d/synth_shapes/trainA")
        try fm.createSymbolicLink(atPath: dir + "/b", withDestinationPath: dir + "/d/synth_shapes/trainB")
        let r = try cli.run(["train", "--domains", "a/", "b/", "--checkpoints-dir", "ck", "--max-iters", "1",
                             "--netG", "unet_32", "--ngf", "4", "--ndf", "4", "--load-size", "36", "--crop-size", "32"],
                            cwd: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        // Same file names in both folders: pix2pix; the folders' parent is "", so the run is named "run_pix2pix".
        XCTAssertTrue(fm.fileExists(atPath: dir + "/ck/run_pix2pix/latest_net_G.safetensors"),
                      (try? fm.contentsOfDirectory(atPath: dir + "/ck").joined(separator: ", ")) ?? "no ck folder")
    }

    func testTinyRunWritesTheRunFolderAndNothingOnStdout() throws {
        let r = try cli.run(tinyTrain(["--n-epochs", "1", "--n-epochs-decay", "0"]))
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.isEmpty, "stdout must stay clean")
        XCTAssertTrue(r.stderr.contains("pix2pix"), r.stderr)   // paired data -> pix2pix
        for f in ["train_opt.json", "latest_net_G.safetensors", "1_net_D.safetensors", "latest_state.safetensors", "web/index.html"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: "\(dir!)/ck/tiny/\(f)"), f)
        }
    }

    func testInterruptSavesAndResumes() throws {
        let running = try cli.start(tinyTrain(["--n-epochs", "500", "--n-epochs-decay", "0"]))
        // Wait for the first logged step, then press Ctrl-C.
        let log = "\(dir!)/ck/tiny/loss_log.jsonl"
        let deadline = Date().addingTimeInterval(60)
        while !FileManager.default.fileExists(atPath: log) && Date() < deadline { usleep(50_000) }
        kill(running.process.processIdentifier, SIGINT)
        let r = running.finish()
        XCTAssertEqual(r.status, 130, r.stderr)
        XCTAssertTrue(r.stderr.contains("--continue-train"), r.stderr)
        let state = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(dir!)/ck/tiny/latest_state.json"))) as! [String: Any]
        let done = state["totalIters"] as! Int
        XCTAssertGreaterThan(done, 0)

        let resumed = try cli.run(tinyTrain(["--n-epochs", "500", "--n-epochs-decay", "0", "--continue-train", "--max-iters", "\(done + 3)"]))
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertTrue(resumed.stderr.contains("resuming at epoch"), resumed.stderr)
        let after = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(dir!)/ck/tiny/latest_state.json"))) as! [String: Any]
        XCTAssertEqual(after["totalIters"] as? Int, done + 3)
    }
}
