// swift-tools-version:6.1
import PackageDescription

// Speed and memory targets live here, never in timed unit tests.
// Run: cd Benchmarks && swift package benchmark   (thresholds: Thresholds/)
let package = Package(
    name: "v2g-edge-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "v2g-edge", path: "../"),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "ControlCycleBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "GridCore", package: "v2g-edge"),
            ],
            path: "Benchmarks/ControlCycle",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // The agent's full cycle over Modbus TCP on loopback against the simulator.
        .executableTarget(
            name: "AgentLoopBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "AgentKit", package: "v2g-edge"),
                .product(name: "SimKit", package: "v2g-edge"),
                .product(name: "GridCore", package: "v2g-edge"),
            ],
            path: "Benchmarks/AgentLoop",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // Telemetry encoding: bytes per value on fresh seeds against a plain coder, and CPU per batch.
        .executableTarget(
            name: "TelemetryBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Telemetry", package: "v2g-edge"),
                .product(name: "TelemetryTesting", package: "v2g-edge"),
            ],
            path: "Benchmarks/Telemetry",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // The real `v2g-aggregator serve` in a child process on a provisioned PKI (AggregatorServer is not a library
        // product of the root package): build it first with `swift build -c release --product v2g-aggregator` here
        // (docs/benchmarks.md).
        .target(name: "AggregatorBench", path: "Benchmarks/AggregatorBench"),
        // Aggregator ingest over mutual TLS and the agent's CPU per batch.
        .executableTarget(
            name: "IngestBenchmarks",
            dependencies: [
                "AggregatorBench",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "AgentKit", package: "v2g-edge"),
                .product(name: "Telemetry", package: "v2g-edge"),
                .product(name: "TelemetryTesting", package: "v2g-edge"),
            ],
            path: "Benchmarks/Ingest",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // Verifying a signed policy bundle as the agent does (target ≤ 1 ms).
        .executableTarget(
            name: "PolicyTrustBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "PolicyTrust", package: "v2g-edge"),
                .product(name: "GridCore", package: "v2g-edge"),
            ],
            path: "Benchmarks/PolicyTrust",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // Rolling a bundle out to 1,000 simulated agents (conditional GET, verify, report) against the real server.
        .executableTarget(
            name: "RolloutBenchmarks",
            dependencies: [
                "AggregatorBench",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "EdgeCurl", package: "v2g-edge"),
                .product(name: "PolicyTrust", package: "v2g-edge"),
                .product(name: "GridCore", package: "v2g-edge"),
                .product(name: "AggregatorTesting", package: "v2g-edge"),
            ],
            path: "Benchmarks/Rollout",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // One neighborhood planning pass (target: 1,000 transformers × 50 chargers ≤ 100 ms) and its growth.
        .executableTarget(
            name: "MeshPlannerBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "MeshPlanner", package: "v2g-edge"),
                .product(name: "MeshPlannerTesting", package: "v2g-edge"),
                .product(name: "GridCore", package: "v2g-edge"),
            ],
            path: "Benchmarks/MeshPlanner",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
