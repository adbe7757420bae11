import Foundation

/// How the test images are laid out (the reference's `--dataset_mode`).
public enum TestDatasetMode: String, Sendable, CaseIterable {
    /// A|B side-by-side files in DATAROOT/<phase> (pix2pix facades layout).
    case aligned
    /// DATAROOT/<phase>A and DATAROOT/<phase>B (CycleGAN layout).
    case unaligned
    /// One folder of images, translated one way.
    case single
}

/// Options of `translate test`.
public struct TestRunOptions: Sendable {
    public var name: String
    public var checkpointsDir = "./checkpoints"
    public var resultsDir = "./results"
    /// Default: the run's `dataroot` from train_opt.json.
    public var dataroot: String?
    public var phase = "test"
    public var epoch = "latest"
    /// nil: detect (phaseA+phaseB: unaligned, phase: aligned, else the folder itself: single).
    public var datasetMode: TestDatasetMode?
    /// Default: the run's direction, else AtoB.
    public var direction: Direction?
    public var evaluationMode = false
    public var seed: UInt64 = 0
    /// Images to test; nil: all (the reference stops at 50 by default; we do not).
    public var numTest: Int?
    /// Sizing, like the reference's test: resize to the load size (default: the run's crop size, else 256).
    public var size: SizeMode = .resize
    public var loadSize: Int?

    public init(name: String) { self.name = name }
}

public struct TestRunSummary: Sendable {
    /// results/<name>/<phase>_<epoch>
    public let folder: String
    public let indexPath: String
    public let rows: Int
    public let imagesWritten: Int
    public let failed: Int
    public let seconds: Double
    public let description: String
}

/// A reference-style test run: translates the test images with the run's generator(s) and writes
/// `results/<name>/<phase>_<epoch>/images/<base>_<label>.png` and `index.html` (rows of real_A, fake_B, real_B for
/// pix2pix; real_A, fake_B, rec_A, real_B, fake_A, rec_B for CycleGAN; real, fake for single folders).
public enum TestRun {
    public static func run(_ options: TestRunOptions, onProblem: (String) -> Void = { _ in }) throws -> TestRunSummary {
        let start = DispatchTime.now().uptimeNanoseconds
        let run = try RunFolder(path: (options.checkpointsDir as NSString).appendingPathComponent(options.name))
        let trained = run.trainOptions
        let cycle = run.isCycleGAN(epoch: options.epoch)
        let direction = options.direction ?? trained?.direction.flatMap(Direction.init(rawValue:)) ?? .aToB

        // Generators.
        let gA: ImageTranslator, gB: ImageTranslator?
        if cycle {
            guard run.has(epoch: options.epoch, network: "G_B") else {
                throw ConversionError.usage(run.path, "has \(options.epoch)_net_G_A but no \(options.epoch)_net_G_B.safetensors")
            }
            gA = try translator(run, "G_A", options)
            gB = try translator(run, "G_B", options)
        } else {
            _ = try run.generatorName(options: ModelOptions(epoch: options.epoch))  // clear error when nothing is there
            gA = try translator(run, "G", options)
            gB = nil
        }

        // Data.
        guard let root = options.dataroot ?? trained?.dataroot else {
            throw ConversionError.usage(run.path, "no --dataroot given and none recorded in train_opt.json")
        }
        let layout = try detectLayout(root: root, phase: options.phase, mode: options.datasetMode)
        let policy = SizePolicy(mode: options.size, loadSize: options.loadSize ?? trained?.cropSize ?? 256,
                                constraint: gA.constraint)
        let web = ((options.resultsDir as NSString).appendingPathComponent(options.name) as NSString)
            .appendingPathComponent("\(options.phase)_\(options.epoch)")
        let imagesFolder = (web as NSString).appendingPathComponent("images")
        do {
            try FileManager.default.createDirectory(atPath: imagesFolder, withIntermediateDirectories: true)
        } catch {
            throw ConversionError(path: imagesFolder, reason: "cannot create the results folder: \((error as NSError).localizedDescription)")
        }

        var page = ResultsPage(title: "Experiment = \(options.name), Phase = \(options.phase), Epoch = \(options.epoch)")
        var written = 0, failed = 0
        var usedBases = Set<String>()
        func baseName(_ path: String, under folder: String) -> String {
            var base = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
            if usedBases.contains(base) {
                // Same stem in two subfolders: the relative path keeps them apart.
                var relative = String(path.dropFirst(folder.count))
                while relative.hasPrefix("/") { relative.removeFirst() }
                base = (relative as NSString).deletingPathExtension.replacingOccurrences(of: "/", with: "_")
            }
            usedBases.insert(base)
            return base
        }
        func save(_ images: [(String, RGBImage)], base: String) -> [(label: String, file: String)] {
            var cells: [(label: String, file: String)] = []
            for (label, image) in images {
                let file = "\(base)_\(label).png"
                do {
                    try image.write(to: (imagesFolder as NSString).appendingPathComponent(file), format: .png)
                    cells.append((label, file))
                    written += 1
                } catch {
                    onProblem("\(error)")
                    failed += 1
                }
            }
            return cells
        }
        func load(_ path: String, channels: Int) -> RGBImage? {
            do {
                return try RGBImage(contentsOf: path, mode: ColorMode(channels: channels))
            } catch {
                onProblem(describe(error, path: path))
                failed += 1
                return nil
            }
        }
        /// Real image (as the network sees it) → fake (→ reconstruction).
        func chain(_ image: RGBImage, key: String, forward: ImageTranslator, back: ImageTranslator?) -> (RGBImage, RGBImage, RGBImage?) {
            let real = policy.prepare(image.withChannels(forward.inputChannels)).image
            let fake = forward.translate(real, key: key + ":fake", policy: policy)
            let rec = back.map { $0.translate(fake, key: key + ":rec", policy: policy) }
            return (real, fake, rec)
        }

        let limit = options.numTest ?? .max
        var rows = 0
        let description: String
        switch layout {
        case .aligned(let folder):
            let paths = try imageList(folder)
            description = "\(cycle ? "CycleGAN" : "pix2pix") on A|B pairs in \(folder)"
            for path in paths.prefix(limit) {
                guard let ab = load(path, channels: 3) else { continue }
                guard ab.width >= 2 else {
                    onProblem("\(path): is \(ab.width) pixel wide; an A|B pair needs at least 2"); failed += 1; continue
                }
                let (left, right) = ab.splitHalves()
                let (input, target) = direction == .aToB ? (left, right) : (right, left)
                let base = baseName(path, under: folder)
                var images: [(String, RGBImage)] = []
                let (realA, fakeB, recA) = chain(input, key: base + ":A", forward: gA, back: gB)
                images += [("real_A", realA), ("fake_B", fakeB)]
                if let recA { images.append(("rec_A", recA)) }
                if let gB {
                    let (realB, fakeA, recB) = chain(target, key: base + ":B", forward: gB, back: gA)
                    images += [("real_B", realB), ("fake_A", fakeA)]
                    if let recB { images.append(("rec_B", recB)) }
                } else {
                    images.append(("real_B", policy.prepare(target.withChannels(gA.outputChannels)).image))
                }
                page.rows.append(.init(header: base, images: save(images, base: base)))
                rows += 1
            }
        case .unaligned(let folderA, let folderB):
            let pathsA = try imageList(folderA), pathsB = try imageList(folderB)
            // Row i: A[i] through G_A (and back through G_B), B[i] through G_B (and back); each part named
            // after its own file. pix2pix translates the input side only.
            let (inputPaths, inputFolder) = direction == .aToB || cycle ? (pathsA, folderA) : (pathsB, folderB)
            description = cycle ? "CycleGAN on \(folderA) and \(folderB)" : "pix2pix on \(inputFolder)"
            let count = cycle ? max(pathsA.count, pathsB.count) : inputPaths.count
            for i in 0..<min(count, limit) {
                var cells: [(label: String, file: String)] = []
                var headers: [String] = []
                if i < inputPaths.count, let a = load(inputPaths[i], channels: gA.inputChannels) {
                    let base = baseName(inputPaths[i], under: inputFolder)
                    let (realA, fakeB, recA) = chain(a, key: "A/" + base, forward: gA, back: gB)
                    var images = [("real_A", realA), ("fake_B", fakeB)]
                    if let recA { images.append(("rec_A", recA)) }
                    cells += save(images, base: base)
                    headers.append(base)
                }
                if let gB, i < pathsB.count, let b = load(pathsB[i], channels: gB.inputChannels) {
                    let base = baseName(pathsB[i], under: folderB)
                    let (realB, fakeA, recB) = chain(b, key: "B/" + base, forward: gB, back: gA)
                    cells += save([("real_B", realB), ("fake_A", fakeA), ("rec_B", recB!)], base: base)
                    if !headers.contains(base) { headers.append(base) }
                }
                if !cells.isEmpty {
                    page.rows.append(.init(header: headers.joined(separator: " | "), images: cells))
                    rows += 1
                }
            }
        case .single(let folder):
            // One direction: pix2pix's G, or the CycleGAN generator of the chosen direction.
            let forward = cycle && direction == .bToA ? gB! : gA
            description = "\(cycle ? "CycleGAN \(direction == .bToA ? "G_B" : "G_A")" : "pix2pix") on \(folder)"
            for path in try imageList(folder).prefix(limit) {
                guard let image = load(path, channels: forward.inputChannels) else { continue }
                let base = baseName(path, under: folder)
                let (real, fake, _) = chain(image, key: base, forward: forward, back: nil)
                page.rows.append(.init(header: base, images: save([("real", real), ("fake", fake)], base: base)))
                rows += 1
            }
        }
        try page.write(toFolder: web)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return TestRunSummary(folder: web, indexPath: (web as NSString).appendingPathComponent("index.html"),
                              rows: rows, imagesWritten: written, failed: failed, seconds: seconds, description: description)
    }

    private static func translator(_ run: RunFolder, _ network: String, _ options: TestRunOptions) throws -> ImageTranslator {
        let loaded = try GeneratorLoader.loadFile(run.file(epoch: options.epoch, network: network), options: ModelOptions())
        return try ImageTranslator(network: loaded.network, evaluationMode: options.evaluationMode, seed: options.seed)
    }

    enum Layout: Equatable {
        case aligned(String)
        case unaligned(String, String)
        case single(String)
    }

    /// DATAROOT/<phase>A + <phase>B: unaligned; DATAROOT/<phase>: aligned; DATAROOT/<phase>A alone or
    /// DATAROOT itself: single. `mode` forces one reading.
    static func detectLayout(root: String, phase: String, mode: TestDatasetMode?) throws -> Layout {
        let fm = FileManager.default
        func isFolder(_ p: String) -> Bool {
            var d: ObjCBool = false
            return fm.fileExists(atPath: p, isDirectory: &d) && d.boolValue
        }
        func join(_ name: String) -> String { (root as NSString).appendingPathComponent(name) }
        guard isFolder(root) else { throw ConversionError.usage(root, "no such folder (--dataroot)") }
        let a = join(phase + "A"), b = join(phase + "B"), p = join(phase)
        switch mode {
        case .unaligned?:
            guard isFolder(a) && isFolder(b) else {
                throw ConversionError.usage(root, "unaligned data needs \(phase)A/ and \(phase)B/ folders")
            }
            return .unaligned(a, b)
        case .aligned?:
            return .aligned(isFolder(p) ? p : root)
        case .single?:
            return .single(isFolder(p) ? p : (isFolder(a) ? a : root))
        case nil:
            if isFolder(a) && isFolder(b) { return .unaligned(a, b) }
            if isFolder(p) { return .aligned(p) }
            if isFolder(a) { return .single(a) }
            return .single(root)
        }
    }

    static func imageList(_ folder: String) throws -> [String] {
        let list: ImageFileList
        do {
            list = try listImageFiles(in: folder)
        } catch {
            throw ConversionError.usage(folder, InputListing.reasonOnly(describe(error, path: folder), folder))
        }
        guard !list.paths.isEmpty else { throw ConversionError.usage(folder, "no images found") }
        return list.paths
    }
}
