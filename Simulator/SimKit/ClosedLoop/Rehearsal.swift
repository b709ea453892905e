internal import FoundationEssentials
public import GridCore

/// A scenario played twice in process, without an agent (every EV charges at its request) and with the agent's
/// control cycle under a policy, to the same end: what an operator tries before rolling a policy out.
public struct Rehearsal: Sendable {
    public let scenario: Scenario
    public let policy: ControlPolicy
    public let end: Timestamp
    public private(set) var baseline: RunFigures?
    public private(set) var agent: RunFigures?
    /// Simulated seconds the agent spent in each mode (regulating, safe state, ceased).
    public private(set) var agentModeSeconds: [CycleOutcome.Mode: Double] = [:]

    /// `end` nil: the last departure, so that every session is judged on the energy it left with.
    public init(scenario: Scenario, policy: ControlPolicy, until end: Timestamp? = nil) {
        self.scenario = scenario
        self.policy = policy
        self.end = end ?? scenario.lastDeparture
    }

    /// Plays both runs.
    public mutating func run() {
        var without = InProcessLoop(scenario: scenario, policy: nil)
        without.run(until: end)
        baseline = RunFigures(simulation: without.simulation)
        var with = InProcessLoop(scenario: scenario, policy: policy)
        with.run(until: end)
        agent = RunFigures(simulation: with.simulation)
        agentModeSeconds = with.modeSeconds
    }

    /// `{"baseline": M, "agent": M}`, keys sorted.
    public func json() throws -> [UInt8] {
        struct Both: Encodable { var baseline: RunFigures?; var agent: RunFigures? }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return [UInt8](try encoder.encode(Both(baseline: baseline, agent: agent)))
    }
}
