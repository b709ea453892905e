import Benchmark
import Synchronization

/// Rolling a bundle out to 1,000 agents on loopback: the real `v2g-aggregator serve` (a child process, its own
/// SQLite stores) and 1,000 simulated agents, each on its own mutual-TLS connection with its own certificate,
/// polling its bundle every 5 s with a conditional GET, verifying a new one as the agent does and reporting it.
/// Canary 10, then 4 waves, no soak: the time to done is the polling (each stage waits for its slowest agent's next
/// poll) plus the server's work; the server CPU is what the whole rollout cost it. Clients and server share the
/// machine's cores.
let benchmarks: @Sendable () -> Void = {
    let agents = 1_000
    Benchmark(
        "rollout to \(agents) agents over mTLS: canary 10, 4 waves, 5 s polls",
        configuration: .init(
            metrics: [.wallClock] + RolloutMetric.all, timeUnits: .seconds, warmupIterations: 1, maxDuration: .seconds(600),
            maxIterations: 3),
        closure: { benchmark in
            let fleet = Slots.fleet.withLock { $0 }!
            benchmark.startMeasurement()
            let figures: RolloutFleet.Figures
            do { figures = try await fleet.rollOut(canary: 10, waves: 4, soakS: 0) } catch { fatalError("\(error)") }
            benchmark.stopMeasurement()
            let requests = figures.counts.bundles + figures.counts.notModified + figures.counts.none + figures.counts.reports
            benchmark.measurement(RolloutMetric.serverCPU, figures.serverCPUMicroseconds / 1000)
            benchmark.measurement(RolloutMetric.cpuPerRequest, figures.serverCPUMicroseconds / max(1, requests))
            benchmark.measurement(RolloutMetric.bundles, figures.counts.bundles)
            benchmark.measurement(RolloutMetric.polls, figures.counts.notModified + figures.counts.none)
            benchmark.measurement(RolloutMetric.failures, figures.counts.failures)
            print("rollout: \(figures.elapsed) to done, server CPU \(figures.serverCPUMicroseconds / 1000) ms, \(figures.counts)")
        },
        setup: {
            let fleet = try await RolloutFleet(agents: agents, pollInterval: .seconds(5))
            Slots.fleet.withLock { $0 = fleet }
        },
        teardown: {
            guard let fleet = Slots.fleet.withLock({ $0 }) else { return }
            Slots.fleet.withLock { $0 = nil }
            print("rollout: server peak resident \(fleet.server.peakResidentKiB()) KiB")
            fleet.server.stop()
        }
    )
}

/// Per-rollout figures.
enum RolloutMetric {
    /// The aggregator's user + system CPU over the whole rollout (/proc, 10 ms ticks).
    static let serverCPU = BenchmarkMetric.custom("server CPU per rollout (ms)", useScalingFactor: false)
    static let cpuPerRequest = BenchmarkMetric.custom("server CPU per request (µs)", useScalingFactor: false)
    /// 200 answers: each agent once.
    static let bundles = BenchmarkMetric.custom("bundles served (200)", useScalingFactor: false)
    /// 304 and 404 answers while the waves went out.
    static let polls = BenchmarkMetric.custom("polls answered 304/404", useScalingFactor: false)
    static let failures = BenchmarkMetric.custom("failed requests or verifications", useScalingFactor: false)
    static let all = [serverCPU, cpuPerRequest, bundles, polls, failures]
}

enum Slots {
    static let fleet = Mutex<RolloutFleet?>(nil)
}
