public import Telemetry

/// Which table a series was read from.
public enum SampleResolution: String, Sendable, Hashable {
    /// Raw samples, one row per sample time.
    case raw
    /// One-minute aggregates, one row per minute (its start).
    case minute
}

/// A request for one agent's samples over a half-open window.
public struct SampleQuery: Sendable, Hashable {
    /// The most rows any query may return, whatever it asks for.
    public static let hardRowLimit = 100_000
    /// The most channels one query may name.
    public static let maxChannels = 256

    public var agentID: String
    /// Window start, inclusive, ms since the epoch.
    public var fromMs: Int64
    /// Window end, exclusive, ms since the epoch.
    public var toMs: Int64
    /// Channels to return, in this order; empty means every channel the agent has sent (by name).
    public var channels: [String]
    /// nil chooses: raw when the whole window is still retained raw, otherwise minute aggregates.
    public var resolution: SampleResolution?
    /// Rows wanted, clamped to 1…`hardRowLimit`.
    public var rowLimit: Int

    public init(
        agentID: String, fromMs: Int64, toMs: Int64, channels: [String] = [],
        resolution: SampleResolution? = nil, rowLimit: Int = 10_000
    ) {
        self.agentID = agentID
        self.fromMs = fromMs
        self.toMs = toMs
        self.channels = channels
        self.resolution = resolution
        self.rowLimit = rowLimit
    }

    package var clampedRowLimit: Int { min(max(rowLimit, 1), Self.hardRowLimit) }

    /// Checks the window and the channel names; returns the specs in the requested order.
    package func checkedChannels() throws(TelemetryStoreError) -> [ChannelSpec] {
        guard fromMs < toMs else { throw .invalidQuery("window [\(fromMs), \(toMs)) ms is empty: from must be before to") }
        guard channels.count <= Self.maxChannels else {
            throw .invalidQuery("\(channels.count) channels requested, the limit is \(Self.maxChannels)")
        }
        var specs: [ChannelSpec] = []
        var seen = Set<String>()
        for name in channels where seen.insert(name).inserted {
            do {
                specs.append(try ChannelSpec(name: name))
            } catch {
                throw .invalidQuery("channel \(error.message)")
            }
        }
        return specs
    }
}

/// The min, max, sum and count of one channel over one minute, in quanta (exact).
public struct MinuteAggregate: Sendable, Hashable {
    public var minQuanta: Int64
    public var maxQuanta: Int64
    public var sumQuanta: Int64
    public var count: Int64

    public init(minQuanta: Int64, maxQuanta: Int64, sumQuanta: Int64, count: Int64) {
        self.minQuanta = minQuanta
        self.maxQuanta = maxQuanta
        self.sumQuanta = sumQuanta
        self.count = count
    }

    /// The mean in quanta, rounded half away from zero (the only rounded figure the aggregator reports).
    public var roundedMeanQuanta: Int64 {
        guard count > 0 else { return 0 }
        let quotient = sumQuanta / count, remainder = sumQuanta % count
        guard remainder.magnitude * 2 >= count.magnitude else { return quotient }
        return sumQuanta < 0 ? quotient - 1 : quotient + 1
    }
}

/// One cell of a series: a raw sample or a minute aggregate.
public enum SampleCell: Sendable, Hashable {
    case raw(quanta: Int64)
    case minute(MinuteAggregate)
}

/// One time of a series: a cell per channel of the series (nil where the channel has nothing).
public struct SampleRow: Sendable, Hashable {
    /// The sample time (raw) or the minute's start (minute), ms since the epoch.
    public var timeMs: Int64
    public var cells: [SampleCell?]

    public init(timeMs: Int64, cells: [SampleCell?]) {
        self.timeMs = timeMs
        self.cells = cells
    }
}

/// The answer to a `SampleQuery`.
public struct SampleSeries: Sendable, Hashable {
    public var agentID: String
    public var fromMs: Int64
    public var toMs: Int64
    public var resolution: SampleResolution
    public var channels: [ChannelSpec]
    /// Rows by increasing time.
    public var rows: [SampleRow]
    /// More rows exist in the window than the row limit let through (the next query starts after the last row).
    public var truncated: Bool

    public init(
        agentID: String, fromMs: Int64, toMs: Int64, resolution: SampleResolution,
        channels: [ChannelSpec], rows: [SampleRow], truncated: Bool
    ) {
        self.agentID = agentID
        self.fromMs = fromMs
        self.toMs = toMs
        self.resolution = resolution
        self.channels = channels
        self.rows = rows
        self.truncated = truncated
    }
}
