// Vector operations Swift's SIMD types do not lower to one instruction. Swift's `SIMD4<Float>.squareRoot()`
// compiles to four scalar sqrtss and shuffles, which made the Adam update compute-bound; clang's ext_vector
// types are imported into Swift as SIMD4<Float>, so this header gives the vector instruction directly.
// It also reads the CPU's vector features (cpuid, XCR0), which Swift has no API for.
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

#if defined(__x86_64__)
#include <cpuid.h>
/// Which vector instruction sets this CPU runs and the OS saves across context switches: bit 0 AVX2 with FMA,
/// bit 1 AVX-512 F/DQ/BW/VL (what OpenBLAS's SkylakeX kernels need). Reads XCR0 too: a CPU flag without the
/// OS saving those registers would fault.
static inline int translate_x86_vector_features(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    const int fma = (c >> 12) & 1, osxsave = (c >> 27) & 1, avx = (c >> 28) & 1;
    if (!(fma && osxsave && avx)) return 0;
    unsigned xcr0_lo, xcr0_hi;
    __asm__ volatile("xgetbv" : "=a"(xcr0_lo), "=d"(xcr0_hi) : "c"(0));
    if ((xcr0_lo & 0x6) != 0x6) return 0;                 /* XMM and YMM state */
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
    int features = ((b >> 5) & 1) ? 1 : 0;                 /* AVX2 */
    const unsigned avx512 = (1u << 16) | (1u << 17) | (1u << 30) | (1u << 31);  /* F, DQ, BW, VL */
    if (features && (b & avx512) == avx512 && (xcr0_lo & 0xE6) == 0xE6) features |= 2;  /* opmask, ZMM state */
    return features;
}
#else
static inline int translate_x86_vector_features(void) { return 0; }
#endif

#endif
