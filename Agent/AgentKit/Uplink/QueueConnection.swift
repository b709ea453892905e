import EdgeSQLite
import Telemetry

/// One connection, its counters and the every-cycle statement; lent by `TelemetryQueue`'s `SerializedDatabase` to one caller at a time.
final class QueueConnection {
    static let minuteMs: Int64 = 60_000
    static let aggregatePrefix = TransformerChannels.minuteMeanPrefix

    let db: SQLiteDatabase
    let agentID: String
    let encoder: TelemetryEncoder
    let decoder: TelemetryDecoder
    let insertSample: SQLiteStatement
    /// Records the last time and the produced ledger in the append's transaction.
    let updateAfterAppend: SQLiteStatement
    private(set) var specs: [ChannelSpec] = []
    /// `channels`' names in column order (the produced ledger's channel names).
    private(set) var channelNames: [String] = []
    var channels: AgentChannels
    /// Unsealed samples plus rows in pending raw frames (what the cap bounds).
    var heldRawRows = 0
    var unsealedRows = 0
    var lastTimeMs: Int64?
    /// Every non-empty cell appended (mirrors `queue_state`; changed only after its transaction commits).
    var produced = TelemetryLedger()

    init(_ db: SQLiteDatabase, agentID: String, encoder: TelemetryEncoder) throws {
        self.db = db
        self.agentID = agentID
        self.encoder = encoder
        decoder = TelemetryDecoder(limits: encoder.limits, dictionaries: encoder.dictionary.map { [$0] } ?? [])
        insertSample = try db.prepare("INSERT INTO samples (time_ms, cells) VALUES (?, ?)")
        updateAfterAppend = try db.prepare(
            "UPDATE queue_state SET last_time_ms = ?, produced_values = ?, produced_checksum = ? WHERE id = 1")
        channels = AgentChannels(chargerIDs: [])
        unsealedRows = try count("SELECT count(*) FROM samples")
        heldRawRows = unsealedRows + (try count("SELECT coalesce(sum(row_count), 0) FROM frames WHERE kind = 'raw'"))
        let state = try db.prepare(
            "SELECT last_time_ms, produced_values, produced_checksum FROM queue_state WHERE id = 1"
        ).rows { row -> (Int64?, TelemetryLedger) in
            let last: Int64? = row.isNull(at: 0) ? nil : row.int64(at: 0)
            return (last, TelemetryLedger(values: row.int64(at: 1), checksum: UInt64(bitPattern: row.int64(at: 2))))
        }.first
        lastTimeMs = state.flatMap { $0.0 }
        produced = state?.1 ?? TelemetryLedger()
    }

    /// The ledger of one row's non-empty cells under `names` (column order).
    static func ledger(timeMs: Int64, cells: [Int64?], names: [String]) -> TelemetryLedger {
        var ledger = TelemetryLedger()
        for (name, cell) in zip(names, cells) {
            if let cell { ledger.add(timeMs: timeMs, channel: name, quanta: cell) }
        }
        return ledger
    }

    /// Adds to the dropped counters in `queue_state`: read, wrapping add, write (SQL `+` would overflow to REAL).
    private func addDropped(samples: Int, _ ledger: TelemetryLedger) throws {
        var total = try db.prepare("SELECT dropped_values, dropped_checksum FROM queue_state WHERE id = 1").rows {
            TelemetryLedger(values: $0.int64(at: 0), checksum: UInt64(bitPattern: $0.int64(at: 1)))
        }.first ?? TelemetryLedger()
        total.add(ledger)
        let update = try db.prepare(
            "UPDATE queue_state SET dropped_samples = dropped_samples + ?, dropped_values = ?, dropped_checksum = ? WHERE id = 1")
        try update.bind(.integer(Int64(samples)), .integer(total.values), .integer(Int64(bitPattern: total.checksum)))
        _ = try update.step()
    }

    private func count(_ sql: String) throws -> Int {
        try db.prepare(sql).rows { Int($0.int64(at: 0)) }.first ?? 0
    }

    /// Takes `channels` as the row layout; rows stored under another list are sealed under that list first.
    func adopt(_ channels: AgentChannels) throws {
        let stored = try db.prepare("SELECT channels FROM queue_state WHERE id = 1").rows { $0.string(at: 0) }.first ?? ""
        if !stored.isEmpty, stored != channels.signature {
            specs = try stored.split(separator: ",").map { try ChannelSpec(name: String($0)) }
            try db.transaction { _ = try sealAll(closingEveryMinute: true) }
        }
        self.channels = channels
        specs = channels.specs
        channelNames = channels.specs.map(\.name)
        let update = try db.prepare("UPDATE queue_state SET channels = ? WHERE id = 1")
        try update.bind(.text(channels.signature))
        _ = try update.step()
    }

    /// Drops the oldest raw rows (a whole pending raw frame, else `excess` unsealed samples) into minute means.
    func dropOldest(excess: Int) throws {
        var dropped = 0
        var droppedLedger = TelemetryLedger()
        let oldest = try db.prepare(
            "SELECT sequence, row_count, frame FROM frames WHERE kind = 'raw' ORDER BY sequence LIMIT 1"
        ).rows { (UInt64($0.int64(at: 0)), Int($0.int64(at: 1)), $0.blob(at: 2)) }.first
        if let (sequence, rowCount, bytes) = oldest {
            // A frame that no longer decodes is still dropped (and counted): its rows are lost either way.
            if let batch = try? decoder.decode(bytes) {
                let index = Dictionary(specs.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })
                let rows = (0..<batch.rowCount).map { row in
                    var cells = [Int64?](repeating: nil, count: specs.count)
                    for (column, channel) in batch.channels.enumerated() {
                        if let at = index[channel.name] { cells[at] = batch.columns[column][row] }
                    }
                    return (batch.timeMs(ofRow: row), cells)
                }
                // The frame's own channel names: it may predate a change of channel list.
                let names = batch.channels.map(\.name)
                for row in 0..<batch.rowCount {
                    droppedLedger.add(Self.ledger(
                        timeMs: batch.timeMs(ofRow: row), cells: batch.columns.map { $0[row] }, names: names))
                }
                try mergeAggregates(rows)
            }
            _ = try removeFrame(sequence)
            dropped = rowCount
        } else {
            let select = try db.prepare("SELECT id, time_ms, cells FROM samples ORDER BY id LIMIT ?")
            try select.bind(.integer(Int64(max(1, excess))))
            let rows = try select.rows { ($0.int64(at: 0), $0.int64(at: 1), SampleCells.decode($0.blob(at: 2))) }
            guard let lastID = rows.last?.0 else { heldRawRows = 0; return }
            try mergeAggregates(rows.map { ($0.1, $0.2) })
            let names = specs.map(\.name)
            for row in rows { droppedLedger.add(Self.ledger(timeMs: row.1, cells: row.2, names: names)) }
            try db.execute("DELETE FROM samples WHERE id <= \(lastID)")
            heldRawRows -= rows.count
            unsealedRows -= rows.count
            dropped = rows.count
        }
        try addDropped(samples: dropped, droppedLedger)
    }

    /// Adds rows to their minutes' sums and counts.
    private func mergeAggregates(_ rows: [(Int64, [Int64?])]) throws {
        let select = try db.prepare("SELECT sums, counts FROM aggregates WHERE minute_ms = ?")
        let upsert = try db.prepare("INSERT OR REPLACE INTO aggregates (minute_ms, sums, counts) VALUES (?, ?, ?)")
        var byMinute: [Int64: [(Int64, [Int64?])]] = [:]
        for row in rows { byMinute[Self.minute(of: row.0), default: []].append(row) }
        for (minute, minuteRows) in byMinute {
            try select.bind(.integer(minute))
            let existing = try select.rows { (SampleCells.decode($0.blob(at: 0)), SampleCells.decode($0.blob(at: 1))) }.first
            var sums = existing?.0.map { $0 ?? 0 } ?? []
            var counts = existing?.1.map { $0 ?? 0 } ?? []
            if sums.count != specs.count { sums = Array(repeating: 0, count: specs.count) }
            if counts.count != specs.count { counts = Array(repeating: 0, count: specs.count) }
            for (_, cells) in minuteRows {
                for (channel, cell) in cells.enumerated() where channel < specs.count {
                    if let cell { sums[channel] += cell; counts[channel] += 1 }
                }
            }
            try upsert.bind(.integer(minute), .blob(SampleCells.encode(sums)), .blob(SampleCells.encode(counts)))
            _ = try upsert.step()
        }
    }

    static func minute(of timeMs: Int64) -> Int64 {
        var remainder = timeMs % minuteMs
        if remainder < 0 { remainder += minuteMs }
        return timeMs - remainder
    }

    /// Deletes a pending frame; its raw rows no longer count against the cap.
    func removeFrame(_ sequence: UInt64) throws -> Bool {
        let select = try db.prepare("SELECT kind, row_count FROM frames WHERE sequence = ?")
        try select.bind(.integer(Int64(bitPattern: sequence)))
        guard let (kind, rowCount) = try select.rows({ ($0.string(at: 0), Int($0.int64(at: 1))) }).first else { return false }
        let delete = try db.prepare("DELETE FROM frames WHERE sequence = ?")
        try delete.bind(.integer(Int64(bitPattern: sequence)))
        _ = try delete.step()
        if kind == FrameKind.raw.rawValue { heldRawRows -= rowCount }
        return true
    }
}
