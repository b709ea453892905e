/// The aggregator's live neighborhood: the agents' newest state reports and the envelopes planned for them. The
/// state route writes the fleet board and answers from the envelope board; the planner reads the one and writes the
/// other. Both are in memory: an aggregator restart starts from empty boards, filled again within one report interval.
public struct NeighborhoodState: Sendable {
    public let fleet: FleetStateBoard
    public let envelopes: EnvelopeBoard

    public init(fleet: FleetStateBoard = .init(), envelopes: EnvelopeBoard = .init()) {
        self.fleet = fleet
        self.envelopes = envelopes
    }
}
