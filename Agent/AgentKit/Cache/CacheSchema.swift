import EdgeSQLite
import FoundationEssentials
import GridCore

/// The cache's schema, as named migrations (never rename or edit one once shipped).
enum CacheSchema {
    static let migrator: SQLiteMigrator = {
        var migrator = SQLiteMigrator()
        migrator.registerMigration("agent-cache-1: policy, cycle state, events") { db in
            try db.execute("""
                CREATE TABLE policy (
                    slot TEXT PRIMARY KEY NOT NULL CHECK (slot IN ('active', 'last_known_good')),
                    version INTEGER NOT NULL,
                    policy_json BLOB NOT NULL,
                    bundle BLOB NOT NULL,
                    received_at REAL NOT NULL
                );
                CREATE TABLE cycle_state (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    state_json BLOB,
                    saved_at REAL
                );
                INSERT INTO cycle_state (id) VALUES (1);
                CREATE TABLE events (
                    sequence INTEGER PRIMARY KEY AUTOINCREMENT,
                    at REAL NOT NULL,
                    code TEXT NOT NULL,
                    message TEXT NOT NULL
                );
                """)
        }
        // Anti-rollback needs the highest version ever accepted, which the two policy slots lose on a revert.
        migrator.registerMigration("agent-cache-2: highest accepted policy version") { db in
            try db.execute("""
                CREATE TABLE policy_high_water (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    version INTEGER NOT NULL
                );
                INSERT INTO policy_high_water (id, version) SELECT 1, max(version) FROM policy HAVING count(*) > 0;
                """)
        }
        // The signed-policy path: reports kept until the aggregator acknowledges them, and small named records
        // (the trusted root, the bundle's entity tag, the probation in progress) that a restart must not lose.
        migrator.registerMigration("agent-cache-3: policy reports and records") { db in
            try db.execute("""
                CREATE TABLE policy_reports (
                    sequence INTEGER PRIMARY KEY AUTOINCREMENT,
                    body BLOB NOT NULL,
                    created_at REAL NOT NULL
                );
                CREATE TABLE records (
                    name TEXT PRIMARY KEY NOT NULL,
                    value BLOB NOT NULL
                );
                """)
        }
        return migrator
    }()
}

/// One connection and the statements run every cycle; lent by `SQLiteAgentCache`'s `SerializedDatabase` to one caller at a time.
final class CacheConnection {
    let db: SQLiteDatabase
    let updateState: SQLiteStatement
    let insertEvent: SQLiteStatement
    let trimEvents: SQLiteStatement
    let encoder = CacheCoding.encoder()
    let decoder = CacheCoding.decoder()

    init(_ db: SQLiteDatabase) throws {
        self.db = db
        updateState = try db.prepare("UPDATE cycle_state SET state_json = ?, saved_at = ? WHERE id = 1")
        insertEvent = try db.prepare("INSERT INTO events (at, code, message) VALUES (?, ?, ?)")
        trimEvents = try db.prepare("DELETE FROM events WHERE sequence <= ?")
    }

    /// The anti-rollback mark, or nil before the first policy.
    func highestPolicyVersion() throws -> Int? {
        try db.prepare("SELECT version FROM policy_high_water WHERE id = 1").rows { Int($0.int64(at: 0)) }.first
    }

    func policy(slot: String) throws -> CachedPolicy? {
        let select = try db.prepare("SELECT policy_json, bundle, received_at FROM policy WHERE slot = ?")
        try select.bind(.text(slot))
        let rows = try select.rows { ($0.blob(at: 0), $0.blob(at: 1), $0.double(at: 2)) }
        guard let (json, bundle, receivedAt) = rows.first else { return nil }
        let policy = try CacheCoding.decode(ControlPolicy.self, from: json, with: decoder, what: "\(slot) policy")
        return CachedPolicy(policy: policy, bundleBytes: bundle, receivedAt: Timestamp(secondsSinceEpoch: receivedAt))
    }
}

extension CacheError {
    /// Classifies any failure below the cache (SQLite, coding) as full, corrupt or unusable.
    static func wrapping(_ error: any Error, doing what: String, file: String = #fileID, line: Int = #line) -> CacheError {
        if let error = error as? CacheError { return error }
        guard let error = error as? SQLiteError else { return .unusable("cannot \(what): \(error)", file: file, line: line) }
        if error.isFull { return .full("cannot \(what): \(error)", file: file, line: line) }
        if error.isCorrupt { return .corrupt("cannot \(what): \(error)", file: file, line: line) }
        return .unusable("cannot \(what): \(error)", file: file, line: line)
    }
}
