public import FoundationEssentials
import Telemetry

/// `GET /v1/agents/{id}/telemetry?format=json`: one agent's samples (docs/aggregator.md).
///
/// `rows` are arrays: the time in ms, then one cell per channel of `channels`. A raw cell is a number, a minute
/// cell `{"min","max","sum","count"}`, a missing one `null`. Numbers are exact from quanta (never through a Double).
public struct SeriesResponse: Encodable, Sendable, Hashable {
    public var agentID: String
    public var resolution: String
    public var fromMs: Int64
    public var toMs: Int64
    public var truncated: Bool
    public var channels: [String]
    public var rows: [[Cell]]

    /// One element of a row.
    public enum Cell: Encodable, Sendable, Hashable {
        case timeMs(Int64)
        case raw(Decimal)
        case minute(MinuteCell)
        case missing

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .timeMs(let time): try container.encode(time)
            case .raw(let value): try container.encode(value)
            case .minute(let cell): try container.encode(cell)
            case .missing: try container.encodeNil()
            }
        }
    }

    /// One channel over one minute; `sum` rather than a mean, so that minutes can be added up exactly.
    public struct MinuteCell: Encodable, Sendable, Hashable {
        public var min: Decimal
        public var max: Decimal
        public var sum: Decimal
        public var count: Int64
    }

    public init(_ series: SampleSeries) {
        agentID = series.agentID
        resolution = series.resolution.rawValue
        fromMs = series.fromMs
        toMs = series.toMs
        truncated = series.truncated
        channels = series.channels.map(\.name)
        rows = series.rows.map { row in
            [.timeMs(row.timeMs)] + zip(series.channels, row.cells).map { channel, cell -> Cell in
                let quantum = channel.quantum
                switch cell {
                case .raw(let quanta)?: return .raw(quantum.decimal(ofQuanta: quanta))
                case .minute(let aggregate)?:
                    return .minute(MinuteCell(
                        min: quantum.decimal(ofQuanta: aggregate.minQuanta), max: quantum.decimal(ofQuanta: aggregate.maxQuanta),
                        sum: quantum.decimal(ofQuanta: aggregate.sumQuanta), count: aggregate.count))
                case nil: return .missing
                }
            }
        }
    }
}
