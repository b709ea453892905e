internal import FoundationEssentials
public import GridCore

/// A scenario played twice in process, without an agent (every EV charges at its request) and with the agent's
/// control cycle under a policy, to the same end: what an operator tries before rolling a policy out.
public struct Rehearsal: Sendable {
    public let scenario: Scenario
    public let policy: ControlPolicy
    public let end: Timestamp
    /// Days of this feeder without EVs the agent has already measured when the night starts (its load history,
    /// the planner's forecast); 0 is an agent's first night, planned on persistence.
    public let historyDays: Int
    public private(set) var baseline: RunFigures?
    public private(set) var agent: RunFigures?
    /// Simulated seconds the agent spent in each mode (regulating, safe state, ceased).
    public private(set) var agentModeSeconds: [CycleOutcome.Mode: Double] = [:]

    /// `end` nil: the last departure, so that every session is judged on the energy it left with.
    public init(scenario: Scenario, policy: ControlPolicy, until end: Timestamp? = nil, historyDays: Int = 0) {
        self.scenario = scenario
        self.policy = policy
        self.end = end ?? scenario.lastDeparture
        self.historyDays = max(historyDays, 0)
    }

    /// Plays both runs.
    public mutating func run() {
        var without = InProcessLoop(scenario: scenario, policy: nil)
        without.run(until: end)
        baseline = RunFigures(simulation: without.simulation)
        var with = InProcessLoop(scenario: scenario, policy: policy, state: learnedState())
        with.run(until: end)
        agent = RunFigures(simulation: with.simulation)
        agentModeSeconds = with.modeSeconds
    }

    /// The agent's memory after `historyDays` earlier days: the same feeder and hours, no EVs, and each day's
    /// household load drawn with its own seed, so yesterday resembles today without repeating it.
    func learnedState() -> CycleState {
        var state = CycleState()
        for day in 0..<historyDays {
            var earlier = scenario
            earlier.seed = scenario.seed &+ UInt64(day + 1)
            earlier.sessionGenerator = nil
            for index in earlier.chargers.indices { earlier.chargers[index].sessions = [] }
            var memory = CycleState()
            memory.loadHistory = state.loadHistory
            var loop = InProcessLoop(scenario: earlier, policy: policy, state: memory)
            loop.run(until: end)
            state.loadHistory = loop.state.loadHistory
        }
        return state
    }

    /// `{"baseline": M, "agent": M}`, keys sorted.
    public func json() throws -> [UInt8] {
        struct Both: Encodable { var baseline: RunFigures?; var agent: RunFigures? }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return [UInt8](try encoder.encode(Both(baseline: baseline, agent: agent)))
    }
}
