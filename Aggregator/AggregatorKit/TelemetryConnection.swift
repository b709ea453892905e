import EdgeSQLite
import Telemetry

/// One SQLite connection, its prepared statements and the in-memory counters;
/// only ever used under `SQLiteTelemetryStore`'s lock.
final class TelemetryConnection {
    let db: SQLiteDatabase
    var counters = StoreCounters()
    private let findBatch: SQLiteStatement
    private let insertBatch: SQLiteStatement
    private let insertSample: SQLiteStatement
    private let upsertMinute: SQLiteStatement
    private let upsertLatest: SQLiteStatement
    private let findAgent: SQLiteStatement
    private let saveAgent: SQLiteStatement

    init(_ db: SQLiteDatabase) throws {
        self.db = db
        findBatch = try db.prepare("SELECT digest FROM batches WHERE agent_id = ? AND sequence = ?")
        insertBatch = try db.prepare("""
            INSERT INTO batches (agent_id, sequence, digest, received_at_ms, frame_bytes, samples) VALUES (?, ?, ?, ?, ?, ?)
            """)
        insertSample = try db.prepare("INSERT OR IGNORE INTO samples (agent_id, channel, time_ms, quanta) VALUES (?, ?, ?, ?)")
        upsertMinute = try db.prepare("""
            INSERT INTO minute_aggregates (agent_id, channel, minute_ms, min_quanta, max_quanta, sum_quanta, count)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (agent_id, channel, minute_ms) DO UPDATE SET
                min_quanta = min(min_quanta, excluded.min_quanta), max_quanta = max(max_quanta, excluded.max_quanta),
                sum_quanta = sum_quanta + excluded.sum_quanta, count = count + excluded.count
            """)
        // An older batch arriving late must not replace a newer latest value.
        upsertLatest = try db.prepare("""
            INSERT INTO latest (agent_id, channel, time_ms, quanta) VALUES (?, ?, ?, ?)
            ON CONFLICT (agent_id, channel) DO UPDATE SET time_ms = excluded.time_ms, quanta = excluded.quanta
            WHERE excluded.time_ms >= latest.time_ms
            """)
        findAgent = try db.prepare("""
            SELECT highest_sequence, acknowledged_through, last_seen_ms, batches FROM agents WHERE agent_id = ?
            """)
        saveAgent = try db.prepare("""
            INSERT OR REPLACE INTO agents (agent_id, highest_sequence, acknowledged_through, last_seen_ms, batches)
            VALUES (?, ?, ?, ?, ?)
            """)
    }

    func ingest(_ batch: TelemetryBatch, frameBytes: Int, receivedAtMs: Int64) throws -> IngestResult {
        let agent = SQLiteValue.text(batch.agentID)
        let sequence = SQLiteValue.integer(Int64(bitPattern: batch.sequence))
        let digest = BatchCells.digest(of: batch)
        let stored = try once(findBatch, [agent, sequence]) { $0.int64(at: 0) }
        if let stored { return stored == digest ? .duplicate : .conflict }

        return try db.transaction {
            var minutes = MinuteAccumulator()
            var newest: [Int: (timeMs: Int64, quanta: Int64)] = [:]
            var samples = 0
            try BatchCells.forEachCell(of: batch) { channel, timeMs, quanta in
                let name = batch.channels[channel].name
                try run(insertSample, [agent, .text(name), .integer(timeMs), .integer(quanta)])
                // A cell at a time already stored for this channel (overlapping batches) keeps the first value.
                guard db.changes == 1 else { return }
                samples += 1
                try minutes.add(channel: name, timeMs: timeMs, quanta: quanta)
                if newest[channel].map({ timeMs >= $0.timeMs }) ?? true { newest[channel] = (timeMs, quanta) }
            }
            for (key, aggregate) in minutes.aggregates {
                try run(upsertMinute, [
                    agent, .text(key.channel), .integer(key.minuteMs), .integer(aggregate.minQuanta),
                    .integer(aggregate.maxQuanta), .integer(aggregate.sumQuanta), .integer(aggregate.count),
                ])
            }
            for (channel, cell) in newest {
                try run(upsertLatest, [agent, .text(batch.channels[channel].name), .integer(cell.timeMs), .integer(cell.quanta)])
            }
            try run(insertBatch, [
                agent, sequence, .integer(digest), .integer(receivedAtMs), .integer(Int64(frameBytes)), .integer(Int64(samples)),
            ])
            try saveAgentState(batch: batch, receivedAtMs: receivedAtMs)
            return .stored(samples: samples)
        }
    }

    /// Highest sequence, contiguous acknowledgement, last seen and batch count, updated in Swift (UInt64 order).
    private func saveAgentState(batch: TelemetryBatch, receivedAtMs: Int64) throws {
        let agent = SQLiteValue.text(batch.agentID)
        let row = try once(findAgent, [agent]) {
            (UInt64(bitPattern: $0.int64(at: 0)), UInt64(bitPattern: $0.int64(at: 1)), $0.int64(at: 2), $0.int64(at: 3))
        }
        var highest = batch.sequence, acknowledged = batch.sequence, lastSeen = receivedAtMs, batches: Int64 = 1
        if let row {
            highest = max(row.0, batch.sequence)
            acknowledged = row.1
            lastSeen = max(row.2, receivedAtMs)
            batches = row.3 + 1
        }
        // Advance over every batch already stored right after the acknowledged one (out-of-order arrivals).
        while acknowledged < UInt64.max,
            try once(findBatch, [agent, .integer(Int64(bitPattern: acknowledged + 1))], { $0.int64(at: 0) }) != nil
        {
            acknowledged += 1
        }
        try run(saveAgent, [
            agent, .integer(Int64(bitPattern: highest)), .integer(Int64(bitPattern: acknowledged)),
            .integer(lastSeen), .integer(batches),
        ])
    }

    func acknowledgedThrough(agent: String) throws -> UInt64? {
        try once(findAgent, [.text(agent)]) { UInt64(bitPattern: $0.int64(at: 1)) }
    }

    /// Binds, steps to the end and resets a prepared statement.
    func run(_ statement: SQLiteStatement, _ values: [SQLiteValue]) throws {
        defer { statement.reset() }
        try statement.bind(values)
        while try statement.step() {}
    }

    /// The first row of a prepared statement, transformed, or nil.
    func once<T>(_ statement: SQLiteStatement, _ values: [SQLiteValue], _ transform: (SQLiteStatement) throws -> T) throws -> T? {
        defer { statement.reset() }
        try statement.bind(values)
        return try statement.step() ? transform(statement) : nil
    }
}
