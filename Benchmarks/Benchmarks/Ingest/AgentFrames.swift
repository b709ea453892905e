import AgentKit
import Telemetry
import TelemetryTesting
#if canImport(Glibc)
import Glibc
#endif

/// One agent's 1 Hz rows on the agent's own channel list (`AgentChannels`, 4 chargers: 31 channels), with values
/// from `SyntheticFeeder.nextAgentRow` (the feeder's transformer and chargers plus the channels the agent derives).
struct AgentRows {
    static let channels = AgentChannels(chargerIDs: ["cp-1", "cp-2", "cp-3", "cp-4"])

    private var feeder: SyntheticFeeder
    private(set) var nextTimeMs: Int64

    /// Two days ago, on a whole minute: a run's thousands of batches stay in the past, inside the aggregator's clock window.
    static let defaultStartTimeMs: Int64 = {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let ms = Int64(now.tv_sec) * 1_000
        return ms - ms % 60_000 - 2 * 86_400_000
    }()

    init(seed: UInt64, startTimeMs: Int64 = defaultStartTimeMs) {
        feeder = SyntheticFeeder(seed: seed)
        nextTimeMs = startTimeMs
    }

    /// The next second's row, quantized, in `AgentChannels` order.
    mutating func nextSample() -> TelemetrySample {
        let row = feeder.nextAgentRow()
        defer { nextTimeMs += 1000 }
        return TelemetrySample(timeMs: nextTimeMs, quanta: Self.channels.quantize(row))
    }

    /// `seconds` rows as one batch with `sequence` (what the queue's seal would frame).
    mutating func batch(agentID: String, sequence: UInt64, seconds: Int = 60) -> TelemetryBatch {
        let specs = Self.channels.specs
        var columns = [[Int64?]](repeating: [], count: specs.count)
        let start = nextTimeMs
        for _ in 0..<seconds {
            for (column, cell) in nextSample().quanta.enumerated() { columns[column].append(cell) }
        }
        // The feeder's values are finite and small and the shape is fixed, so the batch is valid by construction.
        return try! TelemetryBatch(
            agentID: agentID, sequence: sequence, startTimeMs: start, timing: .regular(intervalMs: 1000),
            channels: specs, columns: columns, rowCount: seconds)
    }
}
