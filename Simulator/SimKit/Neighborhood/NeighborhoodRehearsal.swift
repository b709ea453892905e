internal import FoundationEssentials
public import GridCore

/// A neighborhood played twice in process, to the same end: with no agents, then with every transformer's agent
/// cycle under one policy, each autonomous (no aggregator, no envelope).
public struct NeighborhoodRehearsal: Sendable {
    public let neighborhood: Neighborhood
    public let policy: ControlPolicy
    public let end: Timestamp
    public private(set) var baseline: NeighborhoodFigures?
    public private(set) var agents: NeighborhoodFigures?
    /// Simulated seconds each agent spent in each mode, by transformer id.
    public private(set) var agentModeSeconds: [String: [CycleOutcome.Mode: Double]] = [:]

    /// `end` nil: the last departure of any transformer, so that every session is judged on the energy it left with.
    public init(neighborhood: Neighborhood, policy: ControlPolicy, until end: Timestamp? = nil) {
        self.neighborhood = neighborhood
        self.policy = policy
        self.end = end ?? neighborhood.lastDeparture
    }

    public mutating func run() async {
        var without = NeighborhoodLoop(neighborhood: neighborhood, policy: nil)
        await without.run(until: end)
        baseline = without.figures
        var with = NeighborhoodLoop(neighborhood: neighborhood, policy: policy)
        await with.run(until: end)
        agents = with.figures
        agentModeSeconds = with.modeSeconds
    }

    /// `{"baseline": M, "agent": M}`, M a `NeighborhoodFigures`, keys sorted.
    public func json() throws -> [UInt8] {
        struct Both: Encodable { var baseline: NeighborhoodFigures?; var agent: NeighborhoodFigures? }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return [UInt8](try encoder.encode(Both(baseline: baseline, agent: agents)))
    }
}
