// swift-tools-version:6.0
import Foundation
import PackageDescription

/// The library's loops (optimizer steps, activations) are compiled for AVX2 and FMA when
/// the machine building it has them: the adaptive optimizers' steps take about half the
/// time (BENCHMARKS.md). The numbers stay the same: Swift never fuses a multiplication
/// and an addition into one rounding, and an element-wise operation rounds the same in
/// any vector width. A binary meant for other machines (cluster nodes of older
/// processors) is built without it when OPTLAB_PORTABLE is set (then remove `.build`).
let vectorLoops: [SwiftSetting] = {
    #if arch(x86_64)
    if ProcessInfo.processInfo.environment["OPTLAB_PORTABLE"] != nil { return [] }
    guard let cpuinfo = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
          let line = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("flags") })
    else { return [] }
    let flags = Set(line.split(separator: " ").map(String.init))
    // What LLVM's "haswell" target assumes, as /proc/cpuinfo names it.
    let haswell: Set = ["avx", "avx2", "fma", "bmi1", "bmi2", "f16c", "movbe", "abm", "popcnt", "sse4_2"]
    return haswell.isSubset(of: flags) ? [.unsafeFlags(["-target-cpu", "haswell"])] : []
    #else
    return []
    #endif
}()

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
        .target(name: "CSparse", path: "Sources/CSparse"),

        // MARK: Library: everything the tool does
        .target(
            name: "OptLab",
            dependencies: ["CBLAS", "CZlib", "CMath", "CParallel", "CSparse", .product(name: "Yams", package: "Yams")],
            swiftSettings: vectorLoops
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
            dependencies: ["OptLab", "OptLabCommands", "CBLAS", "CMath", "CZlib", "CSparse", .product(name: "Yams", package: "Yams")]
        ),
    ]
)
