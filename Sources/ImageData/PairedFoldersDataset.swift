/// Paired images in two folders, matched by file name without extension (A/x.jpg with B/x.png;
/// subfolders count as part of the name). Unmatched files are left out with a note. Both images of a
/// pair get the same crop and flip; they are not required to have the same size.
public struct PairedFoldersDataset: ImageDataset {
    public let folderA: String
    public let folderB: String
    /// Matched (A path, B path), sorted by A path.
    public let pairs: [(String, String)]
    public let options: DatasetOptions
    public let notes: [String]

    public init(folderA: String, folderB: String, options: DatasetOptions = DatasetOptions()) throws {
        try options.validate(folderA)
        let listA = try requireImageFiles(in: folderA, maxCount: .max)
        let listB = try requireImageFiles(in: folderB, maxCount: .max)
        var notes = listA.skipped + listB.skipped
        func key(_ path: String, under folder: String) -> String {
            var relative = String(path.dropFirst(folder.count))
            while relative.hasPrefix("/") { relative.removeFirst() }
            if let dot = relative.lastIndex(of: "."), !relative[dot...].contains("/") { relative = String(relative[..<dot]) }
            return relative
        }
        var byName: [String: String] = [:]
        for path in listB.paths {
            let name = key(path, under: folderB)
            if let existing = byName[name] {
                notes.append("\(path): same name as \(existing) in B; using the first")
            } else {
                byName[name] = path
            }
        }
        var pairs: [(String, String)] = []
        var usedB = Set<String>()
        var seenA = Set<String>()
        for path in listA.paths {
            let name = key(path, under: folderA)
            guard seenA.insert(name).inserted else {
                notes.append("\(path): same name as another file in A; using the first")
                continue
            }
            if let b = byName[name] {
                pairs.append((path, b))
                usedB.insert(b)
            } else {
                notes.append("\(path): no file named \(name).* in \(folderB); left out")
            }
        }
        let namedB = Set(byName.values)
        for path in listB.paths where namedB.contains(path) && !usedB.contains(path) {
            notes.append("\(path): no matching file in \(folderA); left out")
        }
        guard !pairs.isEmpty else {
            throw DatasetError(path: folderA, kind: .noPairs,
                               reason: "no file name (without extension) appears in both \(folderA) and \(folderB)")
        }
        if pairs.count > options.maxSize { pairs.removeSubrange(options.maxSize...) }
        self.folderA = folderA
        self.folderB = folderB
        self.pairs = pairs
        self.options = options
        self.notes = notes
    }

    public var count: Int { pairs.count }

    public func sample(at index: Int, rng: inout RNG) throws -> Sample {
        let (pathA, pathB) = pairs[index]
        let (inputPath, targetPath) = options.direction == .aToB ? (pathA, pathB) : (pathB, pathA)
        let input = try options.load(inputPath, channels: options.inputChannels)
        let target = try options.load(targetPath, channels: options.outputChannels)
        let params = options.transform.randomParams(width: input.width, height: input.height, rng: &rng)
        return Sample(a: options.transform.apply(input, params: params),
                      b: options.transform.apply(target, params: params),
                      aPath: inputPath, bPath: targetPath)
    }
}
