/// The life of a rollout: `running` (the canary, then each wave in turn) until `done`, unless it `halted` by
/// itself (too many failures in a stage) or an operator `paused` or `aborted` it. `halted`, `aborted` and
/// `done` are final: nothing reaches a later stage after them.
public enum RolloutState: String, Sendable, Hashable, CaseIterable {
    case running, paused, halted, aborted, done

    /// No later stage will ever open.
    public var isFinal: Bool { self == .halted || self == .aborted || self == .done }
}

/// Everything a rollout is and has seen; the state machine's state, and what the store keeps (the bundle's
/// bytes are kept beside it).
public struct Rollout: Sendable, Hashable {
    public let id: Int64
    /// The bundle's version (one rollout per version).
    public let version: Int
    public let plan: RolloutPlan
    public var state: RolloutState
    /// The stage open now (or when it stopped): 0 the canary, 1… the waves.
    public var stage: Int
    public var stageOpenedAtMs: Int64
    /// When every agent of the stage had applied (or failed within the allowance): the soak runs from here.
    public var soakStartedAtMs: Int64?
    /// One line per reason, set when the rollout halts.
    public var haltReasons: [String]
    public let createdAtMs: Int64
    /// The operator who started it.
    public let createdBy: String
    public var updatedAtMs: Int64
    /// Counts every change: the store keeps only the newest revision of each row it is handed.
    public var revision: Int64
    /// Every agent in rollout order (`plan.agents`).
    public var agents: [AgentProgress]

    public init(
        id: Int64, version: Int, plan: RolloutPlan, state: RolloutState, stage: Int, stageOpenedAtMs: Int64,
        soakStartedAtMs: Int64?, haltReasons: [String], createdAtMs: Int64, createdBy: String, updatedAtMs: Int64,
        revision: Int64, agents: [AgentProgress]
    ) {
        self.id = id
        self.version = version
        self.plan = plan
        self.state = state
        self.stage = stage
        self.stageOpenedAtMs = stageOpenedAtMs
        self.soakStartedAtMs = soakStartedAtMs
        self.haltReasons = haltReasons
        self.createdAtMs = createdAtMs
        self.createdBy = createdBy
        self.updatedAtMs = updatedAtMs
        self.revision = revision
        self.agents = agents
    }

    /// When the current stage's soak ends, if it has started.
    public var soakEndsAtMs: Int64? { soakStartedAtMs.map { $0 + plan.soakMs } }

    /// Agents per status word (`pending`, `applied`, `rejected`, `reverted`) and the applied ones that reported trouble.
    public var counts: (pending: Int, applied: Int, rejected: Int, reverted: Int, unhealthy: Int) {
        var counts = (pending: 0, applied: 0, rejected: 0, reverted: 0, unhealthy: 0)
        for agent in agents {
            switch agent.status {
            case .pending: counts.pending += 1
            case .applied:
                counts.applied += 1
                if !agent.health.isHealthy { counts.unhealthy += 1 }
            case .rejected: counts.rejected += 1
            case .reverted: counts.reverted += 1
            }
        }
        return counts
    }
}
