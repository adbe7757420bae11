import XCTest
@testable import Training

final class LossPlotTests: XCTestCase {
    func testSVGHasOneCurvePerLossAndAllPoints() {
        let records = (0..<5).map { i in
            LossRecord(epoch: 1, epochIter: i, totalIters: i * 10, secondsPerIter: 0.1, dataWaitSeconds: 0,
                       losses: ["G_GAN": Double(i), "D_real": 1])
        }
        let svg = LossPlot.svg(records)
        XCTAssertTrue(svg.hasPrefix("<svg"))
        XCTAssertEqual(svg.components(separatedBy: "<polyline").count - 1, 2)
        XCTAssertTrue(svg.contains(">G_GAN<") && svg.contains(">D_real<"))
        // G_GAN's first point sits on the x axis origin at y = bottom of the plot (20 + 260).
        XCTAssertTrue(svg.contains("points=\"50,280"))
    }

    func testLossLogAppendsAndReads() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("losslog-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = LossLog(path: dir.appendingPathComponent("loss_log.jsonl").path)
        let r1 = LossRecord(epoch: 1, epochIter: 1, totalIters: 1, secondsPerIter: 0.5, dataWaitSeconds: 0.01, losses: ["a": 1.5])
        let r2 = LossRecord(epoch: 1, epochIter: 2, totalIters: 2, secondsPerIter: 0.4, dataWaitSeconds: 0, losses: ["a": 0.5])
        try log.append(r1); try log.append(r2)
        XCTAssertEqual(log.read(), [r1, r2])
    }
}
