/// Where the aggregator keeps signed policy: the roots it was given, every rollout (its bundle, its state and each
/// agent's progress) and the audit log of operator actions (docs/rollout.md).
///
/// `SQLitePolicyStore` is the real store; `AggregatorTesting.InMemoryPolicyStore` has the same semantics for tests.
/// The SQL is kept to what PostgreSQL also runs (upserts with `ON CONFLICT`, no rowid, no `OR REPLACE`), so a
/// PostgreSQL store is another implementation of this protocol. Every method is async and safe from any task.
public protocol PolicyStore: Sendable {
    /// Every rollout, with its bundle and every agent's row, oldest first: what a restart resumes from.
    func rollouts() async throws(PolicyStoreError) -> [StoredRollout]
    /// Writes a new rollout, its bundle and all its agent rows in one transaction. A rollout of the same id or
    /// version already stored is `conflict` and nothing is written.
    func insert(_ rollout: Rollout, bundle: [UInt8]) async throws(PolicyStoreError)
    /// Writes the rollout's header and the rows of `agents`, each only if the stored row has an older revision (so
    /// two saves finishing out of order keep the newer state).
    func save(_ rollout: Rollout, agents: [String]) async throws(PolicyStoreError)
    /// Every root published after the pinned one, by version.
    func roots() async throws(PolicyStoreError) -> [StoredRoot]
    /// Keeps a verified root; a version already stored is `conflict`.
    func insert(_ root: StoredRoot) async throws(PolicyStoreError)
    /// Agents that asked for a bundle or reported, so a rollout to `*` can include agents not yet heard from by telemetry.
    func knownAgents() async throws(PolicyStoreError) -> [String]
    /// Records agents seen (those already known are left as they were).
    func remember(agents: [String], nowMs: Int64) async throws(PolicyStoreError)
    /// Appends an entry to the audit log and returns it with its id.
    @discardableResult
    func append(_ entry: AuditEntry) async throws(PolicyStoreError) -> AuditEntry
    /// The newest `limit` entries with an id below `beforeID` (all when nil), newest first.
    func audit(limit: Int, beforeID: Int64?) async throws(PolicyStoreError) -> [AuditEntry]
    /// Closes the store; later calls fail with `storage.unavailable`.
    func close()
}

/// A rollout as stored, with the bundle it rolls out.
public struct StoredRollout: Sendable, Hashable {
    public var rollout: Rollout
    public var bundle: [UInt8]

    public init(rollout: Rollout, bundle: [UInt8]) {
        self.rollout = rollout
        self.bundle = bundle
    }
}

/// A root version published by an operator after it verified against the chain.
public struct StoredRoot: Sendable, Hashable {
    public var version: Int
    /// The signed root (DSSE envelope) exactly as received.
    public var envelope: [UInt8]
    public var addedAtMs: Int64
    public var addedBy: String

    public init(version: Int, envelope: [UInt8], addedAtMs: Int64, addedBy: String) {
        self.version = version
        self.envelope = envelope
        self.addedAtMs = addedAtMs
        self.addedBy = addedBy
    }
}

/// One operator action: who, what, on what, when, and how it ended.
public struct AuditEntry: Sendable, Hashable {
    /// Assigned by the store (0 before).
    public var id: Int64
    public var atMs: Int64
    /// The operator's name from their certificate (`urn:v2g:operator:NAME`).
    public var operatorName: String
    /// `rollout.start`, `rollout.pause`, `rollout.resume`, `rollout.abort`, `roots.publish`, `goals.set`, `goals.clear`.
    public var action: String
    /// What it acted on: `rollout 3`, `bundle version 8`, `root version 2`, `goal evening-peak`.
    public var target: String
    /// `ok`, or `refused` with the HTTP status and label (`refused 400 OUT_OF_RANGE`).
    public var outcome: String
    /// The plan, or the reason for a refusal.
    public var detail: String

    public init(id: Int64 = 0, atMs: Int64, operatorName: String, action: String, target: String, outcome: String, detail: String) {
        self.id = id
        self.atMs = atMs
        self.operatorName = operatorName
        self.action = action
        self.target = target
        self.outcome = outcome
        self.detail = detail
    }
}
