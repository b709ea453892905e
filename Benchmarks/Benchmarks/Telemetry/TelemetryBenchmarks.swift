import Benchmark

// Placeholder: filled by the Telemetry benchmark work.
let benchmarks: @Sendable () -> Void = {}
