@testable import AgentKit
import FoundationEssentials
import GridCore
import Logging
import Synchronization
import Testing

/// Every alarm reaches the status file, the Prometheus textfile and the event log, clears when its condition does,
/// and is logged on change, not at every cycle: a cache that fills or breaks, a telemetry queue that fills.
@Suite("Alarms outside the cycle: cache and telemetry queue, seen everywhere an operator looks")
struct AlarmVisibilityTests {
    /// The agent's outputs in a temporary directory, written as the daemon writes them.
    struct Outputs {
        let dir: TemporaryDirectory
        let config: AgentConfig
        let operations: AgentOperations

        init(logger: Logger = ControlLoopTests.logger) throws {
            dir = try TemporaryDirectory()
            var config = AgentConfig(
                agentID: "tx-9", meter: MeterConfig(transport: .tcp(.init(host: "127.0.0.1", port: 1, unitID: 1))))
            config.statusFile = dir.file("status.json")
            config.metricsTextfile = dir.file("agent.prom")
            config.stateDirectory = dir.path
            self.config = config
            operations = AgentOperations(config: config, logger: logger, notifier: SystemdNotifier(socketPath: nil), metricsEveryS: 0)
        }

        /// One cycle and the writes that follow it.
        func cycle(_ loop: ControlLoop, at seconds: Double) throws -> (status: AgentStatus, textfile: String) {
            let now = Timestamp(secondsSinceEpoch: seconds)
            let outcome = loop.runCycle(now: now)
            operations.record(outcome, loop: loop, cycleDurationS: 0.01, now: now)
            operations.writeOutputs(now: now)
            return (try StatusFile(path: config.statusFile).read(), try String(contentsOfFile: config.metricsTextfile, encoding: .utf8))
        }
    }

    static func shows(_ code: String, _ seen: (status: AgentStatus, textfile: String)) -> Bool {
        let inStatus = seen.status.alarms.contains { $0.code == code }
        let inTextfile = seen.textfile.contains("v2g_agent_alarms_active{code=\"\(code)\"} 1")
        return inStatus && inTextfile
    }

    @Test("a cache that fills at runtime: CACHE_FULL in the status file and the textfile, then in the event log, then cleared")
    func cacheFullAtRuntime() throws {
        let outputs = try Outputs()
        let flaky = FlakyCache()
        let cache = GuardedCache(flaky, logger: ControlLoopTests.logger)
        let loop = ControlLoop(field: ControlLoopTests.field(), cache: cache, logger: ControlLoopTests.logger)
        #expect(!Self.shows("CACHE_FULL", try outputs.cycle(loop, at: 100)))

        flaky.full = true
        let full = try outputs.cycle(loop, at: 101)
        #expect(Self.shows("CACHE_FULL", full), "\(full.status.alarms)")
        #expect(full.status.alarms.first { $0.code == "CACHE_FULL" }?.message.contains("simulated disk full") == true)
        #expect(full.status.alarms.first { $0.code == "CACHE_FULL" }?.since == Timestamp(secondsSinceEpoch: 101))
        #expect(Self.shows("CACHE_FULL", try outputs.cycle(loop, at: 102)))

        flaky.full = false
        _ = try outputs.cycle(loop, at: 103)  // the events kept in memory are written; the alarm clears
        let cleared = try outputs.cycle(loop, at: 104)
        #expect(!Self.shows("CACHE_FULL", cleared) && !cleared.textfile.contains("CACHE_FULL\"} 1"), "\(cleared.status.alarms)")
        let events = try flaky.recentEvents(limit: 50).map(\.code)
        #expect(events.contains("CACHE_FULL"), "the raise, kept while the disk was full, reaches the log: \(events)")
        #expect(try flaky.recentEvents(limit: 50).contains { $0.code == "CLEARED" && $0.message == "CACHE_FULL" })
    }

    @Test("a corrupt cache at start: CACHE_CORRUPT in the status file, the textfile and the event log")
    func corruptAtStart() throws {
        let outputs = try Outputs()
        let path = outputs.dir.file("cache.sqlite")
        try Data((0..<8_192).map { UInt8(truncatingIfNeeded: $0 &* 13 &+ 1) }).write(to: URL(filePath: path))
        let cache = GuardedCache(path: path, logger: ControlLoopTests.logger)
        let loop = ControlLoop(field: ControlLoopTests.field(), cache: cache, logger: ControlLoopTests.logger)
        let seen = try outputs.cycle(loop, at: 100)
        #expect(Self.shows("CACHE_CORRUPT", seen), "\(seen.status.alarms)")
        #expect(cache.recentEvents(limit: 10).contains { $0.code == "CACHE_CORRUPT" && $0.message.contains("moved to") })
    }

    @Test("a state directory that cannot hold the cache: CACHE_UNREADABLE everywhere, in-memory cache")
    func unwritableAtStart() throws {
        let outputs = try Outputs()
        // A regular file where the directory should be: even root cannot create a file below it.
        try Data("x".utf8).write(to: URL(filePath: outputs.dir.file("state")))
        let cache = GuardedCache(path: outputs.dir.file("state/cache.sqlite"), logger: ControlLoopTests.logger)
        let loop = ControlLoop(field: ControlLoopTests.field(), cache: cache, logger: ControlLoopTests.logger)
        let seen = try outputs.cycle(loop, at: 100)
        #expect(Self.shows("CACHE_UNREADABLE", seen), "\(seen.status.alarms)")
        #expect(cache.recentEvents(limit: 10).contains { $0.code == "CACHE_UNREADABLE" })
    }

    @Test("the telemetry queue full at runtime: TELEMETRY_QUEUE_FULL everywhere, cleared once space is freed")
    func queueFullAtRuntime() throws {
        let outputs = try Outputs()
        var config = outputs.config
        config.chargers = [ChargerConfig(id: "a1", phase: .single(.a), transport: .tcp(.init(host: "127.0.0.1", port: 2, unitID: 1)), ratedChargeKW: 7.4)]
        // A queue file capped at its size when created: the first rows that need a new page find it full.
        let uplink = try AgentUplink(
            config: config, settings: UplinkConfig(baseURL: "https://127.0.0.1:9"), clock: .realTime, policy: nil,
            maximumPageCount: 12, executor: nil, logger: ControlLoopTests.logger, onWake: { _, _, _ in })
        let cache = GuardedCache(InMemoryAgentCache(), logger: ControlLoopTests.logger)
        let loop = ControlLoop(field: ControlLoopTests.field(), cache: cache, alarmSources: [uplink], logger: ControlLoopTests.logger)
        var t = 100.0
        var seen = try outputs.cycle(loop, at: t)
        // Append until the cap bites (each cycle's sample goes in after the cycle, as the daemon does it).
        while uplink.alarmsInForce.isEmpty && t < 2_000 {
            t += 1
            uplink.record(loop.lastOutcome!, loop: loop, now: Timestamp(secondsSinceEpoch: t))
        }
        #expect(uplink.alarmsInForce.map(\.code) == ["TELEMETRY_QUEUE_FULL"], "the cap never bit")
        t += 1
        seen = try outputs.cycle(loop, at: t)
        #expect(Self.shows("TELEMETRY_QUEUE_FULL", seen), "\(seen.status.alarms)")

        // Upload and acknowledgement free the pages (as the uplink does); the next append goes in and the alarm clears.
        for sequence in try uplink.queue.seal() { try uplink.queue.acknowledge(sequence: sequence) }
        t += 1
        uplink.record(loop.lastOutcome!, loop: loop, now: Timestamp(secondsSinceEpoch: t))
        #expect(uplink.alarmsInForce.isEmpty)
        t += 1
        seen = try outputs.cycle(loop, at: t)
        #expect(!Self.shows("TELEMETRY_QUEUE_FULL", seen), "\(seen.status.alarms)")
        let events = cache.recentEvents(limit: 20)
        #expect(events.contains { $0.code == "TELEMETRY_QUEUE_FULL" } && events.contains { $0.code == "CLEARED" && $0.message == "TELEMETRY_QUEUE_FULL" })
    }

    @Test("a cache failing every cycle is logged when the alarm is raised and when it clears, not at every cycle")
    func logOnChange() throws {
        let lines = LogCapture()
        let logger = Logger(label: "test.alarms") { _ in lines.handler() }
        let flaky = FlakyCache()
        let cache = GuardedCache(flaky, logger: logger)
        let loop = ControlLoop(field: ControlLoopTests.field(), cache: cache, logger: logger)
        loop.runCycle(now: Timestamp(secondsSinceEpoch: 100))
        flaky.full = true
        for t in 1...30 { loop.runCycle(now: Timestamp(secondsSinceEpoch: 100 + Double(t))) }
        flaky.full = false
        for t in 31...33 { loop.runCycle(now: Timestamp(secondsSinceEpoch: 100 + Double(t))) }
        let cacheLines = lines.messages(atLeast: .info).filter { $0.contains("CACHE_") || $0.contains("cache") }
        #expect(cacheLines.count == 2, "\(cacheLines)")
        #expect(cacheLines.first?.hasPrefix("alarm raised CACHE_FULL") == true && cacheLines.last?.hasPrefix("alarm cleared CACHE_FULL") == true)
    }

    @Test("a status file that cannot be written is logged when it starts failing and when it works again, once each")
    func outputFailuresLoggedOnChange() throws {
        let lines = LogCapture()
        let dir = try TemporaryDirectory()
        var config = AgentConfig(agentID: "tx-9", meter: MeterConfig(transport: .tcp(.init(host: "127.0.0.1", port: 1, unitID: 1))))
        config.statusFile = dir.file("run/status.json")  // the directory does not exist yet
        config.metricsTextfile = dir.file("agent.prom")
        let operations = AgentOperations(
            config: config, logger: Logger(label: "test.outputs") { _ in lines.handler() }, notifier: SystemdNotifier(socketPath: nil))
        for t in 0..<5 { operations.writeOutputs(now: Timestamp(secondsSinceEpoch: Double(t))) }
        try FileManager.default.createDirectory(atPath: dir.file("run"), withIntermediateDirectories: false)
        for t in 5..<8 { operations.writeOutputs(now: Timestamp(secondsSinceEpoch: Double(t))) }
        let said = lines.messages(atLeast: .info)
        #expect(said.count == 2 && said[0].hasPrefix("status/metrics not written") && said[1] == "status/metrics written again", "\(said)")
        #expect(try StatusFile(path: config.statusFile).read().mode == nil, "the starting status, before any cycle")
    }
}

/// Collects log lines (message and the alarm code, when there is one) for a test to count.
final class LogCapture: Sendable {
    private let lines = Mutex<[(Logger.Level, String)]>([])

    func handler() -> some LogHandler { CaptureHandler(capture: self) }

    func messages(atLeast level: Logger.Level) -> [String] { lines.withLock { $0.filter { $0.0 >= level }.map(\.1) } }

    fileprivate func append(_ level: Logger.Level, _ text: String) { lines.withLock { $0.append((level, text)) } }

    private struct CaptureHandler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let code = event.metadata?["alarm.code"].map { " \($0)" } ?? ""
            let detail = event.metadata?["cache.error"].map { " \($0)" } ?? ""
            capture.append(event.level, "\(event.message)\(code)\(detail)")
        }
    }
}
