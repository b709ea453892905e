@testable import AgentKit
import FoundationEssentials
import GridCore
import Telemetry
import Testing

/// The uplink's figures in the status file, the Prometheus textfile and `v2g-agent status`.
@Suite("Uplink figures: status file, textfile, status line")
struct UplinkStatusTests {
    static let t0 = Timestamp(secondsSinceEpoch: 1_795_284_000)

    /// A queue with 3 samples sealed into frame 1 and 2 more unsealed.
    static func queue(_ directory: TemporaryDirectory) throws -> TelemetryQueue {
        let queue = try UplinkFixtures.queue(directory)
        for r in 0..<3 { try queue.append(UplinkFixtures.sample(row: r, timeMs: UplinkFixtures.startMs + Int64(r) * 1000)) }
        try queue.seal()
        for r in 3..<5 { try queue.append(UplinkFixtures.sample(row: r, timeMs: UplinkFixtures.startMs + Int64(r) * 1000)) }
        return queue
    }

    @Test("wakes fold in: counters add up, failures count in a row and reset, queue figures and the ledger are copied")
    func recordWakes() async throws {
        let directory = try TemporaryDirectory()
        let queue = try Self.queue(directory)
        let frameBytes = try queue.pendingFrames(limit: 10).map(\.bytes.count).reduce(0, +)
        let failure = UplinkFailure(label: "http_503", message: "busy", httpStatus: 503)
        let transport = ScriptedTransport([.retryable(failure), .acknowledged(sequence: 1, duplicate: true)])
        let drain = UplinkDrain(queue: queue, transport: transport, logger: UplinkFixtures.logger)
        var status = UplinkStatus()

        let failed = await drain.drain(nowMs: 0)
        #expect(failed.frameBytesSent == frameBytes)
        status.record(failed, queue: try queue.status(), now: Self.t0)
        #expect(status.consecutiveFailures == 1 && status.lastFailure == "http_503" && status.lastSuccessAt == nil)
        #expect(status.pendingFrames == 1 && status.unsealedSamples == 2 && status.heldRawRows == 5 && status.nextSequence == 2)
        var waited = UplinkDrain.Report()
        waited.outcome = .waited
        status.record(waited, queue: nil, now: Self.t0 + 1)
        #expect(status.consecutiveFailures == 1 && status.pendingFrames == 1)

        let acknowledged = await drain.drain(nowMs: 0)
        status.record(acknowledged, queue: try queue.status(), now: Self.t0 + 2)
        #expect(status.consecutiveFailures == 0 && status.lastFailure == "http_503", "the last failure stays on show")
        #expect(status.framesAcknowledged == 1 && status.duplicatesAcknowledged == 1 && status.frameBytesSent == 2 * frameBytes)
        #expect(status.lastSuccessAt == Self.t0 + 2 && status.updatedAt == Self.t0 + 2 && status.pendingFrames == 0)
        let produced = try queue.status().produced
        #expect(status.produced == produced)
        #expect(status.producedValues == UplinkLedgerTests.expected(0..<5).values)
    }

    static func figures() throws -> UplinkStatus {
        var status = UplinkStatus()
        var report = UplinkDrain.Report()
        report.acknowledged = [7, 8]
        report.duplicates = 1
        report.frameBytesSent = 4096
        report.outcome = .drained
        let queue = TelemetryQueueStatus(
            pendingFrames: 3, unsealedSamples: 4, heldRawRows: 250, droppedSamples: 12, rejectedFrames: 1, nextSequence: 9,
            produced: TelemetryLedger(values: 1234, checksum: 0xfedc_ba98_7654_3210), dropped: TelemetryLedger(values: 30, checksum: 5))
        status.record(report, queue: queue, now: t0)
        var failed = UplinkDrain.Report()
        failed.failure = UplinkFailure(label: "network_timeout", message: "30 s")
        failed.outcome = .retryableFailure
        status.record(failed, queue: queue, now: t0 + 10)
        return status
    }

    @Test("the textfile carries every v2g_agent_uplink_* family, with HELP and TYPE")
    func textfile() throws {
        var metrics = AgentMetrics()
        metrics.uplink = try Self.figures()
        let text = PrometheusTextfile.render(metrics)
        for line in [
            "v2g_agent_uplink_pending_frames 3", "v2g_agent_uplink_unsealed_samples 4", "v2g_agent_uplink_held_raw_rows 250",
            "v2g_agent_uplink_dropped_samples_total 12", "v2g_agent_uplink_dropped_values_total 30",
            "v2g_agent_uplink_rejected_frames 1", "v2g_agent_uplink_next_sequence 9",
            "v2g_agent_uplink_frames_acknowledged_total 2", "v2g_agent_uplink_duplicates_acknowledged_total 1",
            "v2g_agent_uplink_frame_bytes_sent_total 4096", "v2g_agent_uplink_consecutive_failures 1",
            "v2g_agent_uplink_last_failure_info{reason=\"network_timeout\"} 1",
            "v2g_agent_uplink_last_success_timestamp_seconds 1795284000",
            "v2g_agent_uplink_produced_values_total 1234",
            "v2g_agent_uplink_produced_checksum_info{checksum=\"fedcba9876543210\"} 1",
            "# TYPE v2g_agent_uplink_frames_acknowledged_total counter", "# TYPE v2g_agent_uplink_pending_frames gauge",
        ] {
            #expect(text.split(separator: "\n").contains(Substring(line)), "missing: \(line)")
        }
        let families = text.split(separator: "\n").filter { $0.hasPrefix("# TYPE v2g_agent_uplink_") }
        #expect(families.count == 15)
        #expect(!PrometheusTextfile.render(AgentMetrics()).contains("uplink"), "no uplink, no uplink families")
    }

    @Test("the status file holds an uplink object that reads back the same; a file without one still reads")
    func statusFile() throws {
        let directory = try TemporaryDirectory()
        let file = StatusFile(path: directory.file("status.json"))
        var status = OperationsTests.status
        status.uplink = try Self.figures()
        try file.write(status)
        #expect(try file.read() == status)
        let text = try String(contentsOfFile: directory.file("status.json"), encoding: .utf8)
        for key in ["\"uplink\"", "\"pending_frames\" : 3", "\"produced_checksum\" : \"fedcba9876543210\"", "\"produced_values\" : 1234",
                    "\"last_failure\" : \"network_timeout\"", "\"frame_bytes_sent\" : 4096", "\"consecutive_failures\" : 1"] {
            #expect(text.contains(key), "\(key) missing")
        }
        try file.write(OperationsTests.status)
        #expect(try file.read().uplink == nil)
    }

    @Test("the status line ends in the produced ledger as TelemetryLedger prints it")
    func summaryLine() throws {
        let figures = try Self.figures()
        let line = figures.summary(now: Self.t0 + 25)
        let ledger = TelemetryLedger(values: 1234, checksum: 0xfedc_ba98_7654_3210)
        #expect(line.hasSuffix("produced \(ledger)"))
        #expect(line.hasSuffix("produced values=1234 checksum=fedcba9876543210"))
        #expect(line.contains("3 frames pending") && line.contains("acked 2 (1 dup)") && line.contains("last ack 25 s ago"))
        #expect(line.contains("failures 1 in a row (last network_timeout)"))
        #expect(!line.contains("\n"))
    }

    @Test("AgentOperations puts the uplink's last wake into the status file it writes")
    func operationsPublish() async throws {
        let directory = try TemporaryDirectory()
        var config = AgentConfig(agentID: "tx-017", meter: MeterConfig(transport: .tcp(.init(host: "127.0.0.1", port: 1502))))
        config.statusFile = directory.file("status.json")
        config.metricsTextfile = directory.file("agent.prom")
        let operations = AgentOperations(config: config, logger: UplinkFixtures.logger)
        let loop = ControlLoopTests.loop(ControlLoopTests.field())
        let outcome = loop.runCycle(now: Self.t0)
        operations.record(outcome, loop: loop, cycleDurationS: 0.01, now: Self.t0)
        operations.writeOutputs(now: Self.t0)
        #expect(try StatusFile(path: config.statusFile).read().uplink == nil)

        let queue = try Self.queue(directory)
        let report = await UplinkDrain(queue: queue, transport: ScriptedTransport([]), logger: UplinkFixtures.logger).drain(nowMs: 0)
        operations.recordUplink(report, queue: try queue.status(), now: Self.t0 + 1)
        operations.writeOutputs(now: Self.t0 + 20)
        let written = try #require(try StatusFile(path: config.statusFile).read().uplink)
        #expect(written == operations.uplinkStatus)
        let produced = try queue.status().produced
        #expect(written.framesAcknowledged == 1 && written.produced == produced)
        let text = try String(contentsOfFile: config.metricsTextfile, encoding: .utf8)
        #expect(text.contains("v2g_agent_uplink_frames_acknowledged_total 1\n"))
    }
}
