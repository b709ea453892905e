import EdgeSQLite
import Telemetry

/// Reads, on the writer's connection or on a read connection.
extension TelemetrySQL {
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
        let select = try db.prepare("SELECT body FROM sample_frames WHERE agent_id = ?")
        try select.bind(.text(agent))
        var ledger = TelemetryLedger()
        try select.forEachRow { row in
            let frame = try SampleFrame(decoding: row.blob(at: 0))
            frame.forEachCell { ledger.add(timeMs: $1, channel: frame.channels[$0], quanta: $2) }
        }
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
        let merger = resolution == .raw
            ? try rawCells(query, specs: specs, limit: limit) : try minuteCells(query, specs: specs, limit: limit)
        let (rows, truncated) = merger.rows(limit: limit)
        return SampleSeries(
            agentID: query.agentID, fromMs: query.fromMs, toMs: query.toMs, resolution: resolution,
            channels: specs, rows: rows, truncated: truncated)
    }

    /// The window's minutes in time order (a minute that starts before the window still overlaps it), up to the
    /// first `limit + 1` distinct minutes of the wanted channels: enough for the first `limit` rows and `truncated`.
    private func minuteCells(_ query: SampleQuery, specs: [ChannelSpec], limit: Int) throws -> SeriesMerger {
        let select = try db.prepare("""
            SELECT minute_ms, channel, min_quanta, max_quanta, sum_quanta, count FROM minute_aggregates
            WHERE agent_id = ? AND minute_ms >= ? AND minute_ms < ? ORDER BY minute_ms
            """)
        try select.bind(.text(query.agentID), .integer(BatchCells.minuteStart(of: query.fromMs)), .integer(query.toMs))
        defer { select.reset() }
        let columnOf = Dictionary(specs.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
        var merger = SeriesMerger(channelCount: specs.count)
        var minutes = 0, lastMinute: Int64?
        while try select.step() {
            guard let column = columnOf[select.string(at: 1)] else { continue }
            let minute = select.int64(at: 0)
            if minute != lastMinute {
                guard minutes <= limit else { break }
                minutes += 1
                lastMinute = minute
            }
            let aggregate = MinuteAggregate(
                minQuanta: select.int64(at: 2), maxQuanta: select.int64(at: 3), sumQuanta: select.int64(at: 4), count: select.int64(at: 5))
            merger.add(timeMs: minute, channel: column, cell: .minute(aggregate))
        }
        return merger
    }

    /// The raw cells in the window, decoded from the frames that overlap it, in order of their first time.
    /// Reading stops at a frame that starts after the first `limit + 1` distinct times already found:
    /// it cannot change the first `limit` rows nor whether there are more.
    private func rawCells(_ query: SampleQuery, specs: [ChannelSpec], limit: Int) throws -> SeriesMerger {
        let select = try db.prepare("""
            SELECT first_ms, body FROM sample_frames WHERE agent_id = ? AND last_ms >= ? AND first_ms < ? ORDER BY first_ms
            """)
        try select.bind(.text(query.agentID), .integer(query.fromMs), .integer(query.toMs))
        defer { select.reset() }
        let columnOf = Dictionary(specs.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
        var merger = SeriesMerger(channelCount: specs.count)
        var times = Set<Int64>(), bound: Int64?
        while try select.step() {
            if let bound, select.int64(at: 0) > bound { break }
            let frame = try SampleFrame(decoding: select.blob(at: 1))
            frame.forEachCell { channel, timeMs, quanta in
                guard timeMs >= query.fromMs, timeMs < query.toMs, let column = columnOf[frame.channels[channel]] else { return }
                merger.add(timeMs: timeMs, channel: column, cell: .raw(quanta: quanta))
                times.insert(timeMs)
            }
            if times.count > limit {
                let smallest = times.sorted().prefix(limit + 1)
                bound = smallest.last
                times = Set(smallest)
            }
        }
        return merger
    }

    /// Every agent that ever stored a batch.
    func agentIDs() throws -> [String] {
        try db.prepare("SELECT agent_id FROM agents ORDER BY agent_id").rows { $0.string(at: 0) }
    }
}

/// Retention: writes, on the writer's connection only.
extension TelemetryConnection {
    /// Moves the retention marks forward (never back): queries before the raw mark read minute aggregates.
    func recordRetention(rawOlderThanMs: Int64, aggregatesOlderThanMs: Int64) throws {
        let update = try db.prepare("""
            UPDATE retention SET raw_from_ms = max(coalesce(raw_from_ms, ?1), ?1),
                aggregates_from_ms = max(coalesce(aggregates_from_ms, ?2), ?2) WHERE id = 1
            """)
        try run(update, [.integer(rawOlderThanMs), .integer(aggregatesOlderThanMs)])
    }

    /// Deletes at most `chunkRows` minute aggregates of `agent` older than `cutoffMs`, along the primary key.
    func deleteMinuteChunk(of agent: String, olderThanMs cutoffMs: Int64, chunkRows: Int) throws -> Int {
        let delete = try db.prepare("""
            DELETE FROM minute_aggregates WHERE agent_id = ?1 AND (minute_ms, channel) IN
                (SELECT minute_ms, channel FROM minute_aggregates WHERE agent_id = ?1 AND minute_ms < ?2
                 ORDER BY minute_ms, channel LIMIT ?3)
            """)
        try run(delete, [.text(agent), .integer(cutoffMs), .integer(Int64(chunkRows))])
        return db.changes
    }

    /// In one transaction, deletes at most `chunkRows` frames of `agent` whose last cell is before `cutoffMs`.
    func deleteFrameChunk(of agent: String, olderThanMs cutoffMs: Int64, chunkRows: Int) throws -> (frames: Int, cells: Int) {
        let select = try db.prepare("SELECT rowid, cells FROM sample_frames WHERE agent_id = ? AND last_ms < ? LIMIT ?")
        let delete = try db.prepare("DELETE FROM sample_frames WHERE rowid = ?")
        return try db.transaction {
            try select.bind(.text(agent), .integer(cutoffMs), .integer(Int64(chunkRows)))
            let doomed = try select.rows { ($0.int64(at: 0), Int($0.int64(at: 1))) }
            for (rowid, _) in doomed { try run(delete, [.integer(rowid)]) }
            return (doomed.count, doomed.reduce(0) { $0 + $1.1 })
        }
    }

    /// In one transaction, rewrites at most `chunkRows` frames of `agent` that straddle `cutoffMs` without
    /// their cells before it, so raw retention stays exact per cell.
    func trimFrameChunk(of agent: String, olderThanMs cutoffMs: Int64, chunkRows: Int) throws -> (frames: Int, cells: Int) {
        let select = try db.prepare("""
            SELECT rowid, cells, body FROM sample_frames WHERE agent_id = ?1 AND last_ms >= ?2 AND first_ms < ?2 LIMIT ?3
            """)
        let update = try db.prepare("UPDATE sample_frames SET first_ms = ?, last_ms = ?, cells = ?, body = ? WHERE rowid = ?")
        return try db.transaction {
            try select.bind(.text(agent), .integer(cutoffMs), .integer(Int64(chunkRows)))
            let straddling = try select.rows { ($0.int64(at: 0), Int($0.int64(at: 1)), $0.blob(at: 2)) }
            var dropped = 0
            for (rowid, cells, body) in straddling {
                let kept = try SampleFrame(decoding: body).dropping(before: cutoffMs)
                // last_ms >= cutoff, so the frame keeps at least its last cell.
                guard let first = kept.firstMs, let last = kept.lastMs else { continue }
                dropped += cells - kept.cellCount
                try run(update, [.integer(first), .integer(last), .integer(Int64(kept.cellCount)), .blob(kept.encoded()), .integer(rowid)])
            }
            return (straddling.count, dropped)
        }
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
package struct ChannelKey: Sendable, Hashable {
    package var agentID: String
    package var channel: String

    package init(agentID: String, channel: String) { (self.agentID, self.channel) = (agentID, channel) }
}

/// Merges per-channel columns (each in time order) into rows, keeping the first `limit` times.
package struct SeriesMerger {
    private var cells: [Int64: [SampleCell?]] = [:]
    private let channelCount: Int

    package init(channelCount: Int) { self.channelCount = channelCount }

    package mutating func add(timeMs: Int64, channel: Int, cell: SampleCell) {
        cells[timeMs, default: Array(repeating: nil, count: channelCount)][channel] = cell
    }

    /// Every channel read at most `limit + 1` rows, so its first `limit` times are all here: the union is exact
    /// up to `limit` rows, and more than `limit` distinct times means more rows exist.
    package func rows(limit: Int) -> (rows: [SampleRow], truncated: Bool) {
        let times = cells.keys.sorted()
        let kept = times.prefix(limit).map { SampleRow(timeMs: $0, cells: cells[$0] ?? []) }
        return (kept, times.count > limit)
    }
}
