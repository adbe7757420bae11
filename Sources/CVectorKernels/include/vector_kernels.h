// Loops that need AVX-512 or AVX2/FMA instructions, which Swift's portable x86-64 build (SSE2, no FMA) does not
// emit: each exists as an AVX-512 and an AVX2 variant (function target attributes), and Kernels calls them only
// where the CPU and OS support that level (`vectorKernelLevel`), keeping its portable Swift loops otherwise.
// - The streaming products of the deep U-Net layers (a big weight matrix against 1-4 columns): in Swift they were
//   bound by instruction count, two SSE multiplies and two adds per eight weights and column, not by memory.
// - One tile row of the Winograd input, output and output-gradient transforms with 4x4 output tiles: sixteen (or
//   eight) tiles per step.
// - The sums in double of the normalisations' statistics and backward passes (SSE2 converts and adds two doubles
//   at a time).
// - Adam's update, whose divide and square root SSE does four lanes at a time.
// - The narrow products (narrow_gemm.c, AVX-512 only): a big matrix against 5-64 columns, without OpenBLAS's
//   packed copy of it.
// The callers (Kernels/SkinnyGemm.swift, Kernels/NarrowGemm.swift, Kernels/Winograd.swift) split the work over
// threads.
#ifndef TRANSLATE_VECTOR_KERNELS_H
#define TRANSLATE_VECTOR_KERNELS_H

// `level`: 2 for the AVX-512 variant (AVX-512 F/DQ/BW/VL), 1 for AVX2 with FMA: the bits of
// `translate_x86_vector_features()` (CSIMD), which the caller must have checked.

/// For rows [row0, row1): c[i, j] (+)= Σ_l a[i, l] · bt[j, l], j < n. Each row of a is read once per four
/// columns, from cache after the first.
void translate_skinny_row_dot(int level, long row0, long row1, long n, long k, const float *a, long lda,
                              const float *bt, long ldbt, float *c, long ldc, int accumulate);

/// For columns [i0, i0 + width) of w: ct[j, i] = Σ_l x[l, j] · w[l, i], j < n, overwritten.
/// Each row segment of w is read once from memory and serves all n columns from L1.
void translate_skinny_stream_rows(int level, long i0, long width, long n, long k, const float *x, long ldx,
                                  const float *w, long ldw, float *ct, long ldct);

/// For rows [row0, row1): c[i, l] += Σ_j a[i, j] · bt[j, l], j < n: each row of c read and written once.
void translate_skinny_rank_update(int level, long row0, long row1, long n, long k, const float *a, long lda,
                                  const float *bt, long ldbt, float *c, long ldc);

// The narrow products (narrow_gemm.c), AVX-512 only: a big matrix against 1-64 columns without packing it.

/// For rows [row0, row1): c[i, j] (+)= Σ_l a[i, l] · b[l, j], j < n ≤ 64. a: [m, k] (lda, big), b: [k, n] (ldb).
void translate_narrow_gemm(long row0, long row1, long n, long k, const float *a, long lda, const float *b, long ldb,
                           float *c, long ldc, int accumulate);

/// For columns [i0, i0 + width) of w: ct[j, i] = Σ_l x[l, j] · w[l, i], j < n ≤ 64, overwritten.
/// x: [k, n] (ldx), w: [k, m] (ldw, big), ct: [n, m] (ldct).
void translate_narrow_gemm_transposed(long i0, long width, long n, long k, const float *x, long ldx, const float *w,
                                      long ldw, float *ct, long ldct);

/// For rows [row0, row1): c[i, l] += Σ_j a[i, j] · bt[j, l], j < n ≤ 64. a: [m, n] (lda), bt: [n, k] (ldbt),
/// c: [m, k] (ldc, big).
void translate_narrow_rank_update(long row0, long row1, long n, long k, const float *a, long lda, const float *bt,
                                  long ldbt, float *c, long ldc);

/// One tile row of the Winograd input transform with 4x4 output tiles (F(4x4, 3x3)): from the six padded input
/// rows `rows` (each `width` = 4·tilesW + 2 floats, one after another), Bᵀ d B of every tile into
/// out[(6k + i)·matrix + x] for k, i < 6, x < tilesW. `t` is scratch for 6·width floats.
void translate_winograd_input_row_f4(int level, const float *rows, long width, long tilesW, float *t, float *out,
                                     long matrix);

/// One tile row of the F(4x4, 3x3) output transform: from the 36 products of every tile (matrix ξ at
/// m + ξ·matrix, the row's tiles contiguous), the four output rows Aᵀ M A, each 4·tilesW floats, one after another
/// in `rows`. `s` is scratch for 24·tilesW floats.
void translate_winograd_output_row_f4(int level, const float *m, long matrix, long tilesW, float *s, float *rows);

/// One tile row of the F(4x4, 3x3) output-gradient transform (the weight gradient's A dY Aᵀ): from four rows of dy
/// (`rows`, each 4·tilesW floats, one after another, zero past the edge), the 36 values of every tile into
/// out[(6k + i)·matrix + x]. `z` is scratch for 24·tilesW floats.
void translate_winograd_output_gradient_row_f4(int level, const float *rows, long tilesW, float *z, float *out,
                                              long matrix);

/// Σ x[i] for i < n, accumulated in double (the normalisation statistics' first pass).
double translate_sum_double(int level, const float *x, long n);

/// Σ (x[i] - mean)² for i < n, accumulated in double (their second pass).
double translate_squared_deviations(int level, const float *x, long n, double mean);

/// (Σ g[i], Σ g[i]·(x[i] - mean)) for i < n in double, each product rounded to float first (a normalisation's
/// backward pass).
void translate_sum_and_centered_dot(int level, const float *g, const float *x, long n, float mean, double *sum,
                                    double *dot);

/// One Adam step over [start, end) with Kernels/Optimizer.swift's arithmetic, bit for bit (no fused multiply-adds).
void translate_adam(int level, float *param, const float *grad, float *expAvg, float *expAvgSq, long start, long end,
                    float w1, float beta2, float w2, float eps, float negStep, float bc2Sqrt);

#endif
