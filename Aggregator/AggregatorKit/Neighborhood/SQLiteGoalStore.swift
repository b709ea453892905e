import EdgeSQLite

/// The goal store on SQLite (WAL), in the policy store's file: one file holds what operators set (rollouts, roots,
/// goals) and the audit log of it, for one backup. The store has its own connection on a thread of its own, so no
/// SQLite call runs on the caller's task; the policy store's connection is another, and WAL with a busy timeout lets
/// the two share the file. Goal traffic is a few operator calls and one read per planning period.
public final class SQLiteGoalStore: GoalStore {
    public let path: String
    private let database: SerializedDatabase<GoalConnection, GoalStoreError>

    /// Opens or creates the store, checks it (`quick_check`) and runs the migrations (those of the policy store,
    /// which include the goal tables). `readOnly` opens an existing store without writing to it: the tables must be
    /// there, and every write fails as `unavailable`. `maximumPageCount` caps the file (`PRAGMA max_page_count`), so
    /// a full disk can be shown in a test.
    public init(
        path: String, readOnly: Bool = false, busyTimeoutMilliseconds: Int32 = 5_000, maximumPageCount: Int? = nil
    ) throws(GoalStoreError) {
        self.path = path
        database = try SerializedDatabase(
            path: path, readOnly: readOnly, busyTimeoutMilliseconds: busyTimeoutMilliseconds, label: "agg-goals",
            describeFailure: { GoalStoreError.wrapping($0, doing: $1) }
        ) { db in
            let problems = try db.quickCheck()
            guard problems.isEmpty else {
                throw GoalStoreError(.corrupt, "quick_check of \(path) found: \(problems.prefix(3).joined(separator: "; "))")
            }
            if readOnly {
                let applied = try db.prepare("SELECT name FROM edge_migrations").rows { $0.string(at: 0) }
                guard applied.contains(GoalSchema.migrationName) else {
                    throw GoalStoreError(.unavailable, "\(path) has no goal tables yet: open it writable once")
                }
            } else {
                try PolicySchema.migrator.migrate(db)
            }
            if let maximumPageCount { try db.execute("PRAGMA max_page_count = \(maximumPageCount)") }
            return try GoalConnection(db)
        }
    }

    public func close() { database.close() }

    public func listing() async throws(GoalStoreError) -> GoalListing {
        try await database.run("read the goals") { try $0.listing() }
    }

    public func goal(id: String) async throws(GoalStoreError) -> StoredGoal? {
        try await database.run("read goal \(id)") { try $0.goal(id: id) }
    }

    public func insert(_ goal: StoredGoal) async throws(GoalStoreError) {
        let row = GoalRow(goal)
        try await database.run("store goal \(row.id)") { try $0.insert(row) }
    }

    public func remove(id: String) async throws(GoalStoreError) -> Bool {
        try await database.run("remove goal \(id)") { try $0.remove(id: id) }
    }

    public func envelopeSequence() async throws(GoalStoreError) -> Int {
        try await database.run("read the envelope sequence") { try $0.envelopeSequence() }
    }

    public func setEnvelopeSequence(_ sequence: Int) async throws(GoalStoreError) {
        try await database.run("record envelope sequence \(sequence)") { try $0.setEnvelopeSequence(sequence) }
    }
}
