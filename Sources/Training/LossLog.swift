import Foundation

/// One logged point: where in training it was taken and the named losses.
public struct LossRecord: Codable, Equatable, Sendable {
    public var epoch: Int
    public var epochIter: Int
    public var totalIters: Int
    public var secondsPerIter: Double
    public var dataWaitSeconds: Double
    public var losses: [String: Double]

    public init(epoch: Int, epochIter: Int, totalIters: Int, secondsPerIter: Double, dataWaitSeconds: Double,
                losses: [String: Double]) {
        self.epoch = epoch; self.epochIter = epochIter; self.totalIters = totalIters
        self.secondsPerIter = secondsPerIter; self.dataWaitSeconds = dataWaitSeconds; self.losses = losses
    }
}

/// `loss_log.jsonl`: one JSON object per line, appended as training goes (a resumed run appends too).
public struct LossLog {
    public let path: String

    public init(path: String) { self.path = path }

    public func append(_ record: LossRecord) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var line = try encoder.encode(record)
        line.append(0x0A)
        if !FileManager.default.fileExists(atPath: path) {
            _ = FileManager.default.createFile(atPath: path, contents: nil)
        }
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw TrainingError(path: path, reason: "cannot open the loss log for writing")
        }
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: line)
    }

    /// Every record in the log (lines that do not parse, e.g. one cut by a crash, are skipped).
    public func read() -> [LossRecord] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        let decoder = JSONDecoder()
        return text.split(separator: "\n").compactMap { try? decoder.decode(LossRecord.self, from: Data($0.utf8)) }
    }
}

/// A training failure that names the file or option involved.
public struct TrainingError: Error, CustomStringConvertible, Sendable {
    public let path: String
    public let reason: String
    public init(path: String, reason: String) { self.path = path; self.reason = reason }
    public var description: String { path.isEmpty ? reason : "\(path): \(reason)" }
}
