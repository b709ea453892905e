public import GridCore
import Synchronization

/// The cache in memory, with the same semantics as `SQLiteAgentCache`: for tests, and the fallback
/// when the disk cannot be used at all (nothing survives a restart then, and an alarm says so).
public final class InMemoryAgentCache: AgentCache {
    private struct Contents {
        var active: CachedPolicy?
        var lastKnownGood: CachedPolicy?
        var state: (CycleState, Timestamp)?
        var events: [CacheEvent] = []
        var nextSequence: Int64 = 1
    }

    /// How many events the log keeps.
    public let eventLogCapacity: Int
    private let contents = Mutex(Contents())

    public init(eventLogCapacity: Int = CacheEvent.defaultLogCapacity) {
        self.eventLogCapacity = max(1, eventLogCapacity)
    }

    public func storePolicy(_ policy: ControlPolicy, bundleBytes: [UInt8], receivedAt: Timestamp) throws(CacheError) {
        let stored = CachedPolicy(policy: policy, bundleBytes: bundleBytes, receivedAt: receivedAt)
        contents.withLock {
            if let active = $0.active, active.version != policy.version { $0.lastKnownGood = active }
            $0.active = stored
        }
    }

    public func activePolicy() throws(CacheError) -> CachedPolicy? { contents.withLock { $0.active } }

    public func lastKnownGoodPolicy() throws(CacheError) -> CachedPolicy? { contents.withLock { $0.lastKnownGood } }

    @discardableResult
    public func revertToLastKnownGood() throws(CacheError) -> CachedPolicy? {
        contents.withLock {
            guard let good = $0.lastKnownGood else { return nil }
            $0.active = good
            $0.lastKnownGood = nil
            return good
        }
    }

    public func storeCycleState(_ state: CycleState, at time: Timestamp) throws(CacheError) {
        contents.withLock { $0.state = (state, time) }
    }

    public func loadCycleState() throws(CacheError) -> (CycleState, Timestamp)? { contents.withLock { $0.state } }

    public func appendEvent(code: String, message: String, at time: Timestamp) throws(CacheError) {
        let capacity = eventLogCapacity
        contents.withLock {
            $0.events.append(CacheEvent(sequence: $0.nextSequence, time: time, code: code, message: String(message.prefix(1_000))))
            $0.nextSequence += 1
            // Trim in batches so that appending stays O(1) amortised.
            if $0.events.count > capacity + capacity / 8 { $0.events.removeFirst($0.events.count - capacity) }
        }
    }

    public func recentEvents(limit: Int) throws(CacheError) -> [CacheEvent] {
        let count = min(max(0, limit), eventLogCapacity)
        return contents.withLock { Array($0.events.suffix(count).reversed()) }
    }
}
