/// `GET /v1/rollouts/{id}` (and the answer to a start or a command): a rollout's state, stage, counts, why it
/// halted, and each agent's status (docs/rollout.md).
public struct RolloutResponse: Encodable, Sendable, Hashable {
    public var id: Int64
    public var version: Int
    /// `running`, `paused`, `halted`, `aborted` or `done`.
    public var state: String
    /// `canary` or `wave K of W`: the stage open now, or where it stopped.
    public var stage: String
    public var stageIndex: Int
    /// The canary and the waves: how many stages there are.
    public var stages: Int
    public var stageSizes: [Int]
    public var canary: Int
    public var waves: Int
    public var soakS: Int64
    public var maxFailures: Int
    public var createdAtMs: Int64
    public var createdBy: String
    public var updatedAtMs: Int64
    public var stageOpenedAtMs: Int64
    public var soakEndsAtMs: Int64?
    /// One line per reason, when halted.
    public var haltReasons: [String]
    public var counts: Counts
    /// Every agent in rollout order; left out of the list view.
    public var agents: [Agent]?

    public struct Counts: Encodable, Sendable, Hashable {
        public var pending: Int
        public var applied: Int
        public var rejected: Int
        public var reverted: Int
        /// Applied, but with a trip, safe-state time or an alarm.
        public var unhealthy: Int
    }

    public struct Agent: Encodable, Sendable, Hashable {
        public var agentID: String
        public var stage: Int
        /// `pending`, `applied`, `rejected CODE` or `reverted`.
        public var status: String
        public var code: String?
        public var reason: String?
        public var trips: Int
        public var safeStateS: Double
        public var alarms: [String]
        public var healthy: Bool
        public var fetchedAtMs: Int64?
        public var reportedAtMs: Int64?
        public var agentTime: String?
    }

    public init(_ rollout: Rollout, withAgents: Bool = true) {
        id = rollout.id
        version = rollout.version
        state = rollout.state.rawValue
        stage = rollout.plan.stageName(rollout.stage)
        stageIndex = rollout.stage
        stages = rollout.plan.stages.count
        stageSizes = rollout.plan.stages.map(\.count)
        canary = rollout.plan.canary
        waves = rollout.plan.waves
        soakS = rollout.plan.soakMs / 1_000
        maxFailures = rollout.plan.maxFailures
        createdAtMs = rollout.createdAtMs
        createdBy = rollout.createdBy
        updatedAtMs = rollout.updatedAtMs
        stageOpenedAtMs = rollout.stageOpenedAtMs
        soakEndsAtMs = rollout.state == .running ? rollout.soakEndsAtMs : nil
        haltReasons = rollout.haltReasons
        let counts = rollout.counts
        self.counts = Counts(
            pending: counts.pending, applied: counts.applied, rejected: counts.rejected, reverted: counts.reverted, unhealthy: counts.unhealthy)
        agents = withAgents ? rollout.agents.map { agent in
            var code: String?
            if case .rejected(let refusal) = agent.status { code = refusal }
            return Agent(
                agentID: agent.agentID, stage: agent.stage, status: agent.status.description, code: code, reason: agent.reason,
                trips: agent.health.trips, safeStateS: agent.health.safeStateS, alarms: agent.health.alarms, healthy: agent.health.isHealthy,
                fetchedAtMs: agent.fetchedAtMs, reportedAtMs: agent.reportedAtMs, agentTime: agent.agentTime)
        } : nil
    }
}

/// `GET /v1/rollouts`: every rollout, oldest first, without the per-agent lists.
public struct RolloutListResponse: Encodable, Sendable, Hashable {
    public var rollouts: [RolloutResponse]
    public init(_ rollouts: [Rollout]) { self.rollouts = rollouts.map { RolloutResponse($0, withAgents: false) } }
}

/// `GET /v1/audit`: operator actions, newest first.
public struct AuditResponse: Encodable, Sendable, Hashable {
    public var entries: [Entry]

    public struct Entry: Encodable, Sendable, Hashable {
        public var id: Int64
        public var atMs: Int64
        public var `operator`: String
        public var action: String
        public var target: String
        public var outcome: String
        public var detail: String
    }

    public init(_ entries: [AuditEntry]) {
        self.entries = entries.map {
            Entry(id: $0.id, atMs: $0.atMs, operator: $0.operatorName, action: $0.action, target: $0.target, outcome: $0.outcome, detail: $0.detail)
        }
    }
}

/// `GET /v1/roots`: the root versions the aggregator serves, and the newest it trusts.
public struct RootsResponse: Encodable, Sendable, Hashable {
    public var versions: [Int]
    public var trusted: Int?
    public init(versions: [Int], trusted: Int?) {
        self.versions = versions
        self.trusted = trusted
    }
}

/// The answer to `PUT /v1/roots` and to a policy report.
public struct PolicyAckResponse: Encodable, Sendable, Hashable {
    public var result: String
    public var version: Int?
    public var rollout: Int64?
    public var status: String?
    public init(result: String, version: Int? = nil, rollout: Int64? = nil, status: String? = nil) {
        self.result = result
        self.version = version
        self.rollout = rollout
        self.status = status
    }
}
