import Foundation

/// One image to convert: where to read it and the relative path that names its output.
public struct ConversionItem: Sendable, Equatable {
    /// A file path, or "-" for an image read from stdin.
    public var input: String
    /// Relative path with the input's extension, e.g. "sub/a.jpg"; the output is OUTDIR/sub/a<suffix>.png.
    public var relative: String
    /// Why this entry cannot be converted, when known while listing (missing file, TIFF, ...).
    public var problem: String?

    public init(input: String, relative: String, problem: String? = nil) {
        self.input = input
        self.relative = relative
        self.problem = problem
    }
}

/// The images named by the command line, in order, plus notes about files that were left out on purpose.
public struct InputList: Sendable, Equatable {
    public var items: [ConversionItem] = []
    /// "path: why" for entries skipped without counting as failures (hidden files).
    public var notes: [String] = []
    public init(items: [ConversionItem] = [], notes: [String] = []) {
        self.items = items
        self.notes = notes
    }
}

/// Turns INPUT arguments into the list of images to convert:
/// - a file: converted as is, output named by its base name;
/// - a folder: every image below it (recursive, sorted by path), output keeps the path below the folder;
/// - `-`: newline (or NUL) separated paths from stdin; each keeps its path as listed below OUTDIR (like
///   `rsync -R`: `photos/a.jpg` gives OUTDIR/photos/a.png, `/data/x.jpg` gives OUTDIR/data/x.png).
public enum InputListing {
    /// `readList` is called once, for the first `-` argument (stdin can be read only once).
    public static func collect(arguments: [String], readList: () throws -> [String]) rethrows -> InputList {
        var list = InputList()
        var listRead = false
        for argument in arguments {
            if argument == "-" {
                if listRead { continue }
                listRead = true
                for path in try readList() {
                    guard let relative = listedRelativePath(path) else {
                        list.items.append(ConversionItem(input: path, relative: path,
                            problem: "a listed path with '..' would leave the output folder; list it from a folder above, or give it as an argument"))
                        continue
                    }
                    add(path, relativeBase: relative, isListed: true, to: &list)
                }
            } else {
                add(argument, relativeBase: nil, isListed: false, to: &list)
            }
        }
        return list
    }

    /// Splits stdin's bytes into paths: by NUL with `nulSeparated` (from `find -print0`), else by newline
    /// (a trailing "\r" is removed). Empty entries are dropped.
    public static func parsePathList(_ bytes: [UInt8], nulSeparated: Bool) -> [String] {
        let separator: UInt8 = nulSeparated ? 0 : 10
        return bytes.split(separator: separator, omittingEmptySubsequences: true).compactMap { part in
            var s = String(decoding: part, as: UTF8.self)
            if !nulSeparated, s.hasSuffix("\r") { s.removeLast() }
            return s.isEmpty ? nil : s
        }
    }

    /// A listed path made relative for the output folder: leading "/" and "." parts dropped; nil with "..".
    static func listedRelativePath(_ path: String) -> String? {
        let parts = path.split(separator: "/").filter { $0 != "." }
        if parts.contains("..") { return nil }
        return parts.joined(separator: "/")
    }

    private static func add(_ path: String, relativeBase: String?, isListed: Bool, to list: inout InputList) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            let exists = (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) != nil
            list.items.append(ConversionItem(input: path, relative: relativeBase ?? baseName(path),
                                             problem: exists ? "broken symbolic link" : "no such file or folder"))
            return
        }
        guard isDirectory.boolValue else {
            list.items.append(ConversionItem(input: path, relative: relativeBase ?? baseName(path)))
            return
        }
        let files: ImageFileList
        do {
            files = try listImageFiles(in: path)
        } catch {
            list.items.append(ConversionItem(input: path, relative: relativeBase ?? baseName(path),
                                             problem: reasonOnly(describe(error, path: path), path)))
            return
        }
        func relative(_ file: String) -> String {
            var inside = String(file.dropFirst(path.count))
            while inside.hasPrefix("/") { inside.removeFirst() }
            guard let base = relativeBase, !base.isEmpty else { return inside }
            return base + "/" + inside
        }
        var found = files.paths.map { ConversionItem(input: $0, relative: relative($0)) }
        // Skipped entries: plain non-image names are ignored, TIFF and unreadable things are failures
        // (an image we could not convert), hidden files are a note.
        for entry in files.skipped {
            guard let colon = entry.range(of: ": ") else { continue }
            let file = String(entry[..<colon.lowerBound]), reason = String(entry[colon.upperBound...])
            if reason.hasPrefix("not an image file name") { continue }
            if reason == "hidden file" {
                list.notes.append(entry)
            } else {
                found.append(ConversionItem(input: file, relative: relative(file), problem: reason))
            }
        }
        found.sort { $0.input.utf8.lexicographicallyPrecedes($1.input.utf8) }
        list.items += found
    }

    static func baseName(_ path: String) -> String {
        let name = (path as NSString).lastPathComponent
        return name.isEmpty || name == "/" ? "image" : name
    }

    static func reasonOnly(_ text: String, _ path: String) -> String {
        text.hasPrefix(path + ": ") ? String(text.dropFirst(path.count + 2)) : text
    }
}
