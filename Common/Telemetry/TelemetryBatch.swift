/// When each row of a batch was sampled.
public enum RowTiming: Sendable, Hashable {
    /// Row i at `startTimeMs + i × intervalMs` (the agent's fixed cycle); interval ≥ 1 ms.
    case regular(intervalMs: Int64)
    /// Row i at `startTimeMs + offsetsMs[i]`; offsets start at 0 and strictly increase.
    case explicit(offsetsMs: [Int64])
}

/// One upload unit: an agent's samples over a window, one column of quantized values per channel.
///
/// Values are whole quanta of the channel's unit (`Quantum.quantize`); `nil` is a missing sample, distinct from 0.
public struct TelemetryBatch: Sendable, Hashable {
    /// Longest agent id accepted, in bytes.
    public static let maxAgentIDBytes = 64

    /// Printable ASCII without spaces, 1…64 bytes.
    public let agentID: String
    /// Per-agent upload sequence; the aggregator deduplicates on (agentID, sequence).
    public let sequence: UInt64
    /// Time of the first row, milliseconds since the Unix epoch.
    public let startTimeMs: Int64
    public let timing: RowTiming
    public let channels: [ChannelSpec]
    /// `columns[channel][row]`, in quanta.
    public let columns: [[Int64?]]
    public let rowCount: Int

    /// Checks the shape: one column per channel, `rowCount` cells each, unique names, timing consistent, values within ±2^53.
    public init(
        agentID: String, sequence: UInt64, startTimeMs: Int64, timing: RowTiming,
        channels: [ChannelSpec], columns: [[Int64?]], rowCount: Int
    ) throws(TelemetryFrameError) {
        try Self.checkAgentID(agentID)
        guard rowCount >= 0 else { throw .batchInvalid("row count \(rowCount) is negative") }
        guard columns.count == channels.count else {
            throw .batchInvalid("\(channels.count) channels but \(columns.count) columns")
        }
        var seen = Set<String>()
        for (channel, column) in zip(channels, columns) {
            guard seen.insert(channel.name).inserted else { throw .badChannel(channel.name, "appears twice in the batch") }
            guard column.count == rowCount else {
                throw .batchInvalid("channel \(channel.name) has \(column.count) cells, the batch has \(rowCount) rows")
            }
            for (row, value) in column.enumerated() {
                if let value, value.magnitude >= UInt64(Quantum.maxQuanta) {
                    throw .batchInvalid("channel \(channel.name) row \(row) = \(value) quanta is beyond ±2^53")
                }
            }
        }
        switch timing {
        case .regular(let intervalMs):
            guard intervalMs >= 1 else { throw .batchInvalid("interval \(intervalMs) ms must be at least 1") }
            let (span, overflow) = intervalMs.multipliedReportingOverflow(by: Int64(max(rowCount - 1, 0)))
            guard !overflow, !startTimeMs.addingReportingOverflow(span).overflow else {
                throw .batchInvalid("interval \(intervalMs) ms × \(rowCount) rows overflows the time range")
            }
        case .explicit(let offsetsMs):
            guard offsetsMs.count == rowCount else {
                throw .batchInvalid("\(offsetsMs.count) time offsets for \(rowCount) rows")
            }
            guard offsetsMs.first.map({ $0 == 0 }) ?? true else { throw .batchInvalid("the first time offset must be 0") }
            for index in offsetsMs.indices.dropFirst() where offsetsMs[index] <= offsetsMs[index - 1] {
                throw .batchInvalid("time offset \(index) (\(offsetsMs[index]) ms) does not increase")
            }
            if let last = offsetsMs.last, startTimeMs.addingReportingOverflow(last).overflow {
                throw .batchInvalid("time offsets overflow the time range")
            }
        }
        self.agentID = agentID
        self.sequence = sequence
        self.startTimeMs = startTimeMs
        self.timing = timing
        self.channels = channels
        self.columns = columns
        self.rowCount = rowCount
    }

    /// Time of `row`, milliseconds since the Unix epoch.
    public func timeMs(ofRow row: Int) -> Int64 {
        switch timing {
        case .regular(let intervalMs): startTimeMs + intervalMs * Int64(row)
        case .explicit(let offsetsMs): startTimeMs + offsetsMs[row]
        }
    }

    /// Cells that hold a sample (the denominator of bytes per value).
    public var valueCount: Int {
        columns.reduce(0) { total, column in total + column.reduce(0) { $0 + ($1 == nil ? 0 : 1) } }
    }

    static func checkAgentID(_ agentID: String) throws(TelemetryFrameError) {
        let bytes = Array(agentID.utf8)
        guard !bytes.isEmpty, bytes.count <= maxAgentIDBytes, bytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw .batchInvalid("agent id \"\(agentID)\" must be 1…\(maxAgentIDBytes) printable ASCII bytes, no spaces")
        }
    }
}
