/// Who gets a bundle, in which order, and how carefully: the canary (the first `canary` agents), then the rest
/// in `waves` waves split as evenly as possible, each stage soaking `soakMs` after its last agent applied, a
/// stage halting once more than `maxFailures` of its agents reject, revert or report trouble.
public struct RolloutPlan: Sendable, Hashable {
    /// Every agent of the rollout in rollout order: the canary first.
    public let agents: [String]
    public let canary: Int
    /// The waves asked for; `stages` holds at most as many as there are agents after the canary.
    public let waves: Int
    public let soakMs: Int64
    public let maxFailures: Int
    /// Stage 0 is the canary, stages 1… the waves. Every agent is in exactly one; none is empty.
    public let stages: [[String]]

    public static let wavesRange = 1...1_000
    public static let soakRangeS = 0...7 * 86_400
    public static let maxAgents = 100_000

    /// Checks the numbers against the agents; `RolloutPlanError` names the field and the allowed range.
    public init(agents: [String], canary: Int, waves: Int, soakMs: Int64, maxFailures: Int) throws(RolloutPlanError) {
        guard !agents.isEmpty else { throw RolloutPlanError("agents", "no agent to roll out to") }
        guard agents.count <= Self.maxAgents else {
            throw RolloutPlanError("agents", "\(agents.count) agents is more than the \(Self.maxAgents) one rollout takes")
        }
        var seen = Set<String>()
        for agent in agents where !seen.insert(agent).inserted {
            throw RolloutPlanError("agents", "agent \(agent) is listed twice")
        }
        guard (1...agents.count).contains(canary) else {
            throw RolloutPlanError("canary", "\(canary) is outside the allowed range 1…\(agents.count) (the rollout's agent count)")
        }
        guard Self.wavesRange.contains(waves) else {
            throw RolloutPlanError("waves", "\(waves) is outside the allowed range \(Self.wavesRange.lowerBound)…\(Self.wavesRange.upperBound)")
        }
        guard soakMs >= 0, soakMs <= Int64(Self.soakRangeS.upperBound) * 1_000 else {
            throw RolloutPlanError("soak_s", "\(soakMs / 1_000) is outside the allowed range 0…\(Self.soakRangeS.upperBound)")
        }
        guard (0...agents.count).contains(maxFailures) else {
            throw RolloutPlanError("max_failures", "\(maxFailures) is outside the allowed range 0…\(agents.count)")
        }
        self.agents = agents
        self.canary = canary
        self.waves = waves
        self.soakMs = soakMs
        self.maxFailures = maxFailures
        stages = Self.split(agents, canary: canary, waves: waves)
    }

    /// The canary, then the rest in `min(waves, rest)` waves whose sizes differ by at most one (the first
    /// `rest % waves` waves take one more), so a count that does not divide evenly still covers every agent.
    static func split(_ agents: [String], canary: Int, waves: Int) -> [[String]] {
        var stages = [Array(agents.prefix(canary))]
        let rest = Array(agents.dropFirst(canary))
        let count = min(waves, rest.count)
        guard count > 0 else { return stages }
        var start = 0
        for wave in 0..<count {
            let size = rest.count / count + (wave < rest.count % count ? 1 : 0)
            stages.append(Array(rest[start..<start + size]))
            start += size
        }
        return stages
    }

    /// "canary" or "wave K of W".
    public func stageName(_ stage: Int) -> String {
        stage == 0 ? "canary" : "wave \(stage) of \(stages.count - 1)"
    }
}

/// A rollout's numbers do not fit its agents: the field (as the API spells it) and why.
public struct RolloutPlanError: Error, Sendable, Hashable, CustomStringConvertible {
    public let field: String
    public let reason: String

    init(_ field: String, _ reason: String) {
        self.field = field
        self.reason = reason
    }

    public var description: String { "\(field): \(reason)" }
}
