public import GridCore
import FoundationEssentials

/// The aggregator's live neighborhood: the agents' newest state reports and the envelopes planned for them. The
/// state route writes the fleet board and answers from the envelope board; the planner reads the one and writes the
/// other. Both are in memory: an aggregator restart starts from empty boards, filled again within one report interval.
public struct NeighborhoodState: Sendable {
    public let fleet: FleetStateBoard
    public let envelopes: EnvelopeBoard
    /// The neighborhood's time: the wall clock, or a simulation's (`serve --sim-clock`) so that report times, receipt
    /// times and envelope validity are all on the clock the agents run on.
    public let now: @Sendable () -> Timestamp

    public init(
        fleet: FleetStateBoard = .init(), envelopes: EnvelopeBoard = .init(),
        now: @escaping @Sendable () -> Timestamp = NeighborhoodState.wallClock
    ) {
        self.fleet = fleet
        self.envelopes = envelopes
        self.now = now
    }

    public static let wallClock: @Sendable () -> Timestamp = { Timestamp(secondsSinceEpoch: Date().timeIntervalSince1970) }
}
