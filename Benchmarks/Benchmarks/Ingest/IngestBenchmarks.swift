import AggregatorBench
import AgentKit
import Benchmark
import Synchronization

/// Aggregator ingest over mutual TLS (target: ≥ 1,000 batches/s of 60 samples, i.e. 10,000 agents at one batch
/// per 10 s) and one agent's CPU per batch. Server: the real `v2g-aggregator serve` on its SQLite store, in a child
/// process on 127.0.0.1 (AggregatorProcess); clients: the agent's own libcurl client. Clients and server share the
/// machine's cores, so the throughput is a lower bound for a server with the cores to itself.
let benchmarks: @Sendable () -> Void = {
    let agents = 16
    let batchesPerAgent = 8  // per round: 16 × 8 = 128 batches

    // The current build, and beside it in the same run the binary of an earlier commit when one is given
    // (`V2G_AGGREGATOR_BASELINE`, docs/benchmarks.md): the before/after figures come from one run on one machine.
    var servers = [(name: "", executable: AggregatorProcess.aggregatorPath)]
    if let baseline = AggregatorProcess.baselinePath { servers.append((" (baseline binary)", baseline)) }

    for server in servers {
        Benchmark(
            "ingest over mTLS, \(agents) agents × \(batchesPerAgent) batches of 60 samples\(server.name)",
            configuration: .init(
                metrics: [.wallClock, .cpuTotal] + IngestMetric.all,
                timeUnits: .milliseconds, warmupIterations: 2, maxDuration: .seconds(20), maxIterations: 60),
            closure: { benchmark in
                let fleet = Slots.fleet.withLock { $0 }!
                await measureRound(benchmark, fleet, (0..<agents).map { fleet.nextFrames(agent: $0, count: batchesPerAgent) })
            },
            setup: {
                let fleet = try await IngestFleet(agents: agents, executable: server.executable)
                Slots.fleet.withLock { $0 = fleet }
            },
            teardown: {
                guard let fleet = Slots.fleet.withLock({ $0 }) else { return }
                Slots.fleet.withLock { $0 = nil }
                print("ingest\(server.name): \(fleet.posted) batches acknowledged as stored after setup, "
                    + "\(fleet.server.cpuMicroseconds() / 1000) ms server CPU in all")
                fleet.server.stop()
            }
        )
    }

    // A flood past a small write queue (`write_queue_batches` 16): 64 agents post 8 batches each at once, without
    // retrying. Answers are 200 or 503 (Retry-After) and nothing else; the server's peak memory stays flat because
    // the queue, not the load, bounds what waits (that acknowledged means committed is StoreWriterTests' job).
    Benchmark(
        "ingest flood past a 16-batch write queue, 64 agents × 8 batches",
        configuration: .init(
            metrics: [.wallClock] + FloodMetric.all, timeUnits: .milliseconds, warmupIterations: 1, maxDuration: .seconds(20),
            maxIterations: 20),
        closure: { benchmark in
            let fleet = Slots.fleet.withLock { $0 }!
            let frames = (0..<64).map { fleet.nextFrames(agent: $0, count: 8) }
            benchmark.startMeasurement()
            let counts = await fleet.flood(frames)
            benchmark.stopMeasurement()
            benchmark.measurement(FloodMetric.acknowledged, counts.acknowledged)
            benchmark.measurement(FloodMetric.refused, counts.refused503)
            benchmark.measurement(FloodMetric.peakKiB, fleet.server.peakResidentKiB())
        },
        setup: {
            let fleet = try await IngestFleet(agents: 64, storage: #", "write_queue_batches": 16, "batches_per_transaction": 8"#)
            Slots.fleet.withLock { $0 = fleet }
        },
        teardown: {
            guard let fleet = Slots.fleet.withLock({ $0 }) else { return }
            Slots.fleet.withLock { $0 = nil }
            print("flood: server peak resident \(fleet.server.peakResidentKiB()) KiB")
            fleet.server.stop()
        }
    )

    // The same round re-posted: every answer is a duplicate (decode, digest check, no sample written), so the
    // difference to the benchmark above is what storing the samples costs the server.
    Benchmark(
        "ingest over mTLS, \(agents) agents × \(batchesPerAgent) duplicate batches (no SQLite writes)",
        configuration: .init(
            metrics: [.wallClock, .cpuTotal] + IngestMetric.all,
            timeUnits: .milliseconds, warmupIterations: 2, maxDuration: .seconds(20), maxIterations: 60),
        closure: { benchmark in
            await measureRound(benchmark, Slots.fleet.withLock { $0 }!, Slots.stored.withLock { $0 }, duplicates: true)
        },
        setup: {
            let fleet = try await IngestFleet(agents: agents)
            let frames = (0..<agents).map { fleet.nextFrames(agent: $0, count: batchesPerAgent) }
            _ = await fleet.post(frames)
            Slots.fleet.withLock { $0 = fleet }
            Slots.stored.withLock { $0 = frames }
        },
        teardown: {
            guard let fleet = Slots.fleet.withLock({ $0 }) else { return }
            Slots.fleet.withLock { $0 = nil }
            fleet.server.stop()
        }
    )

    let agentConfiguration = Benchmark.Configuration(
        metrics: [.wallClock, .cpuUser, .cpuTotal, .mallocCountTotal, .throughput] + AgentMetric.all,
        timeUnits: .microseconds, warmupIterations: 10, maxDuration: .seconds(10), maxIterations: 2_000)

    Benchmark("agent batch: 60 appends + seal + mTLS POST + ack", configuration: agentConfiguration) { benchmark in
        let agent = Slots.agent.withLock { $0 }!
        let (cpuBefore, userBefore) = (ProcessCPU.totalMicroseconds(), ProcessCPU.userMicroseconds())
        benchmark.startMeasurement()
        try agent.appendAndSeal()
        guard try agent.uploadPending() else { fatalError("upload failed") }
        benchmark.stopMeasurement()
        benchmark.measurement(AgentMetric.cpuTotal, ProcessCPU.totalMicroseconds() - cpuBefore)
        benchmark.measurement(AgentMetric.cpuUser, ProcessCPU.userMicroseconds() - userBefore)
    } setup: {
        let agent = try AgentBatchCost()
        Slots.agent.withLock { $0 = agent }
    } teardown: {
        Slots.agent.withLock { $0?.server.stop(); $0 = nil }
    }

    Benchmark("agent batch: 60 appends + seal, no network", configuration: agentConfiguration) { benchmark in
        let agent = Slots.agent.withLock { $0 }!
        let (cpuBefore, userBefore) = (ProcessCPU.totalMicroseconds(), ProcessCPU.userMicroseconds())
        benchmark.startMeasurement()
        try agent.appendAndSeal()
        benchmark.stopMeasurement()
        benchmark.measurement(AgentMetric.cpuTotal, ProcessCPU.totalMicroseconds() - cpuBefore)
        benchmark.measurement(AgentMetric.cpuUser, ProcessCPU.userMicroseconds() - userBefore)
        try agent.discardPending()
    } setup: {
        let agent = try AgentBatchCost()
        Slots.agent.withLock { $0 = agent }
    } teardown: {
        Slots.agent.withLock { $0?.server.stop(); $0 = nil }
    }
}

/// Posts one round and records its batches/s, the server's CPU per batch and every post's latency.
func measureRound(
    _ benchmark: Benchmark, _ fleet: IngestFleet, _ frames: [[(sequence: UInt64, bytes: [UInt8])]], duplicates: Bool = false
) async {
    let serverBefore = fleet.server.cpuMicroseconds()
    benchmark.startMeasurement()
    let start = ContinuousClock.now
    let latencies = await fleet.post(frames, duplicates: duplicates)
    let elapsed = ContinuousClock.now - start
    benchmark.stopMeasurement()
    let batches = latencies.count
    benchmark.measurement(IngestMetric.batchesPerSecond, batches * 1_000_000 / max(1, elapsed.microseconds))
    benchmark.measurement(IngestMetric.serverCPU, (fleet.server.cpuMicroseconds() - serverBefore) / batches)
    for latency in latencies { benchmark.measurement(IngestMetric.latency, latency.microseconds / 1000) }
}

/// Per-round figures of the ingest benchmark.
enum IngestMetric {
    static let batchesPerSecond = BenchmarkMetric.custom("batches/s", polarity: .prefersLarger, useScalingFactor: false)
    /// One POST, request written to acknowledgement read, per batch.
    static let latency = BenchmarkMetric.custom("ingest latency (ms)", useScalingFactor: false)
    /// The aggregator process's user + system CPU per batch (/proc, 10 ms ticks over a round).
    static let serverCPU = BenchmarkMetric.custom("server CPU per batch (µs)", useScalingFactor: false)
    static let all = [batchesPerSecond, latency, serverCPU]
}

/// Per-round figures of the flood benchmark.
enum FloodMetric {
    static let acknowledged = BenchmarkMetric.custom("acknowledged (stored)", polarity: .prefersLarger, useScalingFactor: false)
    static let refused = BenchmarkMetric.custom("refused 503 + Retry-After", useScalingFactor: false)
    /// VmHWM of the server process after the round.
    static let peakKiB = BenchmarkMetric.custom("server peak RSS (KiB)", useScalingFactor: false)
    static let all = [acknowledged, refused, peakKiB]
}

/// The agent's own CPU per batch at nanosecond resolution (`.cpuUser`/`.cpuTotal` count 10 ms ticks here).
enum AgentMetric {
    static let cpuTotal = BenchmarkMetric.custom("agent CPU per batch (µs)", useScalingFactor: false)
    static let cpuUser = BenchmarkMetric.custom("agent user CPU per batch (µs)", useScalingFactor: false)
    static let all = [cpuTotal, cpuUser]
}

/// Fixtures built in `setup` and used by the closures (package-benchmark runs one benchmark at a time).
enum Slots {
    static let fleet = Mutex<IngestFleet?>(nil)
    static let agent = Mutex<AgentBatchCost?>(nil)
    /// The frames the duplicate benchmark stored in its setup and re-posts.
    static let stored = Mutex<[[(sequence: UInt64, bytes: [UInt8])]]>([])
}
