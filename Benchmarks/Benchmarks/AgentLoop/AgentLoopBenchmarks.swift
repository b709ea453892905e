import Benchmark

// Placeholder: filled by the AgentLoop benchmark work.
let benchmarks: @Sendable () -> Void = {}
