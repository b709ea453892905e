import EdgeSQLite

/// The store's schema as named migrations (never rename or edit one once shipped).
///
/// Sequences are UInt64 stored by bit pattern in INTEGER columns; they are only compared in Swift.
/// Values are whole quanta in INTEGER columns: exact, never REAL.
enum TelemetrySchema {
    static let migrator = migrator(count: Int.max)

    /// The first `count` migrations (tests build a store of an older version with it).
    static func migrator(count: Int) -> SQLiteMigrator {
        var migrator = SQLiteMigrator()
        for (name, body) in migrations.prefix(count) { migrator.registerMigration(name, body) }
        return migrator
    }

    private static let migrations: [(String, SQLiteMigrator.Body)] = [
        ("aggregator-1: ledger, samples, minute aggregates, fleet", { db in
            try db.execute("""
                CREATE TABLE batches (
                    agent_id TEXT NOT NULL,
                    sequence INTEGER NOT NULL,
                    digest INTEGER NOT NULL,
                    received_at_ms INTEGER NOT NULL,
                    frame_bytes INTEGER NOT NULL,
                    samples INTEGER NOT NULL,
                    PRIMARY KEY (agent_id, sequence)
                );
                CREATE INDEX batches_received ON batches (received_at_ms);
                CREATE TABLE samples (
                    agent_id TEXT NOT NULL,
                    channel TEXT NOT NULL,
                    time_ms INTEGER NOT NULL,
                    quanta INTEGER NOT NULL,
                    PRIMARY KEY (agent_id, channel, time_ms)
                ) WITHOUT ROWID;
                CREATE TABLE minute_aggregates (
                    agent_id TEXT NOT NULL,
                    channel TEXT NOT NULL,
                    minute_ms INTEGER NOT NULL,
                    min_quanta INTEGER NOT NULL,
                    max_quanta INTEGER NOT NULL,
                    sum_quanta INTEGER NOT NULL CHECK (typeof(sum_quanta) = 'integer'),
                    count INTEGER NOT NULL,
                    PRIMARY KEY (agent_id, channel, minute_ms)
                ) WITHOUT ROWID;
                CREATE TABLE agents (
                    agent_id TEXT PRIMARY KEY NOT NULL,
                    highest_sequence INTEGER NOT NULL,
                    acknowledged_through INTEGER NOT NULL,
                    last_seen_ms INTEGER NOT NULL,
                    batches INTEGER NOT NULL
                ) WITHOUT ROWID;
                CREATE TABLE latest (
                    agent_id TEXT NOT NULL,
                    channel TEXT NOT NULL,
                    time_ms INTEGER NOT NULL,
                    quanta INTEGER NOT NULL,
                    PRIMARY KEY (agent_id, channel)
                ) WITHOUT ROWID;
                CREATE TABLE retention (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    raw_from_ms INTEGER,
                    aggregates_from_ms INTEGER
                );
                INSERT INTO retention (id) VALUES (1);
                """)
        }),
        ("aggregator-2: raw samples as one frame per batch, minute aggregates keyed by minute", { db in
            try db.execute("""
                CREATE TABLE sample_frames (
                    agent_id TEXT NOT NULL,
                    first_ms INTEGER NOT NULL,
                    last_ms INTEGER NOT NULL,
                    cells INTEGER NOT NULL,
                    body BLOB NOT NULL
                );
                CREATE INDEX sample_frames_span ON sample_frames (agent_id, last_ms, first_ms);
                """)
            try moveSamplesIntoFrames(db)
            // Minute first in the key: a batch's upserts (every channel, one or two minutes) then share one or two
            // leaf pages instead of dirtying one page per channel.
            try db.execute("""
                DROP TABLE samples;
                CREATE TABLE minute_aggregates_by_minute (
                    agent_id TEXT NOT NULL,
                    minute_ms INTEGER NOT NULL,
                    channel TEXT NOT NULL,
                    min_quanta INTEGER NOT NULL,
                    max_quanta INTEGER NOT NULL,
                    sum_quanta INTEGER NOT NULL CHECK (typeof(sum_quanta) = 'integer'),
                    count INTEGER NOT NULL,
                    PRIMARY KEY (agent_id, minute_ms, channel)
                ) WITHOUT ROWID;
                INSERT INTO minute_aggregates_by_minute
                    SELECT agent_id, minute_ms, channel, min_quanta, max_quanta, sum_quanta, count FROM minute_aggregates;
                DROP TABLE minute_aggregates;
                ALTER TABLE minute_aggregates_by_minute RENAME TO minute_aggregates;
                """)
        }),
    ]

    /// Moves the per-cell rows of `aggregator-1` into frames of one channel and one minute, streaming along
    /// the old primary key (no sort, memory for one minute of one channel).
    static func moveSamplesIntoFrames(_ db: SQLiteDatabase) throws {
        let select = try db.prepare("SELECT agent_id, channel, time_ms, quanta FROM samples ORDER BY agent_id, channel, time_ms")
        let insert = try db.prepare("INSERT INTO sample_frames (agent_id, first_ms, last_ms, cells, body) VALUES (?, ?, ?, ?, ?)")
        var key: (agent: String, channel: String, minuteMs: Int64)?
        var times: [Int64] = [], values: [Int64?] = []
        func flush() throws {
            guard let key, let first = times.first, let last = times.last else { return }
            let frame = SampleFrame(times: times, channels: [key.channel], columns: [values])
            try insert.bind(.text(key.agent), .integer(first), .integer(last), .integer(Int64(times.count)), .blob(frame.encoded()))
            while try insert.step() {}
            insert.reset()
            times.removeAll(keepingCapacity: true)
            values.removeAll(keepingCapacity: true)
        }
        try select.forEachRow { row in
            let next = (agent: row.string(at: 0), channel: row.string(at: 1), minuteMs: BatchCells.minuteStart(of: row.int64(at: 2)))
            if let current = key, current != next { try flush() }
            key = next
            times.append(row.int64(at: 2))
            values.append(row.int64(at: 3))
        }
        try flush()
    }
}
