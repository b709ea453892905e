import EdgeSQLite

/// The store's schema as named migrations (never rename or edit one once shipped).
///
/// Sequences are UInt64 stored by bit pattern in INTEGER columns; they are only compared in Swift.
/// Values are whole quanta in INTEGER columns: exact, never REAL.
enum TelemetrySchema {
    static let migrator: SQLiteMigrator = {
        var migrator = SQLiteMigrator()
        migrator.registerMigration("aggregator-1: ledger, samples, minute aggregates, fleet") { db in
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
        }
        return migrator
    }()
}
