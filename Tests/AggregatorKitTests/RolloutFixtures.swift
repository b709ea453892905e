import AggregatorKit

/// Fleets, plans and reports for the rollout tests; times are milliseconds from 0.
enum RolloutFixture {
    static let version = 7

    /// `tx-001`, `tx-002`, … (zero-padded so that the sorted order is the numeric order).
    static func agents(_ count: Int) -> [String] {
        (1...count).map { number in
            let digits = String(number)
            return "tx-" + String(repeating: "0", count: max(0, 3 - digits.count)) + digits
        }
    }

    static func plan(agents count: Int, canary: Int = 1, waves: Int = 3, soakS: Int64 = 60, maxFailures: Int = 0) -> RolloutPlan {
        // The fixtures' numbers are valid by construction.
        try! RolloutPlan(agents: agents(count), canary: canary, waves: waves, soakMs: soakS * 1_000, maxFailures: maxFailures)
    }

    static func start(_ plan: RolloutPlan, at nowMs: Int64 = 0) -> RolloutStateMachine {
        RolloutStateMachine.start(id: 1, version: version, plan: plan, by: "j.doe", nowMs: nowMs).0
    }

    static func applied(trips: Int = 0, safeStateS: Double = 0, alarms: [String] = []) -> PolicyReport {
        PolicyReport(version: version, result: .applied, health: AgentHealth(trips: trips, safeStateS: safeStateS, alarms: alarms))
    }

    static func rejected(_ code: String = "OUT_OF_RANGE", reason: String = "thermal.hot_spot_limit_c = 130 is outside 60…120") -> PolicyReport {
        PolicyReport(version: version, result: .rejected, code: code, reason: reason)
    }

    static func reverted(trips: Int = 1) -> PolicyReport {
        PolicyReport(version: version, result: .reverted, code: "PROBATION_TRIP", reason: "protection tripped 20 s after apply", health: AgentHealth(trips: trips))
    }
}

extension RolloutStateMachine {
    /// Every agent of the open stage fetches the bundle and reports `applied` (healthy) at `nowMs`.
    mutating func applyStage(at nowMs: Int64) throws -> [RolloutAction] {
        var actions: [RolloutAction] = []
        for agent in rollout.plan.stages[rollout.stage] {
            actions += fetched(by: agent, nowMs: nowMs)
            actions += try report(RolloutFixture.applied(), from: agent, nowMs: nowMs)
        }
        return actions
    }

    /// The agents the bundle is offered to now.
    var offered: [String] { rollout.agents.map(\.agentID).filter { offers($0) } }
}

extension [RolloutAction] {
    var withoutSaves: [RolloutAction] { filter { if case .save = $0 { false } else { true } } }
    var opened: [Int] { compactMap { if case .stageOpened(let stage, _) = $0 { stage } else { nil } } }
    var halted: Bool { contains { if case .halted = $0 { true } else { false } } }
}
