import Kernels
import TranslateCLI

// Before any GEMM: OpenBLAS must not run its SSE fallback kernels on a CPU it does not recognise
// (BLASKernels.swift), and its idle workers must not spin on the core our own loops need (BLASSpin.swift).
_ = blasKernelChoice
shortenBLASSpin()
TranslateCommand.main()
