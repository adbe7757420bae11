import ArgumentParser
import Foundation

/// Writes one line to stderr.
func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

/// A failure the CLI reports as one line on stderr with a stable exit code:
/// 1 for a failed job, 2 for a usage error (wrong options or data that cannot be used as given).
enum CLIError: Error, CustomStringConvertible {
    case failure(String)
    case usage(String)
    var description: String { switch self { case .failure(let s), .usage(let s): return s } }
    var exitCode: Int32 { if case .usage = self { return 2 } else { return 1 } }
}

/// SIGINT/SIGTERM: the first asks the job to stop after the current step; a second one exits at once.
enum StopSignal {
    nonisolated(unsafe) static var requested = false
    static func install() {
        for sig in [SIGINT, SIGTERM] {
            signal(sig) { _ in
                if StopSignal.requested { _exit(130) }
                StopSignal.requested = true
                let message = "\ntranslate: stopping after this step (press Ctrl-C again to quit at once)\n"
                _ = message.withCString { write(STDERR_FILENO, $0, strlen($0)) }
            }
        }
    }
}

/// A one-line progress bar on stderr (only used when stderr is a terminal).
final class ProgressBar {
    let label: String
    private var lastDraw: UInt64 = 0
    init(label: String) { self.label = label }

    func update(prefix: String, done: Int, total: Int, secondsPerItem: Double, suffix: String) {
        let now = DispatchTime.now().uptimeNanoseconds
        guard done == total || now - lastDraw > 100_000_000 else { return }
        lastDraw = now
        let width = 24
        let filled = total > 0 ? min(width, done * width / total) : 0
        let eta = Double(total - done) * secondsPerItem
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let line = String(format: "\r\u{1B}[K%@ [%@] %d/%d %.2fs/it ETA %@ %@", prefix, bar, done, total, secondsPerItem,
                          formatDuration(eta), suffix)
        FileHandle.standardError.write(Data(line.utf8))
    }
}

func formatDuration(_ seconds: Double) -> String {
    let s = Int(seconds.rounded())
    return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
}
