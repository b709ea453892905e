public import FoundationEssentials
import Telemetry

/// `GET /v1/fleet`: every agent the store knows, ordered by agent id (docs/aggregator.md).
public struct FleetResponse: Encodable, Sendable, Hashable {
    public var agents: [Agent]

    /// One agent's state.
    public struct Agent: Encodable, Sendable, Hashable {
        public var agentID: String
        /// When its newest batch was received, by the aggregator's clock (ms since the epoch).
        public var lastSeenMs: Int64
        public var highestSequence: UInt64
        public var acknowledgedThrough: UInt64
        public var batches: Int64
        /// The newest value of every channel, by channel name.
        public var latest: [String: LatestValue]
    }

    /// A channel's newest value, exact from its quanta (a JSON number with the channel's decimals at most).
    public struct LatestValue: Encodable, Sendable, Hashable {
        public var tMs: Int64
        public var value: Decimal
    }

    public init(_ fleet: [AgentFleetState]) {
        agents = fleet.map { state in
            Agent(
                agentID: state.agentID, lastSeenMs: state.lastSeenMs, highestSequence: state.highestSequence,
                acknowledgedThrough: state.acknowledgedThrough, batches: state.batches,
                latest: Dictionary(state.latest.map {
                    ($0.channel.name, LatestValue(tMs: $0.timeMs, value: $0.channel.quantum.decimal(ofQuanta: $0.quanta)))
                }, uniquingKeysWith: { first, _ in first }))
        }
    }
}
