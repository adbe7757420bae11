// swift-tools-version:6.0
import PackageDescription

// Hot loops live in Kernels: always optimized, bounds checks off, even in debug builds.
let kernelFlags: [SwiftSetting] = [.unsafeFlags(["-Ounchecked", "-wmo"])]
// Everything above Kernels is optimized too, so `swift test` in debug stays usable.
let optimized: [SwiftSetting] = [.unsafeFlags(["-O"])]

let package = Package(
    name: "translate",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "translate", targets: ["translate"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS"),
        .systemLibrary(name: "CSIMD", path: "Sources/CSIMD"),
        .target(name: "CImageCodecs", path: "Sources/CImageCodecs",
                cSettings: [.unsafeFlags(["-O2"])],
                linkerSettings: [.linkedLibrary("jpeg"), .linkedLibrary("png")]),
        // AVX-512 and AVX2 variants of a few hot loops, chosen at run time (target attributes per function).
        .target(name: "CVectorKernels", path: "Sources/CVectorKernels", exclude: ["vector_kernels_body.inc"],
                cSettings: [.unsafeFlags(["-O3"])]),
        .target(name: "Kernels", dependencies: ["CBLAS", "CSIMD", "CVectorKernels"], swiftSettings: kernelFlags),
        .target(name: "TensorCore", dependencies: ["Kernels"], swiftSettings: optimized),
        .target(name: "SafeTensors", swiftSettings: optimized),
        .target(name: "NN", dependencies: ["TensorCore"], swiftSettings: optimized),
        .target(name: "Models", dependencies: ["NN", "SafeTensors"], swiftSettings: optimized),
        .target(name: "ImageData", dependencies: ["CImageCodecs", "TensorCore", "Kernels"], swiftSettings: optimized),
        .target(name: "Training", dependencies: ["Models", "ImageData"], swiftSettings: optimized),
        .target(name: "Conversion", dependencies: ["Models", "ImageData"], swiftSettings: optimized),
        .target(name: "TranslateCLI", dependencies: [
            "Training", "Models", "ImageData", "Conversion",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: optimized),
        .executableTarget(name: "translate", dependencies: ["Kernels", "TranslateCLI"], swiftSettings: optimized),

        .testTarget(name: "KernelsTests", dependencies: ["Kernels"]),
        .testTarget(name: "TensorCoreTests", dependencies: ["TensorCore", "SafeTensors"]),
        .testTarget(name: "SafeTensorsTests", dependencies: ["SafeTensors"]),
        .testTarget(name: "ImageDataTests", dependencies: ["ImageData"]),
        .testTarget(name: "ModelsTests", dependencies: ["Models"], resources: [.copy("Fixtures")]),
        .testTarget(name: "TrainingTests", dependencies: ["Training"], exclude: ["Fixtures"]),  // read by path (PyTorchStepTests)
        .testTarget(name: "ConversionTests", dependencies: ["Conversion"]),
        .testTarget(name: "CLITests", dependencies: ["TranslateCLI"]),
    ]
)
