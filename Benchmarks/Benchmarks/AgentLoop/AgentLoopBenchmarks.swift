import Benchmark
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The agent's full cycle over Modbus TCP on loopback against the simulator, 50 chargers (target: p99 ≤ 50 ms).
/// The fixture (52 servers, 52 connections, the cache) is built once in `setup`, so every sample is a warm cycle
/// as in the field; building it per sample would measure connects.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .throughput, .peakMemoryResident],
        timeUnits: .milliseconds,
        warmupIterations: 20,
        maxDuration: .seconds(15),
        maxIterations: 1_000
    )

    Benchmark(
        "agent cycle over Modbus loopback, 50 chargers",
        closure: { _ in blackHole(FixtureSlot.shared.fixture!.step()) },
        setup: { try FixtureSlot.shared.open(.sqlite) },
        teardown: { FixtureSlot.shared.close() }
    )

    // The same with the in-memory cache: the difference is what the per-cycle SQLite save costs.
    Benchmark(
        "agent cycle over Modbus loopback, 50 chargers, in-memory cache",
        closure: { _ in blackHole(FixtureSlot.shared.fixture!.step()) },
        setup: { try FixtureSlot.shared.open(.inMemory) },
        teardown: { FixtureSlot.shared.close() }
    )
}

/// Holds the fixture between a benchmark's setup, its samples and its teardown.
// @unchecked Sendable: the runner calls setup, every sample and teardown one after another, never concurrently.
final class FixtureSlot: @unchecked Sendable {
    static let shared = FixtureSlot()
    private(set) var fixture: AgentLoopFixture?

    func open(_ cache: AgentLoopFixture.CacheKind) throws {
        let fixture = try AgentLoopFixture(scenario: AgentLoopFixture.scenarioPath("bench-50-chargers"), cache: cache)
        // One cycle to connect to every device; refuse to measure a field the agent cannot read.
        fixture.step()
        let poll = fixture.lastPoll
        guard poll.chargers == 50, poll.meter, poll.alarms.isEmpty else {
            throw FixtureError(message: "first poll read \(poll.chargers) chargers, meter \(poll.meter), alarms \(poll.alarms)")
        }
        self.fixture = fixture
    }

    func close() {
        guard let fixture else { return }
        // On stderr, so that it stays out of the formatted results.
        var line = Array("agent loop fixture: \(fixture.cycles) cycles, \(fixture.setpointsApplied) setpoints applied\n".utf8)
        _ = line.withUnsafeMutableBytes { write(2, $0.baseAddress, $0.count) }
        self.fixture = nil
    }
}

struct FixtureError: Error, CustomStringConvertible {
    let message: String
    var description: String { "agent loop fixture: \(message)" }
}
