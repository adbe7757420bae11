import ArgumentParser
import Foundation
import Kernels

/// `translate bench`: speed figures as ratios to this machine's sgemm peak, measured in the same process.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure sgemm peak and kernel speed on this machine.",
        discussion: """
        Absolute times drift between machines and within an hour on shared ones, so every figure is \
        also printed as efficiency = achieved GFLOP/s / sgemm GFLOP/s measured in the same run.
        """)

    @Option(help: "Threads for OpenBLAS and our own loops (default: all cores).")
    var threads: Int?

    func run() throws {
        if let threads { setBLASThreads(threads); kernelThreadCount = threads }
        let peak = measureSgemmPeak()
        print(String(format: "sgemm peak: %.1f GFLOP/s (%d threads)", peak, blasThreads()))
    }
}

/// Best-of-several GFLOP/s of a large square sgemm: the machine's practical GEMM ceiling.
func measureSgemmPeak(size: Int = 1536, repeats: Int = 5) -> Double {
    let n = size
    let a = UnsafeMutablePointer<Float>.allocate(capacity: n * n)
    let b = UnsafeMutablePointer<Float>.allocate(capacity: n * n)
    let c = UnsafeMutablePointer<Float>.allocate(capacity: n * n)
    defer { a.deallocate(); b.deallocate(); c.deallocate() }
    for i in 0..<(n * n) { a[i] = Float(i % 7) * 0.1; b[i] = Float(i % 5) * 0.1; c[i] = 0 }
    sgemm(m: n, n: n, k: n, a: a, lda: n, b: b, ldb: n, c: c, ldc: n)  // warm-up
    var best = Double.infinity
    for _ in 0..<repeats {
        let t0 = DispatchTime.now().uptimeNanoseconds
        sgemm(m: n, n: n, k: n, a: a, lda: n, b: b, ldb: n, c: c, ldc: n)
        best = min(best, Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9)
    }
    return 2 * Double(n) * Double(n) * Double(n) / best / 1e9
}
