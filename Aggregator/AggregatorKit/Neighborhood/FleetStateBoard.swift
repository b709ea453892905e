public import GridCore
public import MeshPlanner
import Synchronization

/// The aggregator's live view of its transformers: the newest state report of each agent, kept in memory only (a
/// lost report is superseded by the next, about 2 s later; the archive is the batched telemetry). The planner takes
/// a snapshot of it each period; the API and the dashboard read it.
public final class FleetStateBoard: Sendable {
    /// One agent's newest report, as the planner reads it, and when it arrived.
    public struct Entry: Sendable, Hashable {
        public var report: TransformerReport
        /// The agent's own counter (from 1 at each start).
        public var sequence: Int
        /// When the aggregator received it (the aggregator's clock).
        public var receivedAt: Timestamp
        /// The agent's mode that cycle (`regulating`, `ceased`, …); nil when not known.
        public var mode: CycleOutcome.Mode?
        /// The envelope the agent's cycle ran under; nil when none was applied.
        public var envelopeSequence: Int?

        public init(
            report: TransformerReport, sequence: Int, receivedAt: Timestamp, mode: CycleOutcome.Mode? = nil, envelopeSequence: Int? = nil
        ) {
            self.report = report
            self.sequence = sequence
            self.receivedAt = receivedAt
            self.mode = mode
            self.envelopeSequence = envelopeSequence
        }

        /// How old the report is at `now` on the aggregator's clock: now − the agent's report time.
        public func ageS(at now: Timestamp) -> Double { now - report.reportTime }
    }

    public enum RecordOutcome: Sendable, Hashable {
        case accepted
        /// An older report that arrived after a newer one: dropped.
        case superseded
    }

    private let board = Mutex<[String: Entry]>([:])

    public init() {}

    /// Keeps `entry` unless the board already holds a newer report of the same agent: newer means a later
    /// `report_time`, or the same time and a higher sequence. The report time, not the sequence alone, orders them
    /// because an agent's sequence starts again from 1 when it restarts.
    @discardableResult
    public func record(_ entry: Entry) -> RecordOutcome {
        board.withLock { all in
            if let held = all[entry.report.id] {
                let older = entry.report.reportTime < held.report.reportTime
                    || (entry.report.reportTime == held.report.reportTime && entry.sequence <= held.sequence)
                if older { return .superseded }
            }
            all[entry.report.id] = entry
            return .accepted
        }
    }

    /// Every agent's newest entry, by agent id.
    public func entries() -> [Entry] {
        board.withLock { all in all.values.sorted { $0.report.id < $1.report.id } }
    }

    /// One agent's newest entry.
    public func entry(for agentID: String) -> Entry? {
        board.withLock { $0[agentID] }
    }

    /// The planner's input at `now`: every agent's newest report (stale ones included; the planner leaves them out
    /// and says so).
    public func snapshot(at now: Timestamp) -> NeighborhoodSnapshot {
        NeighborhoodSnapshot(time: now, transformers: entries().map(\.report))
    }

    /// The age of the oldest report held, at `now`; nil with none.
    public func oldestReportAgeS(at now: Timestamp) -> Double? {
        entries().map { $0.ageS(at: now) }.max()
    }

    /// Forgets an agent (its certificate was revoked, or an operator removed it).
    public func remove(_ agentID: String) {
        _ = board.withLock { $0.removeValue(forKey: agentID) }
    }
}
