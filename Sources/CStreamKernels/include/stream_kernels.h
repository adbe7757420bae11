// Streaming matrix products for the deep U-Net layers (a big weight matrix against 1-16 columns), in AVX-512
// and AVX2/FMA variants chosen at run time. Swift's SIMD types compile for the
// baseline x86-64 target (SSE2, no FMA), which made these loops bound by instruction count rather than by
// memory: two SSE multiplies and two adds per eight weights and column. The callers (Kernels/SkinnyGemm.swift)
// split the rows over threads and keep the portable Swift loops for other CPUs.
#ifndef TRANSLATE_STREAM_KERNELS_H
#define TRANSLATE_STREAM_KERNELS_H

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

#endif
