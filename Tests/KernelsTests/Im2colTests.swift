import XCTest
import Kernels

/// A deterministic pseudo-random fill in [-1, 1) (no TensorCore here).
private func fill(_ p: UnsafeMutablePointer<Float>, _ count: Int, seed: UInt64) {
    var s = seed &* 6364136223846793005 &+ 1442695040888963407
    for i in 0..<count {
        s = s &* 6364136223846793005 &+ 1442695040888963407
        p[i] = Float(s >> 40) / Float(1 << 23) - 1
    }
}

private final class Buffer {
    let pointer: UnsafeMutablePointer<Float>
    let count: Int
    init(_ count: Int, seed: UInt64? = nil) {
        self.count = count
        pointer = .allocate(capacity: max(count, 1))
        if let seed { fill(pointer, count, seed: seed) } else { pointer.initialize(repeating: 0, count: count) }
    }
    deinit { pointer.deallocate() }
    subscript(_ i: Int) -> Float { pointer[i] }
}

private func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Double {
    var s = 0.0
    for i in 0..<n { s += Double(a[i]) * Double(b[i]) }
    return s
}

/// Geometries with odd sizes, kernels 1/2/3/4/7, stride 1/2/3, padding 0/1/3, and few or many channels.
private let geometries: [ConvGeometry] = [
    ConvGeometry(channels: 3, height: 7, width: 5, kernelH: 3, kernelW: 3, stride: 1, padding: 1),
    ConvGeometry(channels: 2, height: 7, width: 5, kernelH: 3, kernelW: 3, stride: 2, padding: 1),
    ConvGeometry(channels: 1, height: 9, width: 8, kernelH: 4, kernelW: 4, stride: 2, padding: 1),
    ConvGeometry(channels: 2, height: 6, width: 9, kernelH: 7, kernelW: 7, stride: 1, padding: 3),
    ConvGeometry(channels: 4, height: 5, width: 5, kernelH: 1, kernelW: 1, stride: 1, padding: 0),
    ConvGeometry(channels: 2, height: 5, width: 6, kernelH: 1, kernelW: 1, stride: 2, padding: 1),
    ConvGeometry(channels: 1, height: 8, width: 7, kernelH: 3, kernelW: 2, stride: 3, padding: 0),
    ConvGeometry(channels: 3, height: 3, width: 3, kernelH: 4, kernelW: 4, stride: 1, padding: 3),
    ConvGeometry(channels: 1, height: 2, width: 2, kernelH: 4, kernelW: 4, stride: 2, padding: 1),
]

final class Im2colTests: XCTestCase {
    func testGeometryOutputSize() {
        let g = ConvGeometry(channels: 3, height: 256, width: 256, kernelH: 4, kernelW: 4, stride: 2, padding: 1)
        XCTAssertEqual([g.outHeight, g.outWidth], [128, 128])
        let r = ConvGeometry(channels: 64, height: 262, width: 262, kernelH: 7, kernelW: 7, stride: 1, padding: 0)
        XCTAssertEqual([r.outHeight, r.outWidth, r.colRows], [256, 256, 3136])
        let odd = ConvGeometry(channels: 1, height: 7, width: 5, kernelH: 3, kernelW: 3, stride: 2, padding: 0)
        XCTAssertEqual([odd.outHeight, odd.outWidth], [3, 2])
        XCTAssertTrue(ConvGeometry(channels: 2, height: 3, width: 3, kernelH: 1, kernelW: 1, stride: 1, padding: 0).isPointwise)
        XCTAssertFalse(ConvGeometry(channels: 2, height: 3, width: 3, kernelH: 1, kernelW: 1, stride: 2, padding: 0).isPointwise)
    }

    /// Every column entry equals the input value it names (or 0 in the padding).
    func testIm2colMatchesIndexDefinition() {
        for (gi, g) in geometries.enumerated() {
            let x = Buffer(g.channels * g.inputPlane, seed: UInt64(gi))
            let cols = Buffer(g.colRows * g.outputPlane, seed: 99)  // garbage in: every entry must be written
            im2col(x.pointer, cols.pointer, geometry: g)
            for c in 0..<g.channels { for ki in 0..<g.kernelH { for kj in 0..<g.kernelW {
                let r = (c * g.kernelH + ki) * g.kernelW + kj
                for oh in 0..<g.outHeight { for ow in 0..<g.outWidth {
                    let ih = oh * g.stride - g.padding + ki, iw = ow * g.stride - g.padding + kj
                    let inside = ih >= 0 && ih < g.height && iw >= 0 && iw < g.width
                    let expected = inside ? x[(c * g.height + ih) * g.width + iw] : 0
                    XCTAssertEqual(cols[r * g.outputPlane + oh * g.outWidth + ow], expected,
                                   "geometry \(gi) row \(r) at (\(oh),\(ow))")
                } }
            } } }
        }
    }

    /// <im2col(x), c> = <x, col2im(c)>.
    func testCol2imIsAdjointOfIm2col() {
        for (gi, g) in geometries.enumerated() {
            let n = g.channels * g.inputPlane, m = g.colRows * g.outputPlane
            let x = Buffer(n, seed: UInt64(10 + gi)), c = Buffer(m, seed: UInt64(50 + gi))
            let cols = Buffer(m), back = Buffer(n)
            im2col(x.pointer, cols.pointer, geometry: g)
            col2imAdd(c.pointer, back.pointer, geometry: g)
            let lhs = dot(cols.pointer, c.pointer, m), rhs = dot(x.pointer, back.pointer, n)
            XCTAssertEqual(lhs, rhs, accuracy: 1e-9 + 1e-5 * abs(lhs), "geometry \(gi)")
        }
    }

    /// Building or scattering the columns band by band gives the same result as one pass, and col2im adds.
    func testBandsEqualOnePass() {
        for (gi, g) in geometries.enumerated() {
            let n = g.channels * g.inputPlane, m = g.colRows * g.outputPlane
            let x = Buffer(n, seed: UInt64(20 + gi)), c = Buffer(m, seed: UInt64(60 + gi))
            let full = Buffer(m)
            im2col(x.pointer, full.pointer, geometry: g)
            let once = Buffer(n, seed: 7), banded = Buffer(n, seed: 7)  // same non-zero start: col2im accumulates
            col2imAdd(c.pointer, once.pointer, geometry: g)
            for bandRows in [1, 2, 3] {
                var r0 = 0
                let before = Buffer(n, seed: 7)
                banded.pointer.update(from: before.pointer, count: n)
                while r0 < g.outHeight {
                    let r1 = min(g.outHeight, r0 + bandRows), width = (r1 - r0) * g.outWidth
                    let part = Buffer(g.colRows * width)
                    im2col(x.pointer, part.pointer, geometry: g, rowStart: r0, rowEnd: r1)
                    // The band's columns are the matching column slice of the full matrix.
                    for r in 0..<g.colRows { for j in 0..<width {
                        XCTAssertEqual(part[r * width + j], full[r * g.outputPlane + r0 * g.outWidth + j],
                                       "geometry \(gi) band \(r0)..<\(r1) row \(r)")
                    } }
                    // Scatter the same slice of c.
                    let slice = Buffer(g.colRows * width)
                    for r in 0..<g.colRows { for j in 0..<width {
                        slice.pointer[r * width + j] = c[r * g.outputPlane + r0 * g.outWidth + j]
                    } }
                    col2imAdd(slice.pointer, banded.pointer, geometry: g, rowStart: r0, rowEnd: r1)
                    r0 = r1
                }
                for i in 0..<n {
                    XCTAssertEqual(banded[i], once[i], accuracy: 1e-5, "geometry \(gi) bands of \(bandRows) at \(i)")
                }
            }
        }
    }

    /// Large enough to run on several threads (and few channels, so col2im splits rows into bands).
    func testParallelPathsMatchSerial() {
        let saved = kernelThreadCount
        defer { kernelThreadCount = saved }
        for g in [ConvGeometry(channels: 1, height: 300, width: 290, kernelH: 4, kernelW: 4, stride: 2, padding: 1),
                  ConvGeometry(channels: 3, height: 131, width: 97, kernelH: 3, kernelW: 3, stride: 1, padding: 1),
                  ConvGeometry(channels: 5, height: 66, width: 70, kernelH: 7, kernelW: 7, stride: 1, padding: 3)] {
            let n = g.channels * g.inputPlane, m = g.colRows * g.outputPlane
            XCTAssertGreaterThan(m, 262_144, "case must be big enough for the parallel path")
            let x = Buffer(n, seed: 3), c = Buffer(m, seed: 4)
            var results: [(cols: [Float], back: [Float])] = []
            for threads in [1, 2, 3] {
                kernelThreadCount = threads
                let cols = Buffer(m), back = Buffer(n)
                im2col(x.pointer, cols.pointer, geometry: g)
                col2imAdd(c.pointer, back.pointer, geometry: g)
                results.append((Array(UnsafeBufferPointer(start: cols.pointer, count: m)),
                                Array(UnsafeBufferPointer(start: back.pointer, count: n))))
            }
            for k in 1..<results.count {
                XCTAssertEqual(results[k].cols, results[0].cols, "im2col with \(k + 1) threads")
                XCTAssertEqual(results[k].back, results[0].back, "col2im with \(k + 1) threads")
            }
            XCTAssertNotEqual(results[0].back.reduce(0) { $0 + abs($1) }, 0)
        }
    }

    func testBandSizing() {
        let saved = im2colChunkFloats
        defer { im2colChunkFloats = saved }
        let g = ConvGeometry(channels: 64, height: 262, width: 262, kernelH: 7, kernelW: 7, stride: 1, padding: 0)
        im2colChunkFloats = 2 << 20
        let rows = im2colRowsPerChunk(g)
        XCTAssertGreaterThanOrEqual(rows, 1)
        XCTAssertLessThanOrEqual(rows * g.colRows * g.outWidth, im2colChunkFloats)
        // Balanced: the bands overshoot the output by fewer rows than there are bands (no sliver at the end).
        let bands = (g.outHeight + rows - 1) / rows
        XCTAssertLessThan(bands * rows - g.outHeight, bands)
        im2colChunkFloats = 1
        XCTAssertEqual(im2colRowsPerChunk(g), 1)
        XCTAssertEqual(im2colWorkspaceCount(g), g.colRows * g.outWidth)
        XCTAssertEqual(im2colWorkspaceCount(ConvGeometry(channels: 8, height: 4, width: 4, kernelH: 1, kernelW: 1,
                                                         stride: 1, padding: 0)), 0)
    }
}
