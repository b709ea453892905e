import EdgeSQLite

/// The policy store on SQLite (WAL): one connection on a thread of its own, so no SQLite call runs on the
/// caller's task (docs/rollout.md). Policy traffic is small (a report or a fetch per agent per rollout stage), so
/// reads and writes share the one connection.
public final class SQLitePolicyStore: PolicyStore {
    public let path: String
    private let database: SerializedDatabase<PolicyConnection, PolicyStoreError>

    /// Opens or creates the store, checks it (`quick_check`) and runs the migrations.
    public init(path: String, busyTimeoutMilliseconds: Int32 = 5_000) throws(PolicyStoreError) {
        self.path = path
        database = try SerializedDatabase(
            path: path, busyTimeoutMilliseconds: busyTimeoutMilliseconds, label: "agg-policy",
            describeFailure: { PolicyStoreError.wrapping($0, doing: $1) }
        ) { db in
            let problems = try db.quickCheck()
            guard problems.isEmpty else {
                throw PolicyStoreError.corrupt("quick_check of \(path) found: \(problems.prefix(3).joined(separator: "; "))")
            }
            try PolicySchema.migrator.migrate(db)
            return try PolicyConnection(db)
        }
    }

    public func close() { database.close() }

    public func rollouts() async throws(PolicyStoreError) -> [StoredRollout] {
        try await database.run("read the rollouts") { try $0.rollouts() }
    }

    public func insert(_ rollout: Rollout, bundle: [UInt8]) async throws(PolicyStoreError) {
        try await database.run("store rollout \(rollout.id)") { try $0.insert(rollout, bundle: bundle) }
    }

    public func save(_ rollout: Rollout, agents: [String]) async throws(PolicyStoreError) {
        try await database.run("save rollout \(rollout.id)") { try $0.save(rollout, agents: agents) }
    }

    public func roots() async throws(PolicyStoreError) -> [StoredRoot] {
        try await database.run("read the roots") { try $0.roots() }
    }

    public func insert(_ root: StoredRoot) async throws(PolicyStoreError) {
        try await database.run("store root version \(root.version)") { try $0.insert(root) }
    }

    public func knownAgents() async throws(PolicyStoreError) -> [String] {
        try await database.run("read the known agents") { try $0.knownAgents() }
    }

    public func remember(agents: [String], nowMs: Int64) async throws(PolicyStoreError) {
        try await database.run("remember \(agents.count) agents") { try $0.remember(agents, nowMs: nowMs) }
    }

    @discardableResult
    public func append(_ entry: AuditEntry) async throws(PolicyStoreError) -> AuditEntry {
        try await database.run("append to the audit log") { try $0.append(entry) }
    }

    public func audit(limit: Int, beforeID: Int64?) async throws(PolicyStoreError) -> [AuditEntry] {
        try await database.run("read the audit log") { try $0.audit(limit: limit, beforeID: beforeID) }
    }
}
