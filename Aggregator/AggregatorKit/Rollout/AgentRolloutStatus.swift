/// Where one agent stands with one rollout's bundle.
public enum AgentRolloutStatus: Sendable, Hashable, CustomStringConvertible {
    /// No report yet.
    case pending
    /// Applied at a cycle boundary (its health may still make it count as a failure).
    case applied
    /// Refused by the agent, with its refusal code (`OUT_OF_RANGE`, `WRONG_TARGET`, …).
    case rejected(code: String)
    /// Applied, then put back to the last-known-good by the agent's probation.
    case reverted

    /// `pending`, `applied`, `rejected CODE` or `reverted`.
    public var description: String {
        switch self {
        case .pending: "pending"
        case .applied: "applied"
        case .rejected(let code): "rejected \(code)"
        case .reverted: "reverted"
        }
    }

    /// The word alone, as stored (`rejected`, without the code).
    public var word: String {
        switch self {
        case .pending: "pending"
        case .applied: "applied"
        case .rejected: "rejected"
        case .reverted: "reverted"
        }
    }
}

/// What an agent reported about its health since it applied the bundle. A report only ever adds trouble:
/// trips and safe-state time keep their highest value, alarms accumulate (a later, quieter report does not
/// clear what an earlier one showed).
public struct AgentHealth: Sendable, Hashable {
    /// Protection trips since the bundle was applied.
    public var trips: Int
    /// Seconds spent in the safe state since then.
    public var safeStateS: Double
    /// Alarm codes raised since then.
    public var alarms: [String]

    public init(trips: Int = 0, safeStateS: Double = 0, alarms: [String] = []) {
        self.trips = trips
        self.safeStateS = safeStateS
        self.alarms = alarms
    }

    /// No trip, no safe state, no alarm.
    public var isHealthy: Bool { trips == 0 && safeStateS == 0 && alarms.isEmpty }

    /// This and `later` together (the worst of both).
    func merged(with later: AgentHealth) -> AgentHealth {
        AgentHealth(
            trips: max(trips, later.trips), safeStateS: max(safeStateS, later.safeStateS),
            alarms: alarms + later.alarms.filter { !alarms.contains($0) })
    }

    /// "2 protection trips, 30 s in the safe state, alarms THERMAL_LIMIT".
    public var problems: String {
        var parts: [String] = []
        if trips > 0 { parts.append("\(trips) protection trip\(trips == 1 ? "" : "s")") }
        if safeStateS > 0 { parts.append("\(safeStateS.formatted) s in the safe state") }
        if !alarms.isEmpty { parts.append("alarm\(alarms.count == 1 ? "" : "s") \(alarms.joined(separator: ", "))") }
        return parts.isEmpty ? "healthy" : parts.joined(separator: ", ")
    }
}

extension Double {
    /// Whole numbers without a fraction, others with one decimal.
    var formatted: String {
        self == rounded() && abs(self) < 1e15 ? String(Int64(self)) : String((self * 10).rounded() / 10)
    }
}

/// One agent's progress in one rollout.
public struct AgentProgress: Sendable, Hashable {
    public let agentID: String
    /// 0: the canary; 1…: the waves.
    public let stage: Int
    public var status: AgentRolloutStatus
    /// The agent's reason with its last report (a refusal's or a revert's), if any.
    public var reason: String?
    public var health: AgentHealth
    /// When the aggregator first received `applied` from it (its clock; the soak counts from here).
    public var appliedAtMs: Int64?
    /// When its last report arrived (aggregator clock).
    public var reportedAtMs: Int64?
    /// The agent's own time in its last report, as it wrote it (shown, never used for timing).
    public var agentTime: String?
    /// When it first received the bundle (a 200 to its GET).
    public var fetchedAtMs: Int64?
    /// Already a failure when its stage passed (so a later stage does not count it again).
    public var tolerated: Bool

    public init(
        agentID: String, stage: Int, status: AgentRolloutStatus = .pending, reason: String? = nil, health: AgentHealth = .init(),
        appliedAtMs: Int64? = nil, reportedAtMs: Int64? = nil, agentTime: String? = nil, fetchedAtMs: Int64? = nil,
        tolerated: Bool = false
    ) {
        self.agentID = agentID
        self.stage = stage
        self.status = status
        self.reason = reason
        self.health = health
        self.appliedAtMs = appliedAtMs
        self.reportedAtMs = reportedAtMs
        self.agentTime = agentTime
        self.fetchedAtMs = fetchedAtMs
        self.tolerated = tolerated
    }

    /// Rejected, reverted, or applied with a trip, safe-state time or an alarm.
    public var isFailure: Bool {
        switch status {
        case .pending: false
        case .rejected, .reverted: true
        case .applied: !health.isHealthy
        }
    }

    /// Applied and healthy so far.
    public var isGood: Bool { status == .applied && health.isHealthy }

    /// One line: why this agent counts as a failure.
    public var failureLine: String {
        let why = reason.map { ": \($0)" } ?? ""
        switch status {
        case .rejected(let code): return "\(agentID) rejected the bundle (\(code))\(why)"
        case .reverted:
            let health = self.health.isHealthy ? "" : " (\(self.health.problems))"
            return "\(agentID) reverted to its last-known-good\(why)\(health)"
        case .applied, .pending: return "\(agentID) applied it, then reported \(health.problems)"
        }
    }
}
