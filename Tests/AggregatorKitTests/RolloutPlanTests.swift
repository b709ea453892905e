import AggregatorKit
import Testing

@Suite("Rollout plan")
struct RolloutPlanTests {
    @Test("the canary first, then the rest in waves whose sizes differ by at most one and cover everyone", arguments: [
        (10, 1, 3, [1, 3, 3, 3]),
        (10, 1, 4, [1, 3, 2, 2, 2]),
        (20, 2, 3, [2, 6, 6, 6]),
        (21, 2, 4, [2, 5, 5, 5, 4]),
        (1_000, 10, 7, [10, 142, 142, 142, 141, 141, 141, 141]),
        (5, 2, 10, [2, 1, 1, 1]),  // more waves than agents left: one agent a wave
        (3, 3, 2, [3]),  // the canary is everyone
    ])
    func split(agents: Int, canary: Int, waves: Int, sizes: [Int]) throws {
        let plan = RolloutFixture.plan(agents: agents, canary: canary, waves: waves)
        #expect(plan.stages.map(\.count) == sizes)
        #expect(plan.stages.flatMap { $0 } == RolloutFixture.agents(agents))
        #expect(plan.stageName(0) == "canary")
        if plan.stages.count > 1 { #expect(plan.stageName(1) == "wave 1 of \(plan.stages.count - 1)") }
    }

    @Test("numbers outside their range are refused, naming the field", arguments: [
        (3, 0, 1, 0, 0, "canary"), (3, 4, 1, 0, 0, "canary"), (3, 1, 0, 0, 0, "waves"), (3, 1, 1_001, 0, 0, "waves"),
        (3, 1, 1, -1, 0, "soak_s"), (3, 1, 1, 700_000, 0, "soak_s"), (3, 1, 1, 0, 4, "max_failures"), (3, 1, 1, 0, -1, "max_failures"),
    ])
    func refused(agents: Int, canary: Int, waves: Int, soakS: Int64, maxFailures: Int, field: String) {
        let error = #expect(throws: RolloutPlanError.self) {
            try RolloutPlan(agents: RolloutFixture.agents(agents), canary: canary, waves: waves, soakMs: soakS * 1_000, maxFailures: maxFailures)
        }
        #expect(error?.field == field, "\(String(describing: error))")
    }

    @Test("no agents, or one agent twice, is refused")
    func badAgents() {
        #expect(throws: RolloutPlanError.self) { try RolloutPlan(agents: [], canary: 1, waves: 1, soakMs: 0, maxFailures: 0) }
        let twice = #expect(throws: RolloutPlanError.self) {
            try RolloutPlan(agents: ["a", "b", "a"], canary: 1, waves: 1, soakMs: 0, maxFailures: 0)
        }
        #expect(twice?.reason.contains("a is listed twice") == true)
    }
}
