#include "vector_kernels.h"

// Floats ahead of the current position at which the big matrix is requested (4 KB, as the Swift loops).
#define PREFETCH_AHEAD 1024

#if defined(__x86_64__)

#define VEC_WIDTH 16
#define TARGET "avx512f,avx512dq,avx512bw,avx512vl,fma"
#define NAME(x) avx512_##x
#include "vector_kernels_body.inc"
#undef VEC_WIDTH
#undef TARGET
#undef NAME

#define VEC_WIDTH 8
#define TARGET "avx2,fma"
#define NAME(x) avx2_##x
#include "vector_kernels_body.inc"
#undef VEC_WIDTH
#undef TARGET
#undef NAME

void translate_skinny_row_dot(int level, long row0, long row1, long n, long k, const float *a, long lda,
                              const float *bt, long ldbt, float *c, long ldc, int accumulate) {
    if (level >= 2) avx512_row_dot(row0, row1, n, k, a, lda, bt, ldbt, c, ldc, accumulate);
    else avx2_row_dot(row0, row1, n, k, a, lda, bt, ldbt, c, ldc, accumulate);
}

void translate_skinny_stream_rows(int level, long i0, long width, long n, long k, const float *x, long ldx,
                                  const float *w, long ldw, float *ct, long ldct) {
    if (level >= 2) avx512_stream_rows(i0, width, n, k, x, ldx, w, ldw, ct, ldct);
    else avx2_stream_rows(i0, width, n, k, x, ldx, w, ldw, ct, ldct);
}

void translate_skinny_rank_update(int level, long row0, long row1, long n, long k, const float *a, long lda,
                                  const float *bt, long ldbt, float *c, long ldc) {
    if (level >= 2) avx512_rank_update(row0, row1, n, k, a, lda, bt, ldbt, c, ldc);
    else avx2_rank_update(row0, row1, n, k, a, lda, bt, ldbt, c, ldc);
}

void translate_winograd_input_row_f4(int level, const float *rows, long width, long tilesW, float *t, float *out,
                                     long matrix) {
    if (level >= 2) avx512_winograd_input_row_f4(rows, width, tilesW, t, out, matrix);
    else avx2_winograd_input_row_f4(rows, width, tilesW, t, out, matrix);
}

void translate_winograd_output_row_f4(int level, const float *m, long matrix, long tilesW, float *s, float *rows) {
    if (level >= 2) avx512_winograd_output_row_f4(m, matrix, tilesW, s, rows);
    else avx2_winograd_output_row_f4(m, matrix, tilesW, s, rows);
}

void translate_winograd_output_gradient_row_f4(int level, const float *rows, long tilesW, float *z, float *out,
                                              long matrix) {
    if (level >= 2) avx512_winograd_output_gradient_row_f4(rows, tilesW, z, out, matrix);
    else avx2_winograd_output_gradient_row_f4(rows, tilesW, z, out, matrix);
}

double translate_sum_double(int level, const float *x, long n) {
    return level >= 2 ? avx512_sum_double(x, n) : avx2_sum_double(x, n);
}

double translate_squared_deviations(int level, const float *x, long n, double mean) {
    return level >= 2 ? avx512_squared_deviations(x, n, mean) : avx2_squared_deviations(x, n, mean);
}

void translate_adam(int level, float *param, const float *grad, float *expAvg, float *expAvgSq, long start, long end,
                    float w1, float beta2, float w2, float eps, float negStep, float bc2Sqrt) {
    const int low = w1 < 0.5f;
    if (level >= 2) avx512_adam(param, grad, expAvg, expAvgSq, start, end, w1, low, beta2, w2, eps, negStep, bc2Sqrt);
    else avx2_adam(param, grad, expAvg, expAvgSq, start, end, w1, low, beta2, w2, eps, negStep, bc2Sqrt);
}

void translate_sum_and_centered_dot(int level, const float *g, const float *x, long n, float mean, double *sum,
                                    double *dot) {
    if (level >= 2) avx512_sum_and_centered_dot(g, x, n, mean, sum, dot);
    else avx2_sum_and_centered_dot(g, x, n, mean, sum, dot);
}

#else  // Not x86-64: never called (the level is 0), but the symbols must exist.

void translate_skinny_row_dot(int level, long row0, long row1, long n, long k, const float *a, long lda,
                              const float *bt, long ldbt, float *c, long ldc, int accumulate) {}
void translate_skinny_stream_rows(int level, long i0, long width, long n, long k, const float *x, long ldx,
                                  const float *w, long ldw, float *ct, long ldct) {}
void translate_skinny_rank_update(int level, long row0, long row1, long n, long k, const float *a, long lda,
                                  const float *bt, long ldbt, float *c, long ldc) {}
void translate_winograd_input_row_f4(int level, const float *rows, long width, long tilesW, float *t, float *out,
                                     long matrix) {}
void translate_winograd_output_row_f4(int level, const float *m, long matrix, long tilesW, float *s, float *rows) {}
void translate_winograd_output_gradient_row_f4(int level, const float *rows, long tilesW, float *z, float *out,
                                              long matrix) {}
double translate_sum_double(int level, const float *x, long n) { return 0; }
double translate_squared_deviations(int level, const float *x, long n, double mean) { return 0; }
void translate_adam(int level, float *param, const float *grad, float *expAvg, float *expAvgSq, long start, long end,
                    float w1, float beta2, float w2, float eps, float negStep, float bc2Sqrt) {}
void translate_sum_and_centered_dot(int level, const float *g, const float *x, long n, float mean, double *sum,
                                    double *dot) {}

#endif
