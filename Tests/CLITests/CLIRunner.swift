import Foundation
import XCTest

/// Runs the built `translate` executable as a child process (end-to-end tests of the command line).
struct CLIRunner {
    let executable: URL

    /// The `translate` binary next to the test bundle (swift test builds every product into one folder).
    static func locate() throws -> CLIRunner {
        // On Linux the test bundle is one executable in the products folder; elsewhere a bundle inside it.
        var folders = [Bundle(for: Marker.self).bundleURL.deletingLastPathComponent(),
                       Bundle(for: Marker.self).bundleURL]
        if let main = Bundle.main.executableURL { folders.append(main.deletingLastPathComponent()) }
        folders.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent())
        for dir in folders {
            let candidate = dir.appendingPathComponent("translate")
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDir), !isDir.boolValue,
               FileManager.default.isExecutableFile(atPath: candidate.path) {
                return CLIRunner(executable: candidate)
            }
        }
        throw XCTSkip("the translate executable was not built next to the tests")
    }

    struct Result { var status: Int32; var stdout: Data; var stderr: String }

    /// Runs to completion with `stdin` as standard input.
    func run(_ arguments: [String], stdin: Data? = nil, cwd: String? = nil) throws -> Result {
        let process = try start(arguments, cwd: cwd)
        if let stdin { process.stdinPipe.fileHandleForWriting.write(stdin) }
        try? process.stdinPipe.fileHandleForWriting.close()
        return process.finish()
    }

    func start(_ arguments: [String], cwd: String? = nil) throws -> Running {
        let p = Process()
        p.executableURL = executable
        p.arguments = arguments
        if let cwd { p.currentDirectoryURL = URL(fileURLWithPath: cwd) }
        let out = Pipe(), err = Pipe(), input = Pipe()
        p.standardOutput = out; p.standardError = err; p.standardInput = input
        try p.run()
        return Running(process: p, stdoutPipe: out, stderrPipe: err, stdinPipe: input)
    }

    final class Running: @unchecked Sendable {
        let process: Process
        let stdoutPipe: Pipe, stderrPipe: Pipe, stdinPipe: Pipe
        private var outData = Data(), errData = Data()
        private let group = DispatchGroup()
        init(process: Process, stdoutPipe: Pipe, stderrPipe: Pipe, stdinPipe: Pipe) {
            self.process = process; self.stdoutPipe = stdoutPipe; self.stderrPipe = stderrPipe; self.stdinPipe = stdinPipe
            // Drain both pipes while the child runs, so it never blocks on a full pipe.
            group.enter()
            DispatchQueue.global().async { self.outData = stdoutPipe.fileHandleForReading.readDataToEndOfFile(); self.group.leave() }
            group.enter()
            DispatchQueue.global().async { self.errData = stderrPipe.fileHandleForReading.readDataToEndOfFile(); self.group.leave() }
        }
        func finish() -> Result {
            process.waitUntilExit()
            group.wait()
            return Result(status: process.terminationStatus, stdout: outData, stderr: String(decoding: errData, as: UTF8.self))
        }
    }
}

private final class Marker {}
