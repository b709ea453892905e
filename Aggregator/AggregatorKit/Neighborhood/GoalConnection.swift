import EdgeSQLite

/// The goal store's connection and its statements; only ever lent out by the store's `SerializedDatabase`.
final class GoalConnection {
    let db: SQLiteDatabase
    private let insertGoal: SQLiteStatement
    private let raiseSequence: SQLiteStatement

    init(_ db: SQLiteDatabase) throws {
        self.db = db
        // DO NOTHING, then a count of changed rows: the duplicate check and the write are one statement.
        insertGoal = try db.prepare("""
            INSERT INTO neighborhood_goals (id, start_ms, end_ms, goal_json, set_by, set_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
            ON CONFLICT (id) DO NOTHING
            """)
        // Only ever up: a late or repeated write of a lower sequence changes nothing.
        raiseSequence = try db.prepare("""
            INSERT INTO envelope_sequence (singleton, sequence) VALUES (1, ?1)
            ON CONFLICT (singleton) DO UPDATE SET sequence = excluded.sequence WHERE envelope_sequence.sequence < excluded.sequence
            """)
    }

    func listing() throws -> GoalListing {
        var goals: [StoredGoal] = []
        var unreadable: [GoalStoreError] = []
        let select = try db.prepare("SELECT id, start_ms, end_ms, goal_json, set_by, set_at_ms FROM neighborhood_goals ORDER BY start_ms, id")
        try select.forEachRow { row in
            do throws(GoalStoreError) { goals.append(try Self.row(row).stored()) } catch { unreadable.append(error) }
        }
        return GoalListing(goals: goals, unreadable: unreadable)
    }

    func goal(id: String) throws -> StoredGoal? {
        let select = try db.prepare("SELECT id, start_ms, end_ms, goal_json, set_by, set_at_ms FROM neighborhood_goals WHERE id = ?1")
        try select.bind(.text(id))
        return try select.rows { try Self.row($0).stored() }.first
    }

    func insert(_ row: GoalRow) throws {
        try insertGoal.bind(
            .text(row.id), .integer(row.startMs), .integer(row.endMs), .text(row.json), .text(row.setBy), .integer(row.setAtMs))
        defer { insertGoal.reset() }
        while try insertGoal.step() {}
        guard db.changes == 1 else {
            throw GoalStoreError.duplicate(row.id)
        }
    }

    func remove(id: String) throws -> Bool {
        let delete = try db.prepare("DELETE FROM neighborhood_goals WHERE id = ?1")
        try delete.bind(.text(id))
        while try delete.step() {}
        return db.changes > 0
    }

    func envelopeSequence() throws -> Int {
        let stored = try db.prepare("SELECT sequence FROM envelope_sequence WHERE singleton = 1").rows { $0.int64(at: 0) }.first
        return Int(stored ?? 0)
    }

    func setEnvelopeSequence(_ sequence: Int) throws {
        guard sequence > 0 else { return }  // 0 is where every store starts
        try raiseSequence.bind(.integer(Int64(sequence)))
        defer { raiseSequence.reset() }
        while try raiseSequence.step() {}
    }

    /// The columns of one row; a type SQLite cannot hand back as asked reads as empty text or 0, which the goal's
    /// own checks then refuse.
    private static func row(_ row: SQLiteStatement) -> GoalRow {
        GoalRow(
            id: row.string(at: 0), startMs: row.int64(at: 1), endMs: row.int64(at: 2), json: row.string(at: 3), setBy: row.string(at: 4),
            setAtMs: row.int64(at: 5))
    }
}

extension GoalStoreError {
    /// Classifies a failure below the store (SQLite): a full disk and a read-only database say so.
    static func wrapping(_ error: any Error, doing what: String) -> Self {
        if let error = error as? GoalStoreError { return error }
        guard let error = error as? SQLiteError else { return Self(.unavailable, "cannot \(what): \(error)") }
        if error.isFull { return Self(.unavailable, "the disk is full: cannot \(what) (\(error))") }
        if error.isReadOnly { return Self(.unavailable, "the database is read-only: cannot \(what) (\(error))") }
        if error.isCorrupt { return Self(.corrupt, "the database file is damaged: cannot \(what) (\(error))") }
        return Self(.unavailable, "cannot \(what): \(error)")
    }
}
