// swift-tools-version:6.1
import PackageDescription

// v2g-edge: one package, two programs (v2g-agent, v2g-aggregator) over one shared core.
// Folder layout is fixed: Common/ (shared core and C wrappers), Agent/, Aggregator/, Tools/, Tests/.

// The numeric core (control cycle, horizon planner) and the feeder physics are optimised in debug builds too: a
// night rehearsed in tests, or a plan made inside a 1 s cycle at ×40 simulated time, is otherwise 10–30× slower
// than what a release agent runs.
let optimizedInDebug: [SwiftSetting] = [.unsafeFlags(["-O"], .when(configuration: .debug))]

let package = Package(
    name: "v2g-edge",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "v2g-agent", targets: ["v2g-agent"]),
        .executable(name: "v2g-adm", targets: ["v2g-adm"]),
        .executable(name: "v2g-sim", targets: ["v2g-sim"]),
        .executable(name: "v2g-aggregator", targets: ["v2g-aggregator"]),
        .library(name: "GridCore", targets: ["GridCore"]),
        // For the benchmarks package: the agent's field loop and the simulator, over loopback.
        .library(name: "AgentKit", targets: ["AgentKit"]),
        .library(name: "SimKit", targets: ["SimKit"]),
        .library(name: "Telemetry", targets: ["Telemetry"]),
        // Seeded synthetic telemetry for tests and benchmarks (not linked into the agent or the aggregator).
        .library(name: "TelemetryTesting", targets: ["TelemetryTesting"]),
        // For the benchmarks package: bundle verification, with the key type it signs with.
        .library(name: "PolicyTrust", targets: ["PolicyTrust", "EdgeCrypto"]),
        // For the benchmarks package: the rollout benchmark's simulated agents (libcurl, conditional GET) and its
        // signed-policy fixture and request format.
        .library(name: "EdgeCurl", targets: ["EdgeCurl"]),
        .library(name: "AggregatorTesting", targets: ["AggregatorTesting", "AggregatorKit"]),
        // For the benchmarks package and the aggregator: the neighborhood planner.
        .library(name: "MeshPlanner", targets: ["MeshPlanner"]),
        // Seeded synthetic neighborhoods for the planner's tests and benchmarks (not linked into a program).
        .library(name: "MeshPlannerTesting", targets: ["MeshPlannerTesting"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        // Aggregator only (the agent stays small: FoundationEssentials and C libraries only).
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // C libraries from Debian, one systemLibrary each.
        .systemLibrary(name: "CModbus", path: "Common/CModbus", pkgConfig: "libmodbus", providers: [.apt(["libmodbus-dev"])]),
        .systemLibrary(name: "CZstd", path: "Common/CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "COpenSSL", path: "Common/COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CCurl", path: "Common/CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CSQLite", path: "Common/CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),

        // Thin, safe Swift wrappers: one per C library.
        .target(name: "EdgeModbus", dependencies: ["CModbus"], path: "Common/EdgeModbus"),
        .target(name: "EdgeZstd", dependencies: ["CZstd"], path: "Common/EdgeZstd"),
        .target(name: "EdgeCrypto", dependencies: ["COpenSSL"], path: "Common/EdgeCrypto"),
        .target(name: "EdgeSQLite", dependencies: ["CSQLite"], path: "Common/EdgeSQLite"),
        .target(name: "EdgeCurl", dependencies: ["CCurl"], path: "Common/EdgeCurl"),

        // The pure control core: no I/O, injected clock.
        .target(name: "GridCore", path: "Common/GridCore", swiftSettings: optimizedInDebug),
        // Telemetry frames: quantized, columnar, predicted residuals in a bit stream, then zstd (docs/telemetry.md).
        .target(name: "Telemetry", dependencies: ["EdgeZstd"], path: "Common/Telemetry"),
        // Test data: the seeded synthetic feeder and the plain coder the format is measured against, for tests,
        // benchmarks and `v2g-adm telemetry synth`.
        .target(name: "TelemetryTesting", dependencies: ["Telemetry", "EdgeZstd"], path: "Tests/TelemetryTesting"),
        // The strict JSON reader for signed, pinned and hand-edited documents (no dependencies).
        .target(name: "StrictJSON", path: "Common/StrictJSON"),
        // Signed policy: DSSE envelopes, the root of trust and its rotation, policy bundles (FoundationEssentials only).
        .target(name: "PolicyTrust", dependencies: ["EdgeCrypto", "GridCore", "StrictJSON"], path: "Common/PolicyTrust"),
        // The neighborhood planner: snapshot and goals in, per-transformer envelopes out (pure). The agent links it only for
        // the state report's wire type, shared with the aggregator.
        .target(name: "MeshPlanner", dependencies: ["GridCore"], path: "Common/MeshPlanner", swiftSettings: optimizedInDebug),
        .target(name: "MeshPlannerTesting", dependencies: ["MeshPlanner", "GridCore", "TelemetryTesting"], path: "Tests/MeshPlannerTesting"),
        // SunSpec register maps: discovery and decoding for the agent, device images for the simulator.
        .target(name: "SunSpec", path: "Common/SunSpec"),

        // Agent side: FoundationEssentials only, to keep the binary small.
        .target(
            name: "AgentKit",
            dependencies: [
                "GridCore", "SunSpec", "EdgeModbus", "EdgeSQLite", "Telemetry", "EdgeCurl", "PolicyTrust", "StrictJSON", "MeshPlanner",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Agent/AgentKit"
        ),
        .executableTarget(
            name: "v2g-agent",
            dependencies: [
                "AgentKit", "GridCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            path: "Agent/v2g-agent"
        ),

        // Operator CLI.
        // AgentKit: `protection respond` loads a policy exactly as the agent does (same checks, same error line).
        // TelemetryTesting: `telemetry synth` writes the synthetic feeder's stream.
        // MeshPlanner: `dispatch plan` runs one planning pass on a snapshot file.
        // EdgeCurl and AggregatorKit: `rollout …` and `roots publish` talk to the aggregator over mutual TLS with an
        // operator certificate, in the aggregator's own request format.
        .target(
            name: "AdmKit",
            dependencies: [
                "GridCore", "Telemetry", "TelemetryTesting", "AgentKit", "PolicyTrust", "EdgeCrypto", "StrictJSON", "EdgeCurl", "AggregatorKit", "MeshPlanner",
            ],
            path: "Tools/AdmKit"),
        .executableTarget(
            name: "v2g-adm",
            dependencies: ["AdmKit", "GridCore", "PolicyTrust", "MeshPlanner", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Tools/v2g-adm"
        ),

        // Aggregator: storage, ingest and rollouts (no server stack), then the HTTPS server on Hummingbird 2.
        .target(
            name: "AggregatorKit",
            dependencies: [
                "Telemetry", "EdgeSQLite", "PolicyTrust", "StrictJSON", "GridCore", "MeshPlanner", "EdgeCrypto",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Aggregator/AggregatorKit"
        ),
        // Test support: the in-memory stores with the SQLite stores' semantics, and a signed-policy fixture (never linked
        // into a program).
        .target(
            name: "AggregatorTesting", dependencies: ["AggregatorKit", "Telemetry", "PolicyTrust", "EdgeCrypto", "GridCore", "MeshPlanner"],
            path: "Aggregator/AggregatorTesting"),
        // The operator dashboard's page, script and style, compiled into the binary: nothing to install beside it,
        // nothing fetched at run time.
        .target(
            name: "DashboardAssets", path: "Aggregator/Dashboard",
            resources: [.embedInCode("index.html"), .embedInCode("app.js"), .embedInCode("app.css")]),
        .target(
            name: "AggregatorServer",
            dependencies: [
                "AggregatorKit", "Telemetry", "PolicyTrust", "StrictJSON", "EdgeCrypto", "GridCore", "MeshPlanner", "DashboardAssets",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Aggregator/AggregatorServer"
        ),
        .executableTarget(
            name: "v2g-aggregator",
            dependencies: [
                "AggregatorServer", "AggregatorKit", "Telemetry", "PolicyTrust", "GridCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Aggregator/v2g-aggregator"
        ),

        // Field simulator: SunSpec Modbus servers with feeder physics.
        .target(name: "SimKit", dependencies: ["GridCore", "SunSpec", "EdgeModbus"], path: "Simulator/SimKit", swiftSettings: optimizedInDebug),
        .executableTarget(
            name: "v2g-sim",
            dependencies: ["SimKit", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Simulator/v2g-sim"
        ),

        .testTarget(
            name: "AggregatorKitTests",
            dependencies: ["AggregatorKit", "AggregatorTesting", "Telemetry", "PolicyTrust", "EdgeCrypto", "GridCore", "StrictJSON", "MeshPlanner"],
            path: "Tests/AggregatorKitTests"),
        .testTarget(
            name: "AggregatorServerTests",
            dependencies: [
                "AggregatorServer", "AggregatorKit", "AggregatorTesting", "Telemetry", "EdgeZstd", "PolicyTrust", "EdgeCrypto",
                "GridCore", "AdmKit", "AgentKit", "MeshPlanner", "StrictJSON",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Tests/AggregatorServerTests"
        ),
        .testTarget(name: "TelemetryTests", dependencies: ["Telemetry", "TelemetryTesting", "EdgeZstd"], path: "Tests/TelemetryTests"),
        .testTarget(name: "SunSpecTests", dependencies: ["SunSpec"], path: "Tests/SunSpecTests"),
        .testTarget(name: "SimKitTests", dependencies: ["SimKit", "GridCore"], path: "Tests/SimKitTests"),
        // The agent against the simulator over real Modbus TCP on loopback, with a real SQLite cache.
        .testTarget(
            name: "IntegrationTests",
            dependencies: ["AgentKit", "SimKit", "GridCore", "SunSpec", "EdgeModbus", "AggregatorKit", "Telemetry"],
            path: "Tests/IntegrationTests"
        ),
        .testTarget(name: "GridCoreTests", dependencies: ["GridCore"], path: "Tests/GridCoreTests"),
        .testTarget(name: "EdgeModbusTests", dependencies: ["EdgeModbus"], path: "Tests/EdgeModbusTests"),
        .testTarget(name: "EdgeZstdTests", dependencies: ["EdgeZstd"], path: "Tests/EdgeZstdTests"),
        .testTarget(name: "EdgeCryptoTests", dependencies: ["EdgeCrypto"], path: "Tests/EdgeCryptoTests"),
        .testTarget(name: "EdgeSQLiteTests", dependencies: ["EdgeSQLite"], path: "Tests/EdgeSQLiteTests"),
        // libcurl against Python's HTTP server and openssl s_server over mutual TLS on loopback.
        .testTarget(name: "EdgeCurlTests", dependencies: ["EdgeCurl", "PeerProcesses"], path: "Tests/EdgeCurlTests"),
        // Test support: child processes (peers, tools, the programs) waited on off the cooperative pool.
        .target(name: "PeerProcesses", path: "Tests/PeerProcesses"),
        .testTarget(
            name: "AgentKitTests", dependencies: ["AgentKit", "GridCore", "PolicyTrust", "EdgeCrypto", "StrictJSON", "PeerProcesses", "MeshPlanner"], path: "Tests/AgentKitTests"),
        .testTarget(
            name: "AdmKitTests", dependencies: ["AdmKit", "AgentKit", "GridCore", "PolicyTrust", "EdgeCrypto", "MeshPlanner", "AggregatorKit"],
            path: "Tests/AdmKitTests"),
        .testTarget(
            name: "MeshPlannerTests", dependencies: ["MeshPlanner", "MeshPlannerTesting", "GridCore", "TelemetryTesting"],
            path: "Tests/MeshPlannerTests"),
        .testTarget(name: "StrictJSONTests", dependencies: ["StrictJSON"], path: "Tests/StrictJSONTests"),
        .testTarget(
            name: "PolicyTrustTests", dependencies: ["PolicyTrust", "EdgeCrypto", "GridCore", "StrictJSON"], path: "Tests/PolicyTrustTests"),
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
