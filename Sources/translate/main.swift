import Kernels
import TranslateCLI

// Before any GEMM: idle OpenBLAS workers must not spin on the core our own loops need (see BLASSpin.swift).
shortenBLASSpin()
TranslateCommand.main()
