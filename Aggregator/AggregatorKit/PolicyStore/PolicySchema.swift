import EdgeSQLite

/// The policy store's schema as named migrations (never rename or edit one once shipped). The neighborhood goals
/// share the file (`GoalSchema`), so their migration is registered here too.
///
/// Portable on purpose (a PostgreSQL store comes later): INTEGER for every count and millisecond time, TEXT, BLOB
/// for signed bytes (BYTEA there), REAL for seconds, 0/1 for booleans, lists as JSON text; ids assigned by the store
/// itself (no rowid, no AUTOINCREMENT), upserts as `ON CONFLICT … DO UPDATE`, no `OR REPLACE`.
enum PolicySchema {
    static let migrator: SQLiteMigrator = {
        var migrator = SQLiteMigrator()
        migrator.registerMigration("policy-1: roots, rollouts, rollout agents, known agents, audit log") { db in
            try db.execute("""
                CREATE TABLE roots (
                    version INTEGER PRIMARY KEY NOT NULL,
                    envelope BLOB NOT NULL,
                    added_at_ms INTEGER NOT NULL,
                    added_by TEXT NOT NULL
                );
                CREATE TABLE rollouts (
                    id INTEGER PRIMARY KEY NOT NULL,
                    version INTEGER NOT NULL UNIQUE,
                    bundle BLOB NOT NULL,
                    canary INTEGER NOT NULL,
                    waves INTEGER NOT NULL,
                    soak_ms INTEGER NOT NULL,
                    max_failures INTEGER NOT NULL,
                    state TEXT NOT NULL,
                    stage INTEGER NOT NULL,
                    stage_opened_at_ms INTEGER NOT NULL,
                    soak_started_at_ms INTEGER,
                    halt_reasons TEXT NOT NULL,
                    created_at_ms INTEGER NOT NULL,
                    created_by TEXT NOT NULL,
                    updated_at_ms INTEGER NOT NULL,
                    revision INTEGER NOT NULL
                );
                CREATE TABLE rollout_agents (
                    rollout_id INTEGER NOT NULL REFERENCES rollouts (id),
                    agent_id TEXT NOT NULL,
                    position INTEGER NOT NULL,
                    stage INTEGER NOT NULL,
                    status TEXT NOT NULL,
                    code TEXT,
                    reason TEXT,
                    trips INTEGER NOT NULL,
                    safe_state_s REAL NOT NULL,
                    alarms TEXT NOT NULL,
                    applied_at_ms INTEGER,
                    reported_at_ms INTEGER,
                    agent_time TEXT,
                    fetched_at_ms INTEGER,
                    tolerated INTEGER NOT NULL,
                    revision INTEGER NOT NULL,
                    PRIMARY KEY (rollout_id, agent_id)
                );
                CREATE TABLE known_agents (
                    agent_id TEXT PRIMARY KEY NOT NULL,
                    first_seen_ms INTEGER NOT NULL
                );
                CREATE TABLE audit_log (
                    id INTEGER PRIMARY KEY NOT NULL,
                    at_ms INTEGER NOT NULL,
                    operator TEXT NOT NULL,
                    action TEXT NOT NULL,
                    target TEXT NOT NULL,
                    outcome TEXT NOT NULL,
                    detail TEXT NOT NULL
                );
                """)
        }
        migrator.registerMigration(GoalSchema.migrationName, GoalSchema.create)
        return migrator
    }()
}
