import Foundation

/// Image files found under a folder: sorted paths, plus a note for each file that was skipped.
public struct ImageFileList: Sendable, Equatable {
    public var paths: [String]
    /// "path: why" for files that are not images we can read (wrong extension, TIFF, hidden files).
    public var skipped: [String]
}

/// Lists image files under `folder` like the reference's `make_dataset`: recursive, files whose
/// extension is an image extension in any case (.jpg .jpeg .png .ppm .pgm .pnm .bmp), sorted by path
/// (byte order), the first `maxCount` kept. TIFF files, hidden files (".name") and other files are
/// skipped with a note. A path that is a single image file gives a list of that one file.
public func listImageFiles(in folder: String, maxCount: Int = .max) throws -> ImageFileList {
    let fm = FileManager.default
    var isDirectory: ObjCBool = false
    guard fm.fileExists(atPath: folder, isDirectory: &isDirectory) else {
        throw DatasetError(path: folder, kind: .folderNotFound, reason: "no such folder")
    }
    if !isDirectory.boolValue {
        let ext = (folder as NSString).pathExtension.lowercased()
        guard ImageFormat.imageExtensions.contains(ext) else {
            throw DatasetError(path: folder, kind: .notAFolder, reason: "is a file without an image extension, not a folder")
        }
        return ImageFileList(paths: [folder], skipped: [])
    }
    var paths: [String] = []
    var skipped: [String] = []
    var visited = Set<String>()
    func walk(_ dir: String, depth: Int) {
        // Symlinked folders can form loops: remember real paths and stop at a sane depth.
        let real = (dir as NSString).resolvingSymlinksInPath
        guard depth < 64, visited.insert(real).inserted else {
            skipped.append("\(dir): folder already visited or nested too deep (symlink loop?)")
            return
        }
        guard let names = try? fm.contentsOfDirectory(atPath: dir) else {
            skipped.append("\(dir): folder cannot be read")
            return
        }
        for name in names {
            let path = dir.hasSuffix("/") ? dir + name : dir + "/" + name
            var sub: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &sub) else {
                skipped.append("\(path): broken link")
                continue
            }
            if sub.boolValue {
                if !name.hasPrefix(".") { walk(path, depth: depth + 1) }
                continue
            }
            let ext = (name as NSString).pathExtension.lowercased()
            if name.hasPrefix(".") {
                if ImageFormat.imageExtensions.contains(ext) { skipped.append("\(path): hidden file") }
            } else if ext == "tif" || ext == "tiff" {
                skipped.append("\(path): TIFF is not supported; convert it to PNG")
            } else if ImageFormat.imageExtensions.contains(ext) {
                paths.append(path)
            } else {
                skipped.append("\(path): not an image file name (.\(ext))")
            }
        }
    }
    walk(folder, depth: 0)
    paths.sort { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    skipped.sort()
    if paths.count > maxCount { paths.removeSubrange(max(maxCount, 0)...) }
    return ImageFileList(paths: paths, skipped: skipped)
}

/// `listImageFiles` that also requires at least one image.
func requireImageFiles(in folder: String, maxCount: Int) throws -> ImageFileList {
    let list = try listImageFiles(in: folder, maxCount: maxCount)
    if list.paths.isEmpty {
        let why = list.skipped.isEmpty ? "" : " (\(list.skipped.count) other files skipped, e.g. \(list.skipped[0]))"
        throw DatasetError(path: folder, kind: .noImages,
                           reason: "no images found (looked for .jpg .jpeg .png .ppm .pgm .bmp, any case, recursively)\(why)")
    }
    return list
}
