import EdgeSQLite
import Telemetry

extension TelemetryConnection {
    func fleet() throws -> [AgentFleetState] {
        var latest: [String: [LatestSample]] = [:]
        let channels = try db.prepare("SELECT agent_id, channel, time_ms, quanta FROM latest ORDER BY agent_id, channel")
        try channels.forEachRow { row in
            // Names were validated on the way in; one that no longer parses (a newer unit) is left out of the view.
            guard let spec = try? ChannelSpec(name: row.string(at: 1)) else { return }
            latest[row.string(at: 0), default: []].append(LatestSample(channel: spec, timeMs: row.int64(at: 2), quanta: row.int64(at: 3)))
        }
        let agents = try db.prepare("""
            SELECT agent_id, last_seen_ms, highest_sequence, acknowledged_through, batches FROM agents ORDER BY agent_id
            """)
        return try agents.rows { row in
            let agent = row.string(at: 0)
            return AgentFleetState(
                agentID: agent, lastSeenMs: row.int64(at: 1), highestSequence: UInt64(bitPattern: row.int64(at: 2)),
                acknowledgedThrough: UInt64(bitPattern: row.int64(at: 3)), batches: row.int64(at: 4),
                latest: latest[agent] ?? [])
        }
    }

    func ledger(agent: String) throws -> TelemetryLedger {
        let select = try db.prepare("SELECT channel, time_ms, quanta FROM samples WHERE agent_id = ?")
        try select.bind(.text(agent))
        var ledger = TelemetryLedger()
        try select.forEachRow { ledger.add(timeMs: $0.int64(at: 1), channel: $0.string(at: 0), quanta: $0.int64(at: 2)) }
        return ledger
    }

    /// The start of what raw retention still holds (nil: never pruned).
    func rawRetainedFromMs() throws -> Int64? {
        try once(try db.prepare("SELECT raw_from_ms FROM retention WHERE id = 1"), []) { $0.isNull(at: 0) ? nil : $0.int64(at: 0) }
            ?? nil
    }

    func samples(_ query: SampleQuery) throws -> SampleSeries {
        var specs = try query.checkedChannels()
        if specs.isEmpty {
            let known = try db.prepare("SELECT channel FROM latest WHERE agent_id = ? ORDER BY channel")
            try known.bind(.text(query.agentID))
            specs = try known.rows { try? ChannelSpec(name: $0.string(at: 0)) }.compactMap { $0 }
        }
        let resolution = try query.resolution ?? (rawRetainedFromMs().map { query.fromMs < $0 } == true ? .minute : .raw)
        let limit = query.clampedRowLimit
        let sql = resolution == .raw
            ? "SELECT time_ms, quanta, quanta, quanta, 1 FROM samples"
                + " WHERE agent_id = ? AND channel = ? AND time_ms >= ? AND time_ms < ? ORDER BY time_ms LIMIT ?"
            : "SELECT minute_ms, min_quanta, max_quanta, sum_quanta, count FROM minute_aggregates"
                + " WHERE agent_id = ? AND channel = ? AND minute_ms >= ? AND minute_ms < ? ORDER BY minute_ms LIMIT ?"
        let select = try db.prepare(sql)
        // A minute that starts before the window still overlaps it.
        let from = resolution == .raw ? query.fromMs : BatchCells.minuteStart(of: query.fromMs)
        var merger = SeriesMerger(channelCount: specs.count)
        for (index, spec) in specs.enumerated() {
            try select.bind(.text(query.agentID), .text(spec.name), .integer(from), .integer(query.toMs), .integer(Int64(limit + 1)))
            try select.forEachRow { row in
                let aggregate = MinuteAggregate(
                    minQuanta: row.int64(at: 1), maxQuanta: row.int64(at: 2), sumQuanta: row.int64(at: 3), count: row.int64(at: 4))
                merger.add(
                    timeMs: row.int64(at: 0), channel: index,
                    cell: resolution == .raw ? .raw(quanta: aggregate.sumQuanta) : .minute(aggregate))
            }
        }
        let (rows, truncated) = merger.rows(limit: limit)
        return SampleSeries(
            agentID: query.agentID, fromMs: query.fromMs, toMs: query.toMs, resolution: resolution,
            channels: specs, rows: rows, truncated: truncated)
    }

    /// Moves the retention marks forward (never back): queries before the raw mark read minute aggregates.
    func recordRetention(rawOlderThanMs: Int64, aggregatesOlderThanMs: Int64) throws {
        let update = try db.prepare("""
            UPDATE retention SET raw_from_ms = max(coalesce(raw_from_ms, ?1), ?1),
                aggregates_from_ms = max(coalesce(aggregates_from_ms, ?2), ?2) WHERE id = 1
            """)
        try run(update, [.integer(rawOlderThanMs), .integer(aggregatesOlderThanMs)])
    }

    /// Every (agent, channel) ever stored: the prefixes of the sample and aggregate keys.
    func channelPairs() throws -> [ChannelKey] {
        try db.prepare("SELECT agent_id, channel FROM latest ORDER BY agent_id, channel").rows {
            ChannelKey(agentID: $0.string(at: 0), channel: $0.string(at: 1))
        }
    }

    /// Deletes at most `chunkRows` rows of one channel older than `cutoffMs`, along its primary key; returns the count.
    func deleteChunk(_ table: PrunedTable, of key: ChannelKey, olderThanMs cutoffMs: Int64, chunkRows: Int) throws -> Int {
        let (name, column) = table == .samples ? ("samples", "time_ms") : ("minute_aggregates", "minute_ms")
        let delete = try db.prepare("""
            DELETE FROM \(name) WHERE agent_id = ?1 AND channel = ?2 AND \(column) IN
                (SELECT \(column) FROM \(name) WHERE agent_id = ?1 AND channel = ?2 AND \(column) < ?3
                 ORDER BY \(column) LIMIT ?4)
            """)
        try run(delete, [.text(key.agentID), .text(key.channel), .integer(cutoffMs), .integer(Int64(chunkRows))])
        return db.changes
    }

    /// Deletes at most `chunkRows` ledger rows received before `cutoffMs`; returns the count.
    func deleteLedgerChunk(olderThanMs cutoffMs: Int64, chunkRows: Int) throws -> Int {
        let delete = try db.prepare(
            "DELETE FROM batches WHERE rowid IN (SELECT rowid FROM batches WHERE received_at_ms < ? LIMIT ?)")
        try run(delete, [.integer(cutoffMs), .integer(Int64(chunkRows))])
        return db.changes
    }
}

/// One agent's channel.
struct ChannelKey: Sendable, Hashable {
    var agentID: String
    var channel: String
}

/// The tables `prune` deletes from channel by channel.
enum PrunedTable: Sendable, CaseIterable {
    case samples, minuteAggregates
}

/// Merges per-channel columns (each in time order) into rows, keeping the first `limit` times.
struct SeriesMerger {
    private var cells: [Int64: [SampleCell?]] = [:]
    private let channelCount: Int

    init(channelCount: Int) { self.channelCount = channelCount }

    mutating func add(timeMs: Int64, channel: Int, cell: SampleCell) {
        cells[timeMs, default: Array(repeating: nil, count: channelCount)][channel] = cell
    }

    /// Every channel read at most `limit + 1` rows, so its first `limit` times are all here: the union is exact
    /// up to `limit` rows, and more than `limit` distinct times means more rows exist.
    func rows(limit: Int) -> (rows: [SampleRow], truncated: Bool) {
        let times = cells.keys.sorted()
        let kept = times.prefix(limit).map { SampleRow(timeMs: $0, cells: cells[$0] ?? []) }
        return (kept, times.count > limit)
    }
}
