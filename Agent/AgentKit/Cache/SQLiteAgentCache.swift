import EdgeSQLite
import FoundationEssentials
public import GridCore

/// The cache on SQLite (WAL, named migrations, one transaction per multi-row change), through EdgeSQLite's
/// `SerializedDatabase`: one connection, one caller at a time, every failure a `CacheError`.
///
/// Its calls block; the agent makes them from the control loop's own thread (`sync`), never from the cooperative pool.
/// Open it through `SQLiteAgentCache.open(path:logger:)`, which never fails: a bad file is moved aside.
public final class SQLiteAgentCache: AgentCache {
    /// The database file.
    public let path: String
    /// How many events the log keeps.
    public let eventLogCapacity: Int
    private let database: SerializedDatabase<CacheConnection, CacheError>

    /// Opens or creates the cache, runs `quick_check` and the migrations.
    ///
    /// `maximumPageCount` caps the file (`PRAGMA max_page_count`) so that it cannot fill a small flash.
    public convenience init(
        path: String, eventLogCapacity: Int = CacheEvent.defaultLogCapacity, maximumPageCount: Int? = nil
    ) throws(CacheError) {
        try self.init(path: path, eventLogCapacity: eventLogCapacity, maximumPageCount: maximumPageCount, readOnly: false)
    }

    init(path: String, eventLogCapacity: Int, maximumPageCount: Int?, readOnly: Bool) throws(CacheError) {
        self.path = path
        self.eventLogCapacity = max(1, eventLogCapacity)
        if !readOnly { PrivateFile.prepare(path) }
        database = try SerializedDatabase(
            path: path, readOnly: readOnly, label: "agent cache",
            describeFailure: { error, doing in CacheError.wrapping(error, doing: doing) }
        ) { db in
            let problems = try db.quickCheck()
            guard problems.isEmpty else {
                throw CacheError.corrupt("quick_check of \(path) found: \(problems.prefix(3).joined(separator: "; "))")
            }
            if !readOnly { try CacheSchema.migrator.migrate(db) }
            if let maximumPageCount { try db.execute("PRAGMA max_page_count = \(maximumPageCount)") }
            return try CacheConnection(db)
        }
    }

    /// Runs `body` on the connection, on the calling thread, turning every failure into a `CacheError`.
    func run<T: Sendable>(_ what: String, _ body: (CacheConnection) throws -> T) throws(CacheError) -> T {
        try database.sync(what, body)
    }

    public func storePolicy(_ policy: ControlPolicy, bundleBytes: [UInt8], receivedAt: Timestamp) throws(CacheError) {
        try run("store policy version \(policy.version)") { c in
            let json = try CacheCoding.encode(policy, with: c.encoder, what: "policy")
            try c.db.transaction {
                // Checked in the transaction that writes, so no other writer can slip in between.
                if let highest = try c.highestPolicyVersion(), policy.version <= highest {
                    throw CacheError.policyRollback(offered: policy.version, highest: highest)
                }
                try c.db.execute("""
                    DELETE FROM policy WHERE slot = 'last_known_good';
                    UPDATE policy SET slot = 'last_known_good' WHERE slot = 'active';
                    """)
                let insert = try c.db.prepare("""
                    INSERT INTO policy (slot, version, policy_json, bundle, received_at) VALUES ('active', ?, ?, ?, ?)
                    """)
                try insert.bind(.integer(Int64(policy.version)), .blob(json), .blob(bundleBytes), .real(receivedAt.secondsSinceEpoch))
                _ = try insert.step()
                let mark = try c.db.prepare("INSERT OR REPLACE INTO policy_high_water (id, version) VALUES (1, ?)")
                try mark.bind(.integer(Int64(policy.version)))
                _ = try mark.step()
            }
        }
    }

    public func highestPolicyVersion() throws(CacheError) -> Int? {
        try run("read the highest policy version") { try $0.highestPolicyVersion() }
    }

    public func activePolicy() throws(CacheError) -> CachedPolicy? {
        try run("read the active policy") { try $0.policy(slot: "active") }
    }

    public func lastKnownGoodPolicy() throws(CacheError) -> CachedPolicy? {
        try run("read the last-known-good policy") { try $0.policy(slot: "last_known_good") }
    }

    @discardableResult
    public func revertToLastKnownGood() throws(CacheError) -> CachedPolicy? {
        try run("revert to the last-known-good policy") { c in
            try c.db.transaction {
                guard let good = try c.policy(slot: "last_known_good") else { return nil }
                try c.db.execute("""
                    DELETE FROM policy WHERE slot = 'active';
                    UPDATE policy SET slot = 'active' WHERE slot = 'last_known_good';
                    """)
                return good
            }
        }
    }

    public func storeCycleState(_ state: CycleState, at time: Timestamp) throws(CacheError) {
        try run("store the cycle state") { c in
            let json = try CacheCoding.encode(state, with: c.encoder, what: "cycle state")
            // One prepared UPDATE of the single row the migration created: cheap enough for every cycle.
            try c.updateState.bind(.blob(json), .real(time.secondsSinceEpoch))
            _ = try c.updateState.step()
            c.updateState.reset()
        }
    }

    public func loadCycleState() throws(CacheError) -> (CycleState, Timestamp)? {
        try run("read the cycle state") { c in
            let rows = try c.db.prepare("SELECT state_json, saved_at FROM cycle_state WHERE id = 1 AND state_json IS NOT NULL")
                .rows { ($0.blob(at: 0), $0.double(at: 1)) }
            guard let (json, savedAt) = rows.first else { return nil }
            let state = try CacheCoding.decode(CycleState.self, from: json, with: c.decoder, what: "cycle state")
            return (state, Timestamp(secondsSinceEpoch: savedAt))
        }
    }

    public func appendEvent(code: String, message: String, at time: Timestamp) throws(CacheError) {
        let capacity = Int64(eventLogCapacity)
        try run("append event \(code)") { c in
            try c.db.transaction {
                try c.insertEvent.bind(.real(time.secondsSinceEpoch), .text(code), .text(String(message.prefix(1_000))))
                _ = try c.insertEvent.step()
                c.insertEvent.reset()
                // AUTOINCREMENT sequences never go back, so "the newest N" is a range on the key.
                try c.trimEvents.bind(.integer(c.db.lastInsertRowID - capacity))
                _ = try c.trimEvents.step()
                c.trimEvents.reset()
            }
        }
    }

    public func recentEvents(limit: Int) throws(CacheError) -> [CacheEvent] {
        try run("read the event log") { c in
            let select = try c.db.prepare("SELECT sequence, at, code, message FROM events ORDER BY sequence DESC LIMIT ?")
            try select.bind(.integer(Int64(max(0, limit))))
            return try select.rows {
                CacheEvent(
                    sequence: $0.int64(at: 0), time: Timestamp(secondsSinceEpoch: $0.double(at: 1)),
                    code: $0.string(at: 2), message: $0.string(at: 3))
            }
        }
    }

    /// Copies what can be read into an in-memory cache (used when the file cannot be written), anti-rollback mark included.
    func copyIntoMemory() throws(CacheError) -> InMemoryAgentCache {
        var events: [CacheEvent] = []
        for event in try recentEvents(limit: eventLogCapacity).reversed() { events.append(event) }
        var records: [String: [UInt8]] = [:]
        for name in try recordNames() { records[name] = try record(named: name) }
        return InMemoryAgentCache(
            eventLogCapacity: eventLogCapacity, active: try activePolicy(), lastKnownGood: try lastKnownGoodPolicy(),
            highestPolicyVersion: try highestPolicyVersion(), cycleState: try loadCycleState(), events: events,
            reports: try pendingPolicyReports(limit: PolicyReportRecord.capacity), records: records)
    }

    private func recordNames() throws(CacheError) -> [String] {
        try run("list the records") { c in try c.db.prepare("SELECT name FROM records").rows { $0.string(at: 0) } }
    }
}
