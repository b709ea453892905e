public import GridCore
import Synchronization

/// Policies waiting for the control loop. Anything may deliver one, from any task or thread: the policy file at start
/// (commissioning) and the fetcher of signed bundles. The loop takes them only between two cycles, so a cycle
/// never runs half under one policy and half under another, and it adopts one only after the cache has accepted it
/// (`AgentCache.storePolicy` refuses a version that is not newer: anti-rollback). There is no other way in.
public final class PolicyInbox: Sendable {
    /// One policy as delivered.
    public struct Delivery: Sendable, Hashable {
        public var policy: ControlPolicy
        /// The file or bundle exactly as received, kept with the policy in the cache.
        public var bundleBytes: [UInt8]
        public var receivedAt: Timestamp
        /// Where it came from, for the log and the event log (a file path, a URL).
        public var source: String
        /// Sent by the aggregator: what becomes of it is reported back (applied, rejected, reverted).
        public var reportable: Bool
        /// The entity tag it was fetched under, kept once the loop has dealt with it, so that an unchanged bundle is
        /// not fetched and checked again, even after a restart.
        public var etag: String?

        public init(
            policy: ControlPolicy, bundleBytes: [UInt8], receivedAt: Timestamp, source: String, reportable: Bool = false,
            etag: String? = nil
        ) {
            self.policy = policy
            self.bundleBytes = bundleBytes
            self.receivedAt = receivedAt
            self.source = source
            self.reportable = reportable
            self.etag = etag
        }
    }

    /// Deliveries kept until the loop's next drain; beyond this the oldest are dropped (a newer one supersedes them).
    public static let capacity = 8

    private let waiting = Mutex<[Delivery]>([])

    public init() {}

    public func deliver(_ delivery: Delivery) {
        waiting.withLock { waiting in
            waiting.append(delivery)
            if waiting.count > Self.capacity { waiting.removeFirst(waiting.count - Self.capacity) }
        }
    }

    /// Everything delivered since the last call, oldest first; only the control loop calls it, between cycles.
    func takeAll() -> [Delivery] {
        waiting.withLock { waiting in
            defer { waiting = [] }
            return waiting
        }
    }
}
