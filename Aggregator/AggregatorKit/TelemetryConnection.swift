import EdgeSQLite
import Telemetry

/// A connection the store's queries can run on: the writer's or a read connection.
protocol TelemetrySQL {
    var db: SQLiteDatabase { get }
}

/// A read-only connection for the fleet view, exports and audits (WAL: it never waits for the writer).
final class TelemetryReader: TelemetrySQL {
    let db: SQLiteDatabase
    init(_ db: SQLiteDatabase) { self.db = db }
}

/// The writer's connection and its prepared statements; only ever lent out by the store's `SerializedDatabase`.
final class TelemetryConnection: TelemetrySQL {
    let db: SQLiteDatabase
    private let findBatch: SQLiteStatement
    private let insertBatch: SQLiteStatement
    private let findOverlappingFrames: SQLiteStatement
    private let insertFrame: SQLiteStatement
    private let upsertMinutes: MultiRowUpsert
    private let upsertLatest: MultiRowUpsert
    private let findAgent: SQLiteStatement
    private let saveAgent: SQLiteStatement

    init(_ db: SQLiteDatabase) throws {
        self.db = db
        findBatch = try db.prepare("SELECT digest FROM batches WHERE agent_id = ? AND sequence = ?")
        insertBatch = try db.prepare("""
            INSERT INTO batches (agent_id, sequence, digest, received_at_ms, frame_bytes, samples) VALUES (?, ?, ?, ?, ?, ?)
            """)
        // Frames of the agent whose span meets [first, last]; along the index, so none at all for an agent's next batch.
        findOverlappingFrames = try db.prepare("""
            SELECT body FROM sample_frames WHERE agent_id = ?1 AND last_ms >= ?2 AND first_ms <= ?3
            """)
        insertFrame = try db.prepare("INSERT INTO sample_frames (agent_id, first_ms, last_ms, cells, body) VALUES (?, ?, ?, ?, ?)")
        upsertMinutes = MultiRowUpsert(
            db, head: "INSERT INTO minute_aggregates (agent_id, channel, minute_ms, min_quanta, max_quanta, sum_quanta, count)",
            columns: 7,
            tail: """
                ON CONFLICT (agent_id, minute_ms, channel) DO UPDATE SET
                    min_quanta = min(min_quanta, excluded.min_quanta), max_quanta = max(max_quanta, excluded.max_quanta),
                    sum_quanta = sum_quanta + excluded.sum_quanta, count = count + excluded.count
                """)
        // An older batch arriving late must not replace a newer latest value.
        upsertLatest = MultiRowUpsert(
            db, head: "INSERT INTO latest (agent_id, channel, time_ms, quanta)", columns: 4,
            tail: """
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

    /// Stores several batches in one transaction (one commit, so one WAL append, for the lot). Each batch has a
    /// savepoint of its own: a batch refused on its contents (an aggregate overflow) is rolled back alone. A failure
    /// of the file (full, I/O, corrupt) or of the commit fails them all, and nothing of any of them is kept.
    func ingest(_ batches: [PendingBatch]) throws -> [Result<IngestReceipt, TelemetryStoreError>] {
        try db.transaction {
            try batches.map { pending in
                try db.execute("SAVEPOINT batch")
                do {
                    let receipt = try ingest(pending.batch, frameBytes: pending.frameBytes, receivedAtMs: pending.receivedAtMs)
                    try db.execute("RELEASE batch")
                    return .success(receipt)
                } catch let error as SQLiteError where error.isConstraint {
                    try db.execute("ROLLBACK TO batch; RELEASE batch")
                    return .failure(TelemetryStoreError.wrapping(
                        error, doing: "store batch \(pending.batch.sequence) of \(pending.batch.agentID) in \(db.path)"))
                }
            }
        }
    }

    /// One batch, inside the caller's transaction.
    private func ingest(_ batch: TelemetryBatch, frameBytes: Int, receivedAtMs: Int64) throws -> IngestReceipt {
        let agent = SQLiteValue.text(batch.agentID)
        let sequence = SQLiteValue.integer(Int64(bitPattern: batch.sequence))
        let digest = BatchCells.digest(of: batch)
        if let stored = try once(findBatch, [agent, sequence], { $0.int64(at: 0) }) {
            let through = try once(findAgent, [agent]) { UInt64(bitPattern: $0.int64(at: 1)) }
            return IngestReceipt(stored == digest ? .duplicate : .conflict, acknowledgedThrough: through)
        }
        let frame = BatchCells.frame(of: batch, without: try heldCells(of: batch))
        let samples = frame.cellCount
        if let first = frame.firstMs, let last = frame.lastMs {
            try run(insertFrame, [agent, .integer(first), .integer(last), .integer(Int64(samples)), .blob(frame.encoded())])
        }
        try upsertMinutes.run(try BatchCells.minuteAggregates(of: frame).flatMap { key, aggregate in
            [
                agent, .text(key.channel), .integer(key.minuteMs), .integer(aggregate.minQuanta),
                .integer(aggregate.maxQuanta), .integer(aggregate.sumQuanta), .integer(aggregate.count),
            ]
        })
        try upsertLatest.run(zip(frame.channels, frame.columns).flatMap { name, column -> [SQLiteValue] in
            guard let row = column.lastIndex(where: { $0 != nil }), let quanta = column[row] else { return [] }
            return [agent, .text(name), .integer(frame.times[row]), .integer(quanta)]
        })
        try run(insertBatch, [
            agent, sequence, .integer(digest), .integer(receivedAtMs), .integer(Int64(frameBytes)), .integer(Int64(samples)),
        ])
        let through = try saveAgentState(batch: batch, receivedAtMs: receivedAtMs)
        return IngestReceipt(.stored(samples: samples), acknowledgedThrough: through)
    }

    /// Deletes latest values stamped after `limitMs`: an agent whose clock ran ahead (before such samples were
    /// refused) would otherwise pin them for good, since an older time never replaces a newer one.
    func clearLatest(after limitMs: Int64) throws -> Int {
        let delete = try db.prepare("DELETE FROM latest WHERE time_ms > ?")
        try run(delete, [.integer(limitMs)])
        return db.changes
    }

    /// The (channel, time) of the batch's channels already stored by earlier frames that overlap it in time
    /// (overlapping batches under two sequences): those cells are not stored again.
    private func heldCells(of batch: TelemetryBatch) throws -> [String: Set<Int64>] {
        guard batch.rowCount > 0 else { return [:] }
        let names = Set(batch.channels.map(\.name))
        var held: [String: Set<Int64>] = [:]
        try findOverlappingFrames.bind(
            .text(batch.agentID), .integer(batch.timeMs(ofRow: 0)), .integer(batch.timeMs(ofRow: batch.rowCount - 1)))
        try findOverlappingFrames.forEachRow { row in
            let stored = try SampleFrame(decoding: row.blob(at: 0))
            for (name, column) in zip(stored.channels, stored.columns) where names.contains(name) {
                for (index, value) in column.enumerated() where value != nil { held[name, default: []].insert(stored.times[index]) }
            }
        }
        return held
    }

    /// Highest sequence, contiguous acknowledgement, last seen and batch count, updated in Swift (UInt64 order).
    private func saveAgentState(batch: TelemetryBatch, receivedAtMs: Int64) throws -> UInt64 {
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
        return acknowledged
    }
}

/// A batch waiting in the store's write queue.
struct PendingBatch: Sendable {
    var batch: TelemetryBatch
    var frameBytes: Int
    var receivedAtMs: Int64
}

extension TelemetrySQL {
    func acknowledgedThrough(agent: String) throws -> UInt64? {
        let select = try db.prepare("SELECT acknowledged_through FROM agents WHERE agent_id = ?")
        return try once(select, [.text(agent)]) { UInt64(bitPattern: $0.int64(at: 0)) }
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
