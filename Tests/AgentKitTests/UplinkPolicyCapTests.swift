@testable import AgentKit
import GridCore
import Telemetry
import Testing

/// The queue cap: the config's `uplink.queue_max_rows`, overridden by the policy's `telemetry.queue_max_rows`.
@Suite("Uplink: the queue cap comes from policy")
struct UplinkPolicyCapTests {
    static func uplink(_ directory: TemporaryDirectory, configRows: Int = 120, policy: ControlPolicy? = nil) throws -> AgentUplink {
        var config = AgentConfig(agentID: "tx-017", meter: MeterConfig(transport: .tcp(.init(host: "127.0.0.1", port: 1502))))
        config.stateDirectory = directory.path
        var settings = UplinkConfig(baseURL: "https://127.0.0.1:9")
        settings.queueMaxRows = configRows
        return try AgentUplink(config: config, settings: settings, clock: .realTime, policy: policy, logger: UplinkFixtures.logger)
    }

    static func policy(version: Int, rows: Int?) -> ControlPolicy {
        ControlPolicy(version: version, telemetry: rows.map { TelemetryPolicy(queueMaxRows: $0) })
    }

    @Test("at start the policy in force wins over the config; without a telemetry section the config applies")
    func atStart() throws {
        let directory = try TemporaryDirectory()
        #expect(try Self.uplink(directory).queue.maxRawRows == 120)
        #expect(try Self.uplink(directory, policy: Self.policy(version: 1, rows: nil)).queue.maxRawRows == 120)
        #expect(try Self.uplink(directory, policy: Self.policy(version: 1, rows: 600)).queue.maxRawRows == 600)
    }

    @Test("a replaced policy sets the cap; one without the key restores the config's")
    func replaced() throws {
        let directory = try TemporaryDirectory()
        let uplink = try Self.uplink(directory, policy: Self.policy(version: 1, rows: 600))
        uplink.apply(Self.policy(version: 2, rows: 60))
        #expect(uplink.queue.maxRawRows == 60)
        uplink.apply(Self.policy(version: 3, rows: nil))
        #expect(uplink.queue.maxRawRows == 120)
    }

    @Test("the loop adopting a policy with a lower cap drops the excess on the next recorded cycle, into minute means")
    func lowerCapDropsExcess() throws {
        let directory = try TemporaryDirectory()
        let uplink = try Self.uplink(directory)
        let width = uplink.channels.specs.count
        for r in 0..<100 {
            try uplink.queue.append(TelemetrySample(timeMs: UplinkFixtures.startMs + Int64(r) * 1000, quanta: Array(repeating: Int64(r), count: width)))
        }
        #expect(try uplink.queue.status().heldRawRows == 100)
        let loop = ControlLoopTests.loop(ControlLoopTests.field())
        loop.adopt(Self.policy(version: 2, rows: 60))
        let now = Timestamp(secondsSinceEpoch: Double(UplinkFixtures.startMs) / 1000 + 200)
        let outcome = loop.runCycle(now: now)
        uplink.record(outcome, loop: loop, now: now)
        let status = try uplink.queue.status()
        #expect(uplink.queue.maxRawRows == 60)
        #expect(status.heldRawRows == 60 && status.droppedSamples == 41)
        #expect(status.dropped.values == Int64(41 * width))
    }

    @Test("the cap can be changed from another task while samples are appended")
    func concurrentSet() async throws {
        let directory = try TemporaryDirectory()
        let queue = try UplinkFixtures.queue(directory, maxRawRows: 1000)
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for r in 0..<200 { try? queue.append(UplinkFixtures.sample(row: r, timeMs: UplinkFixtures.startMs + Int64(r) * 1000)) }
            }
            group.addTask {
                for rows in [500, 80, 300, 60] { queue.setMaxRawRows(rows) }
            }
        }
        let status = try queue.status()
        #expect(queue.maxRawRows == 60)
        #expect(status.heldRawRows <= 1000 && status.heldRawRows + status.droppedSamples == 200)
        #expect(status.produced == UplinkLedgerTests.expected(0..<200))
    }
}
