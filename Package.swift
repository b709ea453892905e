// swift-tools-version:6.1
import PackageDescription

// v2g-edge: one package, two programs (v2g-agent, v2g-aggregator) over one shared core.
// Folder layout is fixed: Common/ (shared core and C wrappers), Agent/, Aggregator/, Tools/, Tests/.

let package = Package(
    name: "v2g-edge",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "v2g-agent", targets: ["v2g-agent"]),
        .executable(name: "v2g-adm", targets: ["v2g-adm"]),
        .library(name: "GridCore", targets: ["GridCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // C libraries from Debian, one systemLibrary each (design brief §6).
        .systemLibrary(name: "CModbus", path: "Common/CModbus", pkgConfig: "libmodbus", providers: [.apt(["libmodbus-dev"])]),
        .systemLibrary(name: "CZstd", path: "Common/CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "COpenSSL", path: "Common/COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CSQLite", path: "Common/CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),

        // Thin, safe Swift wrappers: one per C library.
        .target(name: "EdgeModbus", dependencies: ["CModbus"], path: "Common/EdgeModbus"),
        .target(name: "EdgeZstd", dependencies: ["CZstd"], path: "Common/EdgeZstd"),
        .target(name: "EdgeCrypto", dependencies: ["COpenSSL"], path: "Common/EdgeCrypto"),
        .target(name: "EdgeSQLite", dependencies: ["CSQLite"], path: "Common/EdgeSQLite"),

        // The pure control core: no I/O, injected clock.
        .target(name: "GridCore", path: "Common/GridCore"),

        // Agent side: FoundationEssentials only (design brief §6).
        .target(
            name: "AgentKit",
            dependencies: ["GridCore", .product(name: "Logging", package: "swift-log")],
            path: "Agent/AgentKit"
        ),
        .executableTarget(
            name: "v2g-agent",
            dependencies: ["AgentKit", "GridCore", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Agent/v2g-agent"
        ),

        // Operator CLI.
        .target(name: "AdmKit", dependencies: ["GridCore"], path: "Tools/AdmKit"),
        .executableTarget(
            name: "v2g-adm",
            dependencies: ["AdmKit", "GridCore", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Tools/v2g-adm"
        ),

        .testTarget(name: "GridCoreTests", dependencies: ["GridCore"], path: "Tests/GridCoreTests"),
        .testTarget(name: "EdgeModbusTests", dependencies: ["EdgeModbus"], path: "Tests/EdgeModbusTests"),
        .testTarget(name: "EdgeZstdTests", dependencies: ["EdgeZstd"], path: "Tests/EdgeZstdTests"),
        .testTarget(name: "EdgeCryptoTests", dependencies: ["EdgeCrypto"], path: "Tests/EdgeCryptoTests"),
        .testTarget(name: "EdgeSQLiteTests", dependencies: ["EdgeSQLite"], path: "Tests/EdgeSQLiteTests"),
        .testTarget(name: "AgentKitTests", dependencies: ["AgentKit", "GridCore"], path: "Tests/AgentKitTests"),
        .testTarget(name: "AdmKitTests", dependencies: ["AdmKit", "GridCore"], path: "Tests/AdmKitTests"),
    ]
)

// One loop applies the compiler settings to every Swift target (as swift-log does).
for target in package.targets where [.executable, .test, .regular].contains(target.type) {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    settings.append(.enableUpcomingFeature("InternalImportsByDefault"))
    target.swiftSettings = settings
}
