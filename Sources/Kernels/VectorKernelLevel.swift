import CSIMD

/// Which variant of the C vector kernels (CVectorKernels: the streaming products, the Winograd input rows) runs:
/// 2 AVX-512, 1 AVX2 with FMA, 0 none (Kernels' portable Swift loops). Defaults to the widest this CPU and OS
/// support (cpuid and XCR0, `translate_x86_vector_features`); tests and the benchmark may lower it to compare.
/// On an AVX-512 Xeon (best of two interleaved `translate bench --frozen` runs per level) the 1-4 pixel U-Net
/// layers (down7, down8, up8, up7) took 14.3 ms forward + backward with 2, 17.9 with 1 and 19.6 with 0.
nonisolated(unsafe) public var vectorKernelLevel: Int = {
    let features = translate_x86_vector_features()
    return features & 2 != 0 ? 2 : features & 1 != 0 ? 1 : 0
}()
