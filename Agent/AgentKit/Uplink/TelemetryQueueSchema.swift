import EdgeSQLite

/// The telemetry queue's schema, as named migrations (never rename or edit one once shipped).
enum TelemetryQueueSchema {
    static let migrator: SQLiteMigrator = {
        var migrator = SQLiteMigrator()
        migrator.registerMigration("telemetry-queue-1: samples, aggregates, frames, rejected") { db in
            try db.execute("""
                CREATE TABLE queue_state (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    next_sequence INTEGER NOT NULL,
                    dropped_samples INTEGER NOT NULL,
                    channels TEXT NOT NULL,
                    last_time_ms INTEGER
                );
                INSERT INTO queue_state (id, next_sequence, dropped_samples, channels) VALUES (1, 1, 0, '');
                CREATE TABLE samples (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    time_ms INTEGER NOT NULL,
                    cells BLOB NOT NULL
                );
                CREATE TABLE aggregates (
                    minute_ms INTEGER PRIMARY KEY,
                    sums BLOB NOT NULL,
                    counts BLOB NOT NULL
                );
                CREATE TABLE frames (
                    sequence INTEGER PRIMARY KEY,
                    kind TEXT NOT NULL CHECK (kind IN ('raw', 'aggregate')),
                    row_count INTEGER NOT NULL,
                    first_time_ms INTEGER NOT NULL,
                    frame BLOB NOT NULL
                );
                CREATE TABLE rejected (
                    sequence INTEGER PRIMARY KEY,
                    kind TEXT NOT NULL,
                    row_count INTEGER NOT NULL,
                    first_time_ms INTEGER NOT NULL,
                    frame BLOB NOT NULL,
                    rejected_at_ms INTEGER NOT NULL,
                    reason TEXT NOT NULL
                );
                """)
        }
        // A queue from before this migration starts both ledgers at zero: they count cells appended from then on.
        // Checksums are UInt64 stored as INTEGER by bit pattern.
        migrator.registerMigration("telemetry-queue-2: produced and dropped ledgers") { db in
            try db.execute("""
                ALTER TABLE queue_state ADD COLUMN produced_values INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE queue_state ADD COLUMN produced_checksum INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE queue_state ADD COLUMN dropped_values INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE queue_state ADD COLUMN dropped_checksum INTEGER NOT NULL DEFAULT 0;
                """)
        }
        return migrator
    }()
}
