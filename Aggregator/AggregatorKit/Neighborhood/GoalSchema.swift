import EdgeSQLite

/// The goal tables. They live in the policy store's file and are created by its migrator (`PolicySchema`), because
/// one file has one list of applied migrations: a second migrator on the same file would refuse the first one's
/// names as "written by a newer version".
///
/// Portable as the policy schema is: INTEGER epoch milliseconds, TEXT for the goal's canonical JSON, a one-row table
/// pinned by a CHECK for the envelope sequence, upserts as `ON CONFLICT`.
enum GoalSchema {
    static let migrationName = "policy-2: neighborhood goals, envelope sequence"

    static func create(_ db: SQLiteDatabase) throws {
        try db.execute("""
            CREATE TABLE neighborhood_goals (
                id TEXT PRIMARY KEY NOT NULL,
                start_ms INTEGER NOT NULL,
                end_ms INTEGER NOT NULL,
                goal_json TEXT NOT NULL,
                set_by TEXT NOT NULL,
                set_at_ms INTEGER NOT NULL
            );
            CREATE INDEX neighborhood_goals_start ON neighborhood_goals (start_ms);
            CREATE INDEX neighborhood_goals_end ON neighborhood_goals (end_ms);
            CREATE TABLE envelope_sequence (
                singleton INTEGER PRIMARY KEY NOT NULL CHECK (singleton = 1),
                sequence INTEGER NOT NULL
            );
            """)
    }
}
