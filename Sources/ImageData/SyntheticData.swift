import Foundation

/// Small procedural datasets for demos and tests that must work offline, generated deterministically
/// from a seed (each image from its own seed, so the first N images do not depend on the count).
///
/// - `synth_facades` (paired, aligned A|B like facades): A = a label map of a building front (wall,
///   windows, door, balconies, round ornaments in flat label colours), B = a "rendered" version of
///   the same layout (brick wall with light falloff, framed glass windows, wooden door, metal railings,
///   shaded spheres). Task: labels -> rendering, direction AtoB.
/// - `synth_shapes` (unpaired): A = daytime scenes (light sky, sun, green ground, bright shapes),
///   B = night scenes (dark sky, stars, moon, dim shapes). Task: day <-> night.
public enum SyntheticData {
    // MARK: facades

    /// Label colours of the facade classes.
    public static let facadeLabelColors: [(UInt8, UInt8, UInt8)] = [
        (30, 60, 200),   // 0 wall
        (0, 200, 255),   // 1 window
        (255, 140, 0),   // 2 door
        (220, 30, 30),   // 3 ornament (circle)
        (90, 220, 60),   // 4 balcony
    ]

    private struct Shape {
        var kind: UInt8
        var x0: Int, y0: Int, x1: Int, y1: Int  // rectangle bounds (exclusive end) or circle box
        var cx: Double = 0, cy: Double = 0, r: Double = 0
    }

    /// One facade: (label map, rendering), both size x size.
    public static func facadePair(size: Int, rng: inout RNG) -> (label: RGBImage, rendering: RGBImage) {
        let s = size
        var owner = [Int](repeating: -1, count: s * s)  // index into shapes, -1 = wall
        var shapes: [Shape] = []
        func addRect(_ kind: UInt8, _ x0: Int, _ y0: Int, _ x1: Int, _ y1: Int) {
            let a = max(0, x0), b = max(0, y0), c = min(s, x1), d = min(s, y1)
            guard c > a, d > b else { return }
            shapes.append(Shape(kind: kind, x0: a, y0: b, x1: c, y1: d))
            for y in b..<d { for x in a..<c { owner[y * s + x] = shapes.count - 1 } }
        }
        func addCircle(_ cx: Double, _ cy: Double, _ r: Double) {
            shapes.append(Shape(kind: 3, x0: 0, y0: 0, x1: 0, y1: 0, cx: cx, cy: cy, r: r))
            for y in 0..<s { for x in 0..<s {
                let dx = Double(x) + 0.5 - cx, dy = Double(y) + 0.5 - cy
                if dx * dx + dy * dy <= r * r { owner[y * s + x] = shapes.count - 1 }
            } }
        }
        let unit = Double(s) / 64
        func scaled(_ v: Double) -> Int { max(1, Int((v * unit).rounded())) }
        // Window grid.
        let columns = 2 + rng.int(below: 3), rows = 2 + rng.int(below: 3)
        let margin = scaled(4 + Double(rng.int(below: 4)))
        let cellW = (s - 2 * margin) / columns, cellH = (s * 3 / 4 - margin) / rows
        let winW = max(2, cellW * (50 + rng.int(below: 30)) / 100), winH = max(2, cellH * (45 + rng.int(below: 35)) / 100)
        for row in 0..<rows {
            for column in 0..<columns where rng.uniform() > 0.1 {
                let x = margin + column * cellW + (cellW - winW) / 2
                let y = margin + row * cellH + (cellH - winH) / 2
                addRect(1, x, y, x + winW, y + winH)
            }
        }
        // Balconies under some window rows.
        for row in 0..<rows where rng.uniform() < 0.3 {
            let y = margin + row * cellH + (cellH + winH) / 2
            addRect(4, margin / 2, y, s - margin / 2, y + scaled(3))
        }
        // Door at the bottom.
        let doorW = scaled(10 + Double(rng.int(below: 8))), doorH = scaled(14 + Double(rng.int(below: 6)))
        let doorX = margin + rng.int(below: max(1, s - 2 * margin - doorW))
        addRect(2, doorX, s - doorH, doorX + doorW, s)
        // Round ornaments.
        for _ in 0..<rng.int(below: 3) {
            let r = Double(scaled(3 + Double(rng.int(below: 4))))
            addCircle(Double(rng.int(below: s)), Double(rng.int(below: s * 3 / 4)), r)
        }

        var label = RGBImage(width: s, height: s, channels: 3)
        var render = RGBImage(width: s, height: s, channels: 3)
        let brickH = scaled(4), brickW = scaled(8)
        for y in 0..<s {
            for x in 0..<s {
                let id = owner[y * s + x]
                let kind: UInt8 = id < 0 ? 0 : shapes[id].kind
                let lc = facadeLabelColors[Int(kind)]
                label[x: x, y: y, c: 0] = lc.0; label[x: x, y: y, c: 1] = lc.1; label[x: x, y: y, c: 2] = lc.2
                // Edge of a shape: a 4-neighbour belongs to something else.
                var edge = false
                if id >= 0 {
                    for (dx, dy) in [(-1, 0), (1, 0), (0, -1), (0, 1)] {
                        let nx = x + dx, ny = y + dy
                        if nx < 0 || ny < 0 || nx >= s || ny >= s || owner[ny * s + nx] != id { edge = true }
                    }
                }
                let light = 1.1 - 0.35 * Double(y) / Double(s)  // sunlight from above
                var rgb: (Double, Double, Double)
                switch kind {
                case 0:
                    let course = y / brickH
                    let mortar = y % brickH == 0 || (x + (course % 2) * brickW / 2) % brickW == 0
                    rgb = mortar ? (150, 140, 130) : (196, 120, 80)
                case 1:
                    if edge { rgb = (235, 235, 225) } else {
                        let shape = shapes[id]
                        let t = Double(x - shape.x0) / Double(max(1, shape.x1 - shape.x0))
                        rgb = (40 + 60 * t, 70 + 60 * t, 110 + 60 * t)  // reflection across the glass
                    }
                case 2:
                    rgb = edge ? (60, 35, 15) : ((x % 3 == 0) ? (105, 60, 25) : (140, 85, 40))
                case 3:
                    let shape = shapes[id]
                    let nx = (Double(x) + 0.5 - shape.cx) / shape.r, ny = (Double(y) + 0.5 - shape.cy) / shape.r
                    let nz = max(0, 1 - nx * nx - ny * ny).squareRoot()
                    let shade = 0.35 + 0.65 * max(0, -0.5 * nx - 0.5 * ny + 0.7 * nz)
                    rgb = (240 * shade, 215 * shade, 170 * shade)
                default:
                    rgb = (x % scaled(4) == 0 || edge) ? (50, 50, 60) : (165, 170, 180)
                }
                render[x: x, y: y, c: 0] = clampByte(rgb.0 * light)
                render[x: x, y: y, c: 1] = clampByte(rgb.1 * light)
                render[x: x, y: y, c: 2] = clampByte(rgb.2 * light)
            }
        }
        return (label, render)
    }

    // MARK: day / night scenes

    /// A scene of circles and squares over sky and ground, by day or by night.
    public static func shapesScene(size: Int, night: Bool, rng: inout RNG) -> RGBImage {
        let s = size
        var image = RGBImage(width: s, height: s, channels: 3)
        let horizon = s * (60 + rng.int(below: 20)) / 100
        for y in 0..<s {
            let t = Double(y) / Double(s)
            for x in 0..<s {
                var rgb: (Double, Double, Double)
                if y < horizon {
                    rgb = night ? (10 + 20 * t, 15 + 25 * t, 45 + 40 * t) : (120 + 80 * t, 180 + 50 * t, 250)
                } else {
                    rgb = night ? (15, 30, 20) : (70, 160, 60)
                }
                image[x: x, y: y, c: 0] = clampByte(rgb.0); image[x: x, y: y, c: 1] = clampByte(rgb.1); image[x: x, y: y, c: 2] = clampByte(rgb.2)
            }
        }
        func paint(_ x: Int, _ y: Int, _ rgb: (Double, Double, Double)) {
            guard x >= 0, y >= 0, x < s, y < s else { return }
            image[x: x, y: y, c: 0] = clampByte(rgb.0); image[x: x, y: y, c: 1] = clampByte(rgb.1); image[x: x, y: y, c: 2] = clampByte(rgb.2)
        }
        func disc(_ cx: Double, _ cy: Double, _ r: Double, _ rgb: (Double, Double, Double)) {
            for y in max(0, Int(cy - r))...min(s - 1, Int(cy + r) + 1) {
                for x in max(0, Int(cx - r))...min(s - 1, Int(cx + r) + 1) {
                    let dx = Double(x) + 0.5 - cx, dy = Double(y) + 0.5 - cy
                    if dx * dx + dy * dy <= r * r { paint(x, y, rgb) }
                }
            }
        }
        let unit = Double(s) / 64
        if night {
            for _ in 0..<(8 + rng.int(below: 12)) { paint(rng.int(below: s), rng.int(below: max(1, horizon)), (235, 235, 210)) }
            disc(Double(rng.int(below: s)), Double(rng.int(below: max(1, horizon / 2))) + 4 * unit, 5 * unit, (225, 225, 200))
        } else {
            disc(Double(rng.int(below: s)), Double(rng.int(below: max(1, horizon / 2))) + 4 * unit, 6 * unit, (255, 220, 60))
        }
        // Bright colours by day; the same hues dimmed and blue-shifted by night.
        let palette: [(Double, Double, Double)] = [(230, 60, 50), (250, 200, 40), (60, 110, 230), (240, 130, 200), (250, 250, 250)]
        for _ in 0..<(2 + rng.int(below: 4)) {
            let base = palette[rng.int(below: palette.count)]
            let rgb = night ? (base.0 * 0.25 + 10, base.1 * 0.25 + 15, base.2 * 0.35 + 35) : base
            let half = Double(3 + rng.int(below: 7)) * unit
            let cx = Double(rng.int(below: s)), cy = Double(horizon - rng.int(below: max(1, horizon / 2)))
            if rng.uniform() < 0.5 {
                disc(cx, cy, half, rgb)
            } else {
                for y in Int(cy - half)..<Int(cy + half) { for x in Int(cx - half)..<Int(cx + half) { paint(x, y, rgb) } }
            }
        }
        return image
    }

    // MARK: writing

    /// What `write...` produced: folder -> number of images written.
    public typealias Summary = [(folder: String, images: Int)]

    /// Writes root/train and root/test of `size` x `size` pairs as (2·size) x size PNG files, label left.
    @discardableResult
    public static func writeFacades(root: String, size: Int = 64, trainCount: Int = 200, testCount: Int = 40,
                                    seed: UInt64 = 1) throws -> Summary {
        var summary: Summary = []
        for (phase, count, tag) in [("train", trainCount, UInt64(1)), ("test", testCount, 2)] {
            let folder = joinPath(root, phase)
            try prepare(folder: folder, count: count)
            for i in 0..<count {
                var rng = RNG(seed: mixSeed(seed, 0xFACADE &+ tag, UInt64(i)))
                let (label, rendering) = facadePair(size: size, rng: &rng)
                try RGBImage.sideBySide([label, rendering]).write(to: joinPath(folder, fileName(i)))
            }
            summary.append((folder, count))
        }
        return summary
    }

    /// Writes root/{trainA, trainB, testA, testB}: day scenes in A, night scenes in B.
    @discardableResult
    public static func writeShapes(root: String, size: Int = 64, trainCount: Int = 200, testCount: Int = 40,
                                   seed: UInt64 = 1) throws -> Summary {
        var summary: Summary = []
        for (phase, count, tag) in [("train", trainCount, UInt64(1)), ("test", testCount, 2)] {
            for (domain, night) in [("A", false), ("B", true)] {
                let folder = joinPath(root, phase + domain)
                try prepare(folder: folder, count: count)
                for i in 0..<count {
                    var rng = RNG(seed: mixSeed(seed, 0x5CE0E &+ tag &* 2 &+ (night ? 1 : 0), UInt64(i)))
                    try shapesScene(size: size, night: night, rng: &rng).write(to: joinPath(folder, fileName(i)))
                }
                summary.append((folder, count))
            }
        }
        return summary
    }

    static func fileName(_ index: Int) -> String {
        let digits = String(index)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits + ".png"
    }

    /// Creates the folder and removes numbered images of an earlier, larger run (only NNNN.png files).
    private static func prepare(folder: String, count: Int) throws {
        let fm = FileManager.default
        try makeFolders(folder)
        for name in (try? fm.contentsOfDirectory(atPath: folder)) ?? [] where name.hasSuffix(".png") {
            if let n = Int(name.dropLast(4)), n >= count, name.count >= 8 {
                try? fm.removeItem(atPath: joinPath(folder, name))
            }
        }
    }
}

/// mkdir -p with the system's reason on failure.
func makeFolders(_ path: String) throws {
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
        if isDirectory.boolValue { return }
        throw DatasetError(path: path, kind: .notAFolder, reason: "exists and is not a folder")
    }
    let parent = parentPath(of: path)
    if !parent.isEmpty && parent != path { try makeFolders(parent) }
    if mkdir(path, 0o755) != 0 && errno != EEXIST {
        throw DatasetError(path: path, kind: .notAFolder, reason: "cannot create the folder: \(errnoText(errno))")
    }
}

@inline(__always) func clampByte(_ v: Double) -> UInt8 {
    v <= 0 ? 0 : (v >= 255 ? 255 : UInt8(v.rounded()))
}
