import AgentKit
import AggregatorKit
import FoundationEssentials
import GridCore
import Logging
import Synchronization
import Telemetry
import Testing

/// The aggregator's ingest reached in process, so the lost-ack and outage cases are exact and fast; the same path
/// over HTTPS with real processes is scripts/test-e2e.sh.
final class InProcessAggregator: TelemetryTransport {
    let pipeline: IngestPipeline
    let agentID: String
    /// While true the "link" is down: every post fails as a network error would.
    let down = Mutex(false)
    /// When true the aggregator stores the frame but the ack is lost on the way back.
    let loseNextAck = Mutex(false)
    let posts = Mutex(0)

    init(store: any TelemetryStore, agentID: String) {
        // The agent's clock here is a fixed day in the past: no clock window (receivedAtMs is 0).
        pipeline = IngestPipeline(store: store, limits: IngestLimits(maxFutureSkewMs: .max, maxAgeMs: .max))
        self.agentID = agentID
    }

    func post(frame: [UInt8], sequence: UInt64) async -> UplinkResult {
        posts.withLock { $0 += 1 }
        if down.withLock({ $0 }) { return .retryable(UplinkFailure(label: "network.down", message: "link down")) }
        let decision = await pipeline.ingest(certificateAgentID: agentID, pathAgentID: agentID, body: frame, receivedAtMs: 0)
        if loseNextAck.withLock({ value in defer { value = false }; return value }) {
            return .retryable(UplinkFailure(label: "network.timeout", message: "ack lost"))
        }
        guard let ack = decision.ack, decision.status == 200 else {
            return decision.status >= 500
                ? .retryable(UplinkFailure(label: decision.label, message: decision.message, httpStatus: decision.status))
                : .permanent(UplinkFailure(label: decision.label, message: decision.message, httpStatus: decision.status))
        }
        return .acknowledged(sequence: ack.sequence, duplicate: ack.duplicate)
    }
}

@Suite("Telemetry from the agent's queue to the aggregator's store", .serialized)
struct TelemetryPathTests {
    static let logger = Logger(label: "it", factory: { _ in SwiftLogNoOpLogHandler() })

    /// Agent-side truth: every non-empty cell, as (time, channel, quanta).
    struct Cell: Hashable { var timeMs: Int64; var channel: String; var quanta: Int64 }

    @Test("an hour-long aggregator outage, a lost ack and a kill -9 mid-upload: every sample stored exactly once")
    func exactlyOnce() async throws {
        let directory = "/tmp/v2g-it-telemetry-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let agentID = "tx-001"
        let channels = AgentChannels(chargerIDs: ["evse-01", "evse-02"])
        let store = try SQLiteTelemetryStore(path: "\(directory)/aggregator.sqlite")
        let aggregator = InProcessAggregator(store: store, agentID: agentID)
        func openQueue() throws -> TelemetryQueue {
            try TelemetryQueue(path: "\(directory)/telemetry.sqlite", agentID: agentID, channels: channels)
        }
        var queue = try openQueue()
        var produced: [Cell] = []
        var random = SplitMix(seed: 7)
        func cycle(_ second: Int) throws {
            let timeMs = Int64(1_752_598_800_000 + second * 1000)
            let kw = PerPhase(a: 20 + random.unit() * 5, b: 8 + random.unit(), c: 6 + random.unit())
            let meter = MeterReading(
                time: Timestamp(secondsSinceEpoch: Double(timeMs) / 1000), voltageV: PerPhase(a: 228.1, b: 230.4, c: 231.0),
                currentA: kw.map { $0 * 1000 / 230 }, activePowerKW: kw, reactivePowerKvar: PerPhase(repeating: 1.2),
                frequencyHz: 60 + (random.unit() - 0.5) / 50)
            let inputs = CycleInputs(meter: second % 97 == 5 ? nil : meter, ambientC: 24, chargers: [])
            let sample = channels.sample(timeMs: timeMs, inputs: inputs, figures: nil)
            try queue.append(sample)
            for (spec, quanta) in zip(channels.specs, sample.quanta) {
                if let quanta { produced.append(Cell(timeMs: timeMs, channel: spec.name, quanta: quanta)) }
            }
        }
        func drain() async -> UplinkDrain.Report {
            await UplinkDrain(queue: queue, transport: aggregator, logger: Self.logger).drain(nowMs: 0)
        }

        // 10 minutes online, sealing a batch every 10 s.
        for second in 0..<600 {
            try cycle(second)
            if second % 10 == 9 { _ = try queue.seal(); _ = await drain() }
        }
        // One hour with the aggregator down: nothing is deleted, everything waits.
        aggregator.down.withLock { $0 = true }
        for second in 600..<4200 {
            try cycle(second)
            if second % 10 == 9 { _ = try queue.seal(); _ = await drain() }
        }
        let backlog = try queue.status()
        #expect(backlog.pendingFrames >= 360)
        // Back up; the first ack is lost on the way, so that frame is posted twice.
        aggregator.down.withLock { $0 = false }
        aggregator.loseNextAck.withLock { $0 = true }
        _ = await drain()
        // kill -9 mid-upload: the queue object is dropped without any shutdown and reopened from its file.
        queue = try openQueue()
        for _ in 0..<100 where try queue.status().pendingFrames > 0 { _ = await drain() }
        for second in 4200..<4260 { try cycle(second) }
        _ = try queue.seal()
        for _ in 0..<10 where try queue.status().pendingFrames > 0 { _ = await drain() }
        #expect(try queue.status().pendingFrames == 0)
        let rejected = try queue.rejectedFrames()
        #expect(rejected.isEmpty, "rejected: \(rejected.prefix(3))")

        // The aggregator's raw samples equal what the agent produced: same cells, each once.
        var stored: [Cell] = []
        var from: Int64 = 0
        while true {
            let series = try await store.samples(SampleQuery(
                agentID: agentID, fromMs: from, toMs: Int64.max / 2, channels: channels.specs.map(\.name),
                resolution: .raw, rowLimit: SampleQuery.hardRowLimit))
            for row in series.rows {
                for (spec, cell) in zip(series.channels, row.cells) {
                    if case .raw(let quanta)? = cell { stored.append(Cell(timeMs: row.timeMs, channel: spec.name, quanta: quanta)) }
                }
            }
            guard series.truncated, let last = series.rows.last else { break }
            from = last.timeMs + 1
        }
        let missing = Set(produced).subtracting(stored)
        let missingTimes = Set(missing.map { ($0.timeMs - 1_752_598_800_000) / 1000 }).sorted()
        #expect(stored.count == produced.count, "stored \(stored.count) cells, the agent produced \(produced.count); missing seconds \(missingTimes.prefix(50)) channels \(Set(missing.map(\.channel)).sorted())")
        #expect(missing.isEmpty)
        #expect(Dictionary(grouping: stored, by: { $0 }).values.allSatisfy { $0.count == 1 }, "a sample was stored twice")
        #expect(aggregator.posts.withLock { $0 } > 420, "the outage and the lost ack must have caused retries")
    }
}

struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func unit() -> Double {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Double((z ^ (z >> 31)) >> 11) / Double(1 << 53)
    }
}
