public import GridCore
public import MeshPlanner
import Synchronization

/// The planner's last pass, kept in memory for `GET /v1/plan`, the metrics and the dashboard: its plan, the sequence
/// and the envelopes it put up, or why it posted none.
public final class PlanBoard: Sendable {
    public struct Pass: Sendable {
        /// The planning time.
        public var at: Timestamp
        /// Passes since the planner started, this one included.
        public var number: Int
        /// nil when the pass failed before planning (the goals could not be read).
        public var plan: NeighborhoodPlan?
        /// The pass's envelope sequence; nil when it signed none.
        public var sequence: Int?
        /// What went up on the envelope board, by agent id.
        public var envelopes: [Envelope]
        /// Why the pass posted nothing, or (with envelopes) why some agents got none.
        public var failure: PlanningError?
        public var refused: [PlanningPass.Refusal]
        public var durationS: Double

        public init(
            at: Timestamp, number: Int, plan: NeighborhoodPlan?, sequence: Int?, envelopes: [Envelope], failure: PlanningError?,
            refused: [PlanningPass.Refusal] = [], durationS: Double
        ) {
            self.at = at
            self.number = number
            self.plan = plan
            self.sequence = sequence
            self.envelopes = envelopes
            self.failure = failure
            self.refused = refused
            self.durationS = durationS
        }
    }

    /// One envelope as posted (the bytes stay on the envelope board).
    public struct Envelope: Sendable, Hashable {
        public var agentID: String
        public var sequence: Int
        public var validUntil: Timestamp

        public init(_ posted: EnvelopeBoard.Posted) {
            agentID = posted.agentID
            sequence = posted.sequence
            validUntil = posted.validUntil
        }
    }

    private let state = Mutex<(last: Pass?, highestSequence: Int)>((nil, 0))

    public init() {}

    public func record(_ pass: Pass) {
        state.withLock { state in
            state.last = pass
            state.highestSequence = max(state.highestSequence, pass.sequence ?? 0)
        }
    }

    /// The last pass; nil before the first.
    public var lastPass: Pass? { state.withLock { $0.last } }

    /// The highest sequence this process issued: the floor of the next, whatever the goal store says.
    public var highestSequence: Int { state.withLock { $0.highestSequence } }
}
