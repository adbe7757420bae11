import Foundation

/// A produced image and the reference image it is measured against.
public struct EvalPair: Sendable, Equatable {
    /// The relative path without extension (folders) or the image's base name (results folder).
    public var name: String
    /// "" for two folders; the compared label in a results folder: fake_B (vs real_B), fake_A (vs real_A),
    /// rec_A (vs real_A), rec_B (vs real_B).
    public var group: String
    public var produced: String
    public var reference: String
}

/// Pairs found for `translate eval`, and files that had no partner.
public struct EvalMatch: Sendable, Equatable {
    public var pairs: [EvalPair] = []
    public var unmatched: [String] = []
}

public enum EvalPairing {
    /// Files of two folders matched by relative path without extension (a.png pairs with a.jpg), recursively.
    public static func folders(produced: String, reference: String) throws -> EvalMatch {
        let p = try keyed(produced), r = try keyed(reference)
        var match = EvalMatch()
        for (key, path) in p.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }) {
            if let other = r[key] {
                match.pairs.append(EvalPair(name: key, group: "", produced: path, reference: other))
            } else {
                match.unmatched.append(path)
            }
        }
        match.unmatched += r.filter { p[$0.key] == nil }.map(\.value).sorted()
        return match
    }

    /// Our / the reference's results folder (results/<name>/<phase>_<epoch>, or its images/ folder):
    /// `<base>_fake_B.png` against `<base>_real_B.png`, and likewise fake_A, rec_A, rec_B when present.
    public static func results(_ folder: String) throws -> EvalMatch {
        let images = (folder as NSString).appendingPathComponent("images")
        var isDirectory: ObjCBool = false
        let root = FileManager.default.fileExists(atPath: images, isDirectory: &isDirectory) && isDirectory.boolValue ? images : folder
        let list = try listed(root)
        let byName = Dictionary(list.map { (($0 as NSString).lastPathComponent, $0) }, uniquingKeysWith: { a, _ in a })
        let comparisons = [("fake_B", "real_B"), ("fake_A", "real_A"), ("rec_A", "real_A"), ("rec_B", "real_B")]
        var match = EvalMatch()
        for (label, target) in comparisons {
            for name in byName.keys.sorted() {
                let stem = (name as NSString).deletingPathExtension
                guard stem.hasSuffix("_" + label) else { continue }
                let base = String(stem.dropLast(label.count + 1))
                let ext = (name as NSString).pathExtension
                if let other = byName["\(base)_\(target).\(ext)"] ?? byName["\(base)_\(target).png"] {
                    match.pairs.append(EvalPair(name: base, group: label, produced: byName[name]!, reference: other))
                } else {
                    match.unmatched.append(byName[name]!)
                }
            }
        }
        if match.pairs.isEmpty && match.unmatched.isEmpty {
            throw ConversionError.usage(folder, "no <name>_fake_B.png / <name>_real_B.png images here (is it a results folder?)")
        }
        return match
    }

    private static func listed(_ folder: String) throws -> [String] {
        do {
            return try listImageFiles(in: folder).paths
        } catch {
            throw ConversionError.usage(folder, InputListing.reasonOnly(describe(error, path: folder), folder))
        }
    }

    private static func keyed(_ folder: String) throws -> [String: String] {
        var out: [String: String] = [:]
        for path in try listed(folder) {
            var relative = String(path.dropFirst(folder.count))
            while relative.hasPrefix("/") { relative.removeFirst() }
            let key = (relative as NSString).deletingPathExtension
            if out[key] == nil { out[key] = path }
        }
        return out
    }
}

/// Per-image metrics and means, printed by `translate eval` as a table or JSON.
public struct EvalReport: Sendable, Encodable {
    public struct Entry: Sendable, Encodable {
        public var name: String
        public var group: String
        /// nil (JSON null) when the images are identical (PSNR is infinite).
        public var psnr: Double?
        public var ssim: Double
        public var l1: Double

        enum CodingKeys: String, CodingKey { case name, group, psnr, ssim, l1 }
        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(name, forKey: .name)
            try c.encode(group, forKey: .group)
            try c.encode(psnr, forKey: .psnr)  // null, not left out, when identical
            try c.encode(ssim, forKey: .ssim)
            try c.encode(l1, forKey: .l1)
        }
    }
    public struct Mean: Sendable, Encodable {
        public var group: String
        public var count: Int
        /// Mean PSNR of the pairs that are not identical (nil when all are).
        public var psnr: Double?
        /// Pairs left out of the PSNR mean because they are identical.
        public var identical: Int
        public var ssim: Double
        public var l1: Double

        enum CodingKeys: String, CodingKey { case group, count, psnr, identical, ssim, l1 }
        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(group, forKey: .group)
            try c.encode(count, forKey: .count)
            try c.encode(psnr, forKey: .psnr)
            try c.encode(identical, forKey: .identical)
            try c.encode(ssim, forKey: .ssim)
            try c.encode(l1, forKey: .l1)
        }
    }

    public var images: [Entry] = []
    public var means: [Mean] = []
    public var failed = 0
    public var ssimDefinition = "Gaussian window 11x11, sigma 1.5, K1 0.01, K2 0.03, L 255, per RGB channel then averaged"
    public var l1Definition = "mean absolute difference of 8-bit values / 255"

    /// Measures every pair; a pair that cannot be read or compared is reported through `onProblem` and counted.
    public static func evaluate(_ match: EvalMatch, onProblem: (String) -> Void = { _ in }) -> EvalReport {
        var report = EvalReport()
        for pair in match.pairs {
            do {
                let a = try RGBImage(contentsOf: pair.produced, mode: .native)
                let b = try RGBImage(contentsOf: pair.reference, mode: .native)
                let m = try ImageMetrics(a, b, path: pair.produced)
                report.images.append(Entry(name: pair.name, group: pair.group, psnr: m.psnr.isFinite ? m.psnr : nil,
                                           ssim: m.ssim, l1: m.l1))
            } catch {
                onProblem(describe(error, path: pair.produced))
                report.failed += 1
            }
        }
        var groups: [String] = []
        for entry in report.images where !groups.contains(entry.group) { groups.append(entry.group) }
        for group in groups {
            let entries = report.images.filter { $0.group == group }
            let finite = entries.compactMap(\.psnr)
            let n = Double(entries.count)
            report.means.append(Mean(group: group, count: entries.count,
                                     psnr: finite.isEmpty ? nil : finite.reduce(0, +) / Double(finite.count),
                                     identical: entries.count - finite.count,
                                     ssim: entries.map(\.ssim).reduce(0, +) / n, l1: entries.map(\.l1).reduce(0, +) / n))
        }
        return report
    }

    /// Tab-separated: a header, one line per image, then one `mean` line per group.
    public func text() -> String {
        func psnr(_ v: Double?) -> String { v.map { String(format: "%.4f", $0) } ?? "inf" }
        var lines = ["name\tpsnr\tssim\tl1"]
        for e in images {
            let name = e.group.isEmpty ? e.name : "\(e.name) \(e.group)"
            lines.append("\(name)\t\(psnr(e.psnr))\t\(String(format: "%.6f", e.ssim))\t\(String(format: "%.6f", e.l1))")
        }
        for m in means {
            let name = m.group.isEmpty ? "mean" : "mean \(m.group)"
            lines.append("\(name)\t\(psnr(m.psnr))\t\(String(format: "%.6f", m.ssim))\t\(String(format: "%.6f", m.l1))")
        }
        return lines.joined(separator: "\n")
    }

    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}
