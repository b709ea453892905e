public import GridCore
import Synchronization

/// The newest signed envelope per agent, put up by the planner each period and handed to the agent in the answer to
/// its next state report. An envelope past its `valid_until` is never handed out: the agent then runs on its own
/// policy, which is what should happen when the planner stops.
public final class EnvelopeBoard: Sendable {
    public struct Posted: Sendable, Hashable {
        public var agentID: String
        public var sequence: Int
        public var validUntil: Timestamp
        /// The DSSE envelope, exactly as signed.
        public var bytes: [UInt8]

        public init(agentID: String, sequence: Int, validUntil: Timestamp, bytes: [UInt8]) {
            self.agentID = agentID
            self.sequence = sequence
            self.validUntil = validUntil
            self.bytes = bytes
        }
    }

    private let posted = Mutex<[String: Posted]>([:])

    public init() {}

    /// Puts up one pass's envelopes and takes down every other agent's (a pass with no envelope for an agent means
    /// the agent runs autonomously from now).
    public func replace(with envelopes: [Posted]) {
        posted.withLock { all in
            all = Dictionary(envelopes.map { ($0.agentID, $0) }, uniquingKeysWith: { $0.sequence >= $1.sequence ? $0 : $1 })
        }
    }

    /// The envelope for `agentID` if it is still valid at `now`.
    public func current(for agentID: String, at now: Timestamp) -> Posted? {
        posted.withLock { all in
            guard let envelope = all[agentID], envelope.validUntil > now else { return nil }
            return envelope
        }
    }

    /// Every envelope still valid at `now`, by agent id.
    public func all(at now: Timestamp) -> [Posted] {
        posted.withLock { all in all.values.filter { $0.validUntil > now }.sorted { $0.agentID < $1.agentID } }
    }
}
