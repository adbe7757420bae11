// Vector operations Swift's SIMD types do not lower to one instruction. Swift's `SIMD4<Float>.squareRoot()`
// compiles to four scalar sqrtss and shuffles, which made the Adam update compute-bound; clang's ext_vector
// types are imported into Swift as SIMD4<Float>, so this header gives the vector instruction directly.
#ifndef TRANSLATE_SIMD_SHIM_H
#define TRANSLATE_SIMD_SHIM_H

typedef float translate_float4 __attribute__((ext_vector_type(4)));

#if defined(__SSE__)
#include <xmmintrin.h>
/// Lane-wise IEEE square root (sqrtps: correctly rounded, the same values as the scalar sqrtf).
static inline translate_float4 translate_sqrt4(translate_float4 v) {
    return (translate_float4)_mm_sqrt_ps((__m128)v);
}
#else
static inline translate_float4 translate_sqrt4(translate_float4 v) {
    translate_float4 r = { __builtin_sqrtf(v.x), __builtin_sqrtf(v.y), __builtin_sqrtf(v.z), __builtin_sqrtf(v.w) };
    return r;
}
#endif

/// Asks for the cache line at `p` ahead of its use (a hint: never faults, so it may point past the end).
/// The streaming products read 16-32 MB weight matrices once; the hardware prefetcher alone kept them at
/// ~12 GB/s on two cores, requests 4-8 KB ahead reach ~27 GB/s.
static inline void translate_prefetch(const void *p) { __builtin_prefetch(p, 0, 3); }

#endif
