import Foundation
import ImageData

/// Output file formats of `convert`.
public enum OutputFormat: String, Sendable, CaseIterable {
    case png, jpg

    public init?(name: String) {
        switch name.lowercased() {
        case "png": self = .png
        case "jpg", "jpeg": self = .jpg
        default: return nil
        }
    }

    public var imageFormat: ImageFormat { self == .png ? .png : .jpeg }
    public var fileExtension: String { rawValue }
}

/// Where converted images go: a folder tree mirroring the inputs, or stdout (exactly one image).
public enum OutputTarget: Sendable, Equatable {
    case folder(String)
    case stdout
}

/// One entry of the work list after planning.
public struct PlannedItem: Sendable, Equatable {
    public enum Action: Sendable, Equatable {
        case convert
        /// `--skip-existing` and the output is there.
        case skip
        /// Known to fail before decoding (missing input, output collision, would overwrite an input).
        case fail(String)
    }
    public var item: ConversionItem
    /// The output file, or nil for stdout.
    public var output: String?
    public var action: Action
    /// Seeds this image's dropout (the output's relative path, so results do not depend on sharding or order).
    public var key: String
}

/// Maps inputs to outputs and decides what to do with each: OUTDIR/<relative path without extension><suffix>.<ext>.
/// Outputs that two inputs would share are refused for the later input (e.g. a.jpg and a.png in one folder);
/// an output that resolves (symbolic links followed) to one of the input files, or is the same file by inode,
/// is refused: inputs are never overwritten.
public struct OutputPlanner {
    public var target: OutputTarget
    public var format: OutputFormat
    public var suffix: String
    public var skipExisting: Bool
    public var shard: Shard?

    public init(target: OutputTarget, format: OutputFormat = .png, suffix: String = "", skipExisting: Bool = false,
                shard: Shard? = nil) {
        self.target = target
        self.format = format
        self.suffix = suffix
        self.skipExisting = skipExisting
        self.shard = shard
    }

    /// The output path for a relative input path.
    public func outputPath(for relative: String) -> String? {
        guard case .folder(let folder) = target else { return nil }
        let stem = (relative as NSString).deletingPathExtension
        let name = stem + suffix + "." + format.fileExtension
        return folder.hasSuffix("/") || folder.isEmpty ? folder + name : folder + "/" + name
    }

    public func plan(_ items: [ConversionItem]) -> [PlannedItem] {
        // Collisions and input identities over the whole list, so every shard decides the same way.
        var claimed: [String: String] = [:]
        let inputs = InputIdentities(items.filter { $0.problem == nil && $0.input != "-" }.map(\.input))
        var planned: [PlannedItem] = []
        planned.reserveCapacity(items.count)
        for item in items {
            let output = outputPath(for: item.relative)
            let key = output.map { _ in (item.relative as NSString).deletingPathExtension + suffix } ?? item.relative
            var action = PlannedItem.Action.convert
            if let problem = item.problem {
                action = .fail(problem)
            } else if let output {
                let normalized = (output as NSString).standardizingPath
                if let first = claimed[normalized] {
                    if first == item.input { continue }  // the same file listed twice: converted once
                    action = .fail("its output \(output) is also the output of \(first); rename one of them or convert them separately")
                } else {
                    claimed[normalized] = item.input
                    if inputs.contains(output) {
                        action = .fail("its output \(output) is an input file; refusing to overwrite it (choose another output folder or a --suffix)")
                    }
                }
            }
            planned.append(PlannedItem(item: item, output: output, action: action, key: key))
        }
        if let shard { planned = shard.select(planned) }
        if skipExisting {
            for i in planned.indices where planned[i].action == .convert {
                if let output = planned[i].output, OutputPlanner.isNonEmptyFile(output) { planned[i].action = .skip }
            }
        }
        return planned
    }

    static func isNonEmptyFile(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG && info.st_size > 0
    }
}

/// The input files by resolved path and by (device, inode), to recognise an output that is an input.
struct InputIdentities {
    private var paths = Set<String>()
    private var inodes = Set<[UInt64]>()

    init(_ inputs: [String]) {
        for input in inputs {
            paths.insert(InputIdentities.resolve(input))
            var info = stat()
            if stat(input, &info) == 0 { inodes.insert([UInt64(info.st_dev), UInt64(info.st_ino)]) }
        }
    }

    func contains(_ path: String) -> Bool {
        if paths.contains(InputIdentities.resolve(path)) { return true }
        var info = stat()
        return stat(path, &info) == 0 && inodes.contains([UInt64(info.st_dev), UInt64(info.st_ino)])
    }

    /// realpath(3) of the longest existing prefix, with the rest appended (the output may not exist yet).
    static func resolve(_ path: String) -> String {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        var head = (absolute as NSString).standardizingPath
        var tail: [String] = []
        while true {
            if let real = realpath(head, nil) {
                defer { free(real) }
                var result = String(cString: real)
                for part in tail.reversed() { result += (result.hasSuffix("/") ? "" : "/") + part }
                return result
            }
            let parent = parentPath(of: head)
            if parent == head || parent.isEmpty { return (absolute as NSString).standardizingPath }
            tail.append((head as NSString).lastPathComponent)
            head = parent
        }
    }
}
