import CBLAS

/// Row-major single-precision GEMM through OpenBLAS:
/// C[m,n] = alpha * op(A)[m,k] * op(B)[k,n] + beta * C[m,n].
/// `lda/ldb/ldc` are the row strides of A, B, C as stored (before transposition).
@inlinable
public func sgemm(transA: Bool = false, transB: Bool = false,
                  m: Int, n: Int, k: Int,
                  alpha: Float = 1,
                  a: UnsafePointer<Float>, lda: Int,
                  b: UnsafePointer<Float>, ldb: Int,
                  beta: Float = 0,
                  c: UnsafeMutablePointer<Float>, ldc: Int) {
    if m == 0 || n == 0 { return }
    if k == 0 {
        // BLAS leaves C untouched when k == 0 only for beta == 1; make beta semantics explicit.
        if beta != 1 {
            for i in 0..<m { for j in 0..<n { c[i &* ldc &+ j] = beta == 0 ? 0 : c[i &* ldc &+ j] * beta } }
        }
        return
    }
    cblas_sgemm(CblasRowMajor,
                transA ? CblasTrans : CblasNoTrans,
                transB ? CblasTrans : CblasNoTrans,
                Int32(m), Int32(n), Int32(k), alpha,
                a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
}

/// Threads OpenBLAS uses for GEMM.
public func setBLASThreads(_ n: Int) { openblas_set_num_threads(Int32(max(1, n))) }
public func blasThreads() -> Int { Int(openblas_get_num_threads()) }
/// The kernels OpenBLAS runs ("Haswell", "SkylakeX", …): AVX2 and AVX-512 kernels differ ~2x in sgemm peak, and
/// OPENBLAS_CORETYPE overrides OpenBLAS's own pick, so benchmark figures name them.
public func blasCoreName() -> String { openblas_get_corename().map { String(cString: $0) } ?? "unknown" }

/// Runs `count` independent GEMMs (`body(i)` issues GEMM i through `sgemm`), spread over our threads with
/// OpenBLAS single-threaded inside each, instead of one after another with each split across OpenBLAS's
/// threads. For Winograd's 36 GEMMs of a few tens of MFLOP each the split costs more than it gains: each half
/// is small, and the threads meet after every GEMM. Nothing else may call BLAS meanwhile.
public func sgemmBatch(_ count: Int, _ body: (Int) -> Void) {
    let threads = kernelThreadCount, saved = blasThreads()
    guard threads > 1 && count >= threads && saved > 1 else {
        for i in 0..<count { body(i) }
        return
    }
    setBLASThreads(1)
    defer { setBLASThreads(saved) }
    parallelFor(count, costPerItem: 1 << 20) { start, end in
        for i in start..<end { body(i) }
    }
}
