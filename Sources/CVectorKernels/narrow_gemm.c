// Products of a big matrix with a narrow one (5-64 columns: the U-Net's 4x4 and 8x8 pixel layers) at AVX-512,
// without packing. OpenBLAS copies the big matrix into its packed layout first, which for these shapes costs as
// much as the arithmetic; here one register tile (R rows x CC vectors of 16 floats) reads its operands where
// they lie, the big matrix once, and the narrow one from cache.
#include "vector_kernels.h"

#if defined(__x86_64__)
#include <immintrin.h>
#include <stdlib.h>
#include <string.h>

#define NG_TARGET __attribute__((target("avx512f,avx512dq,avx512bw,avx512vl,fma")))

// Rows of the register tile for CC vectors: R x CC accumulators, CC operand vectors and a broadcast fit the 32
// registers.
static const int ng_max_rows[5] = {0, 14, 12, 8, 6};

// out[r, c] (+)= Σ_k s[r·si + k·sk] · v[k·ldv + c] for r < R, c < 16·CC; the last vector's lanes are those in
// `mask`. `accumulate`: add to out instead of overwriting it. `prefetch_s` (a multiple of 16, or 0): request each
// row of s (sk = 1) that many floats ahead; `prefetch_v` (or 0): request v that many rows ahead.
static inline __attribute__((always_inline)) NG_TARGET void
ng_tile(const int R, const int CC, long kc, const float *s, long si, long sk, const float *v, long ldv, float *out,
        long ldo, __mmask16 mask, int accumulate, long prefetch_s, long prefetch_v) {
    __m512 acc[14][4];
#pragma clang loop unroll(full)
    for (int r = 0; r < R; r++)
#pragma clang loop unroll(full)
        for (int c = 0; c < CC; c++) {
            acc[r][c] = _mm512_setzero_ps();
            // The tile's output is requested now and added to at the end.
            if (accumulate) _mm_prefetch((const char *)(out + r * ldo + 16 * c), _MM_HINT_T0);
        }
    for (long k = 0; k < kc; k++) {
        const float *vk = v + k * ldv;
        if (prefetch_s && (k & 15) == 0) {
#pragma clang loop unroll(full)
            for (int r = 0; r < R; r++) _mm_prefetch((const char *)(s + r * si + k + prefetch_s), _MM_HINT_T0);
        }
        if (prefetch_v) {
#pragma clang loop unroll(full)
            for (int c = 0; c < CC; c++) _mm_prefetch((const char *)(vk + prefetch_v * ldv + 16 * c), _MM_HINT_T0);
        }
        __m512 b[4];
#pragma clang loop unroll(full)
        for (int c = 0; c < CC; c++)
            b[c] = c == CC - 1 ? _mm512_maskz_loadu_ps(mask, vk + 16 * c) : _mm512_loadu_ps(vk + 16 * c);
#pragma clang loop unroll(full)
        for (int r = 0; r < R; r++) {
            const __m512 a = _mm512_set1_ps(s[r * si + k * sk]);
#pragma clang loop unroll(full)
            for (int c = 0; c < CC; c++) acc[r][c] = _mm512_fmadd_ps(a, b[c], acc[r][c]);
        }
    }
#pragma clang loop unroll(full)
    for (int r = 0; r < R; r++) {
        float *o = out + r * ldo;
#pragma clang loop unroll(full)
        for (int c = 0; c < CC; c++) {
            const __mmask16 m = c == CC - 1 ? mask : 0xFFFF;
            __m512 value = acc[r][c];
            if (accumulate) value = _mm512_add_ps(value, _mm512_maskz_loadu_ps(m, o + 16 * c));
            _mm512_mask_storeu_ps(o + 16 * c, m, value);
        }
    }
}

typedef void (*ng_tile_fn)(long kc, const float *s, long si, long sk, const float *v, long ldv, float *out, long ldo,
                           __mmask16 mask, int accumulate, long prefetch_s, long prefetch_v);

#define NG_VARIANT(R, CC)                                                                                          \
    static NG_TARGET void ng_tile_##R##_##CC(long kc, const float *s, long si, long sk, const float *v, long ldv,  \
                                             float *out, long ldo, __mmask16 mask, int accumulate,               \
                                             long prefetch_s, long prefetch_v) {                                 \
        ng_tile(R, CC, kc, s, si, sk, v, ldv, out, ldo, mask, accumulate, prefetch_s, prefetch_v);                \
    }
#define NG_ROWS_6(CC) NG_VARIANT(1, CC) NG_VARIANT(2, CC) NG_VARIANT(3, CC) NG_VARIANT(4, CC) NG_VARIANT(5, CC) \
    NG_VARIANT(6, CC)
NG_ROWS_6(1) NG_VARIANT(7, 1) NG_VARIANT(8, 1) NG_VARIANT(9, 1) NG_VARIANT(10, 1) NG_VARIANT(11, 1)
NG_VARIANT(12, 1) NG_VARIANT(13, 1) NG_VARIANT(14, 1)
NG_ROWS_6(2) NG_VARIANT(7, 2) NG_VARIANT(8, 2) NG_VARIANT(9, 2) NG_VARIANT(10, 2) NG_VARIANT(11, 2)
NG_VARIANT(12, 2)
NG_ROWS_6(3) NG_VARIANT(7, 3) NG_VARIANT(8, 3)
NG_ROWS_6(4)

#define NG_ROW_LIST_6(CC) ng_tile_1_##CC, ng_tile_2_##CC, ng_tile_3_##CC, ng_tile_4_##CC, ng_tile_5_##CC, \
    ng_tile_6_##CC
static const ng_tile_fn ng_tiles[5][14] = {
    {0},
    {NG_ROW_LIST_6(1), ng_tile_7_1, ng_tile_8_1, ng_tile_9_1, ng_tile_10_1, ng_tile_11_1, ng_tile_12_1,
     ng_tile_13_1, ng_tile_14_1},
    {NG_ROW_LIST_6(2), ng_tile_7_2, ng_tile_8_2, ng_tile_9_2, ng_tile_10_2, ng_tile_11_2, ng_tile_12_2},
    {NG_ROW_LIST_6(3), ng_tile_7_3, ng_tile_8_3},
    {NG_ROW_LIST_6(4)},
};

// Lanes of the last of `width` floats' vectors.
static __mmask16 ng_tail_mask(long width) {
    const long rest = width % 16;
    return rest == 0 ? (__mmask16)0xFFFF : (__mmask16)((1u << rest) - 1);
}

// Columns [c0, c0 + width) of a tile row in vectors of 16: runs tiles of at most 4 vectors.
static void ng_row_of_tiles(int rows, long kc, const float *s, long si, long sk, const float *v, long ldv, float *out,
                            long ldo, long width, int accumulate, long prefetch_s, long prefetch_v) {
    for (long c = 0; c < width; c += 64) {
        const long w = width - c < 64 ? width - c : 64;
        const int cc = (int)((w + 15) / 16);
        ng_tiles[cc][rows - 1](kc, s, si, sk, v + c, ldv, out + c, ldo, ng_tail_mask(w), accumulate, prefetch_s,
                               prefetch_v);
    }
}

void translate_narrow_gemm(long row0, long row1, long n, long k, const float *a, long lda, const float *b, long ldb,
                           float *c, long ldc, int accumulate) {
    const int cc = (int)((n + 15) / 16), rmax = ng_max_rows[cc];
    // Panels of b of at most 256 KB stay in L2 while every row tile of this range passes over them.
    long panel = (65536 / n) & ~15L;
    if (panel < 256) panel = 256;
    for (long k0 = 0; k0 < k; k0 += panel) {
        const long kc = k - k0 < panel ? k - k0 : panel;
        for (long i = row0; i < row1; i += rmax) {
            const int rows = (int)(row1 - i < rmax ? row1 - i : rmax);
            ng_tiles[cc][rows - 1](kc, a + i * lda + k0, lda, 1, b + k0 * ldb, ldb, c + i * ldc, ldc,
                                   ng_tail_mask(n), accumulate || k0 > 0, 256, 0);
        }
    }
}

void translate_narrow_gemm_transposed(long i0, long width, long n, long k, const float *x, long ldx, const float *w,
                                      long ldw, float *ct, long ldct) {
    // Tiles of 48 columns of w by up to 8 columns of x, over all k rows. With more than one group of x's columns,
    // the 48 columns of w are first copied together: their rows lie ldw apart, often a multiple of 4 KB, which
    // maps them all onto a few cache sets, so a second pass over them in place would miss in L1 and L2 alike.
    const int groups = (int)((n + 7) / 8), rows = (int)((n + groups - 1) / groups);
    float *panel = groups > 1 ? malloc((size_t)k * 48 * sizeof(float)) : NULL;  // NULL: read w in place
    for (long m = 0; m < width; m += 48) {
        const long mw = width - m < 48 ? width - m : 48;
        const int cc = (int)((mw + 15) / 16);
        const float *v = w + i0 + m;
        long ldv = ldw;
        if (panel) {
            for (long l = 0; l < k; l++) memcpy(panel + l * 48, w + l * ldw + i0 + m, (size_t)mw * sizeof(float));
            v = panel;
            ldv = 48;
        }
        for (long j = 0; j < n; j += rows) {
            const int r = (int)(n - j < rows ? n - j : rows);
            ng_tiles[cc][r - 1](k, x + j, 1, ldx, v, ldv, ct + j * ldct + i0 + m, ldct, ng_tail_mask(mw), 0, 0,
                                panel ? 0 : 8);
        }
    }
    free(panel);
}

void translate_narrow_rank_update(long row0, long row1, long n, long k, const float *a, long lda, const float *bt,
                                  long ldbt, float *c, long ldc) {
    // Panels of bt of at most 256 KB, copied with rows 16 floats longer than the panel: bt's own rows are often a
    // multiple of 4 KB apart, which maps a tile's n rows onto a few cache sets. Each row tile adds its n-term
    // products to 6 rows x 64 columns of c at a time.
    long panel = (65536 / n) & ~63L;
    if (panel < 64) panel = 64;
    const long ldp = panel + 16;
    float *copy = malloc((size_t)n * ldp * sizeof(float));  // without it (no memory), bt is read where it lies
    for (long k0 = 0; k0 < k; k0 += panel) {
        const long kw = k - k0 < panel ? k - k0 : panel;
        if (copy) {
            for (long j = 0; j < n; j++) memcpy(copy + j * ldp, bt + j * ldbt + k0, (size_t)kw * sizeof(float));
        }
        const float *v = copy ? copy : bt + k0;
        const long ldv = copy ? ldp : ldbt;
        for (long i = row0; i < row1; i += 6) {
            const int rows = (int)(row1 - i < 6 ? row1 - i : 6);
            ng_row_of_tiles(rows, n, a + i * lda, lda, 1, v, ldv, c + i * ldc + k0, ldc, kw, 1, 0, 0);
        }
    }
    free(copy);
}

#else

void translate_narrow_gemm(long row0, long row1, long n, long k, const float *a, long lda, const float *b, long ldb,
                           float *c, long ldc, int accumulate) {}
void translate_narrow_gemm_transposed(long i0, long width, long n, long k, const float *x, long ldx, const float *w,
                                      long ldw, float *ct, long ldct) {}
void translate_narrow_rank_update(long row0, long row1, long n, long k, const float *a, long lda, const float *bt,
                                  long ldbt, float *c, long ldc) {}

#endif
