public import GridCore
public import MeshPlanner
import Synchronization

/// The newest state report, written by the control loop after each cycle and taken by the reporter. Only the newest
/// is kept: a report not sent before the next cycle is superseded, never queued.
public final class StateReportBoard: Sendable {
    public let agentID: String
    private let state = Mutex<(sequence: Int, latest: StateReportDocument?)>((0, nil))

    public init(agentID: String) { self.agentID = agentID }

    /// Builds the cycle's report (pure) and puts it up in place of the last one.
    public func record(inputs: CycleInputs, outcome: CycleOutcome, policy: ControlPolicy, now: Timestamp) {
        state.withLock { state in
            state.sequence += 1
            state.latest = StateReportDocument(
                agentID: agentID, sequence: state.sequence, now: now, inputs: inputs, outcome: outcome, policy: policy)
        }
    }

    /// The newest report not taken yet; nil when no cycle ran since the last take (a stalled loop sends nothing, so
    /// the aggregator sees its state go stale instead of a repeated old one).
    public func take() -> StateReportDocument? {
        state.withLock { state in
            defer { state.latest = nil }
            return state.latest
        }
    }
}
