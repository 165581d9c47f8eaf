// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "OptLab",
    products: [
        .executable(name: "optlab", targets: ["optlab"]),
        .library(name: "OptLab", targets: ["OptLab"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // MARK: C libraries from the system
        .systemLibrary(
            name: "CBLAS",
            path: "Sources/CBLAS",
            providers: [.apt(["libopenblas-dev"])]
        ),
        .systemLibrary(
            name: "CZlib",
            path: "Sources/CZlib",
            providers: [.apt(["zlib1g-dev"])]
        ),

        // MARK: Small C helpers of our own
        .target(name: "CMath", path: "Sources/CMath"),
        .target(name: "CParallel", path: "Sources/CParallel"),

        // MARK: Library: everything the tool does
        .target(
            name: "OptLab",
            dependencies: ["CBLAS", "CZlib", "CMath", "CParallel", .product(name: "Yams", package: "Yams")]
        ),

        // MARK: Command line
        .target(
            name: "OptLabCommands",
            dependencies: [
                "OptLab",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "optlab",
            dependencies: ["OptLabCommands"]
        ),

        // MARK: Tests
        .testTarget(
            name: "OptLabTests",
            dependencies: ["OptLab", "OptLabCommands", "CBLAS", "CZlib", .product(name: "Yams", package: "Yams")]
        ),
    ]
)
