import AgentKit
import Telemetry
import TelemetryTesting

/// One agent's 1 Hz rows on the agent's own channel list (`AgentChannels`, 4 chargers: 31 channels), with values
/// from `SyntheticFeeder.nextAgentRow` (the feeder's transformer and chargers plus the channels the agent derives).
struct AgentRows {
    static let channels = AgentChannels(chargerIDs: ["cp-1", "cp-2", "cp-3", "cp-4"])

    private var feeder: SyntheticFeeder
    private(set) var nextTimeMs: Int64

    init(seed: UInt64, startTimeMs: Int64 = 1_763_750_000_000) {
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
