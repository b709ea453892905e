public import AggregatorKit
import Synchronization

/// The policy store in memory, with the same semantics as `SQLitePolicyStore` (conflicts, the newest revision
/// winning, the audit log's ids and order), for tests.
public final class InMemoryPolicyStore: PolicyStore {
    private struct Contents {
        var rollouts: [Int64: StoredRollout] = [:]
        /// Per rollout, the revision each agent row was last written with.
        var agentRevisions: [Int64: [String: Int64]] = [:]
        var roots: [Int: StoredRoot] = [:]
        var known: [String: Int64] = [:]
        var audit: [AuditEntry] = []
        var closed = false
    }

    private let contents = Mutex(Contents())

    public init() {}

    public func close() { contents.withLock { $0.closed = true } }

    private func open<T>(_ body: (inout Contents) throws(PolicyStoreError) -> T) throws(PolicyStoreError) -> T {
        try contents.withLock { (contents: inout Contents) throws(PolicyStoreError) -> T in
            guard !contents.closed else { throw .unavailable("the in-memory policy store is closed") }
            return try body(&contents)
        }
    }

    public func rollouts() async throws(PolicyStoreError) -> [StoredRollout] {
        try open { $0.rollouts.values.sorted { $0.rollout.id < $1.rollout.id } }
    }

    public func insert(_ rollout: Rollout, bundle: [UInt8]) async throws(PolicyStoreError) {
        try open { (contents: inout Contents) throws(PolicyStoreError) in
            guard contents.rollouts[rollout.id] == nil, !contents.rollouts.values.contains(where: { $0.rollout.version == rollout.version }) else {
                throw .conflict("a rollout with id \(rollout.id) or of version \(rollout.version) is already stored")
            }
            contents.rollouts[rollout.id] = StoredRollout(rollout: rollout, bundle: bundle)
            contents.agentRevisions[rollout.id] = Dictionary(uniqueKeysWithValues: rollout.agents.map { ($0.agentID, rollout.revision) })
        }
    }

    public func save(_ rollout: Rollout, agents: [String]) async throws(PolicyStoreError) {
        try open { (contents: inout Contents) throws(PolicyStoreError) in
            guard var stored = contents.rollouts[rollout.id] else { throw .unavailable("rollout \(rollout.id) was never inserted") }
            var revisions = contents.agentRevisions[rollout.id] ?? [:]
            let wanted = Set(agents)
            for (position, agent) in rollout.agents.enumerated() where wanted.contains(agent.agentID) {
                if (revisions[agent.agentID] ?? 0) < rollout.revision {
                    stored.rollout.agents[position] = agent
                    revisions[agent.agentID] = rollout.revision
                }
            }
            if stored.rollout.revision < rollout.revision {
                let agentsKept = stored.rollout.agents
                stored.rollout = rollout
                stored.rollout.agents = agentsKept
            }
            contents.rollouts[rollout.id] = stored
            contents.agentRevisions[rollout.id] = revisions
        }
    }

    public func roots() async throws(PolicyStoreError) -> [StoredRoot] {
        try open { $0.roots.values.sorted { $0.version < $1.version } }
    }

    public func insert(_ root: StoredRoot) async throws(PolicyStoreError) {
        try open { (contents: inout Contents) throws(PolicyStoreError) in
            guard contents.roots[root.version] == nil else { throw .conflict("root version \(root.version) is already stored") }
            contents.roots[root.version] = root
        }
    }

    public func knownAgents() async throws(PolicyStoreError) -> [String] {
        try open { $0.known.keys.sorted() }
    }

    public func remember(agents: [String], nowMs: Int64) async throws(PolicyStoreError) {
        try open { contents in
            for agent in agents where contents.known[agent] == nil { contents.known[agent] = nowMs }
        }
    }

    @discardableResult
    public func append(_ entry: AuditEntry) async throws(PolicyStoreError) -> AuditEntry {
        try open { contents in
            var stored = entry
            stored.id = (contents.audit.last?.id ?? 0) + 1
            contents.audit.append(stored)
            return stored
        }
    }

    public func audit(limit: Int, beforeID: Int64?) async throws(PolicyStoreError) -> [AuditEntry] {
        try open { contents in
            Array(contents.audit.reversed().filter { $0.id < (beforeID ?? .max) }.prefix(max(1, limit)))
        }
    }
}
