public import GridCore
import Synchronization

/// The cache in memory, with the same semantics as `SQLiteAgentCache`, anti-rollback included. It is what the agent
/// runs on when the disk cannot be used at all (nothing survives a restart then, and an alarm says so), so it is
/// production code, not a test double.
public final class InMemoryAgentCache: AgentCache {
    private struct Contents {
        var active: CachedPolicy?
        var lastKnownGood: CachedPolicy?
        var highestVersion: Int?
        var state: (CycleState, Timestamp)?
        var events: [CacheEvent] = []
        var nextSequence: Int64 = 1
        var reports: [PolicyReportRecord] = []
        var records: [String: [UInt8]] = [:]
    }

    /// How many events the log keeps.
    public let eventLogCapacity: Int
    private let contents: Mutex<Contents>

    public init(eventLogCapacity: Int = CacheEvent.defaultLogCapacity) {
        self.eventLogCapacity = max(1, eventLogCapacity)
        contents = Mutex(Contents())
    }

    /// A copy of what a file held (`SQLiteAgentCache.copyIntoMemory`), its anti-rollback mark included.
    init(
        eventLogCapacity: Int, active: CachedPolicy?, lastKnownGood: CachedPolicy?, highestPolicyVersion: Int?,
        cycleState: (CycleState, Timestamp)?, events: [CacheEvent], reports: [PolicyReportRecord] = [],
        records: [String: [UInt8]] = [:]
    ) {
        self.eventLogCapacity = max(1, eventLogCapacity)
        let versions = [active?.version, lastKnownGood?.version, highestPolicyVersion].compactMap { $0 }
        contents = Mutex(Contents(
            active: active, lastKnownGood: lastKnownGood, highestVersion: versions.max(), state: cycleState,
            events: Array(events.suffix(max(1, eventLogCapacity))), nextSequence: (events.last?.sequence ?? 0) + 1,
            reports: reports, records: records))
    }

    public func storePolicy(_ policy: ControlPolicy, bundleBytes: [UInt8], receivedAt: Timestamp) throws(CacheError) {
        let stored = CachedPolicy(policy: policy, bundleBytes: bundleBytes, receivedAt: receivedAt)
        let refusal: CacheError? = contents.withLock {
            if let highest = $0.highestVersion, policy.version <= highest {
                return .policyRollback(offered: policy.version, highest: highest)
            }
            if let active = $0.active { $0.lastKnownGood = active }
            $0.active = stored
            $0.highestVersion = policy.version
            return nil
        }
        if let refusal { throw refusal }
    }

    public func highestPolicyVersion() throws(CacheError) -> Int? { contents.withLock { $0.highestVersion } }

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

    public func dropActivePolicy() throws(CacheError) {
        contents.withLock { if $0.lastKnownGood == nil { $0.active = nil } }
    }

    public func enqueuePolicyReport(_ body: [UInt8], at time: Timestamp) throws(CacheError) {
        contents.withLock {
            let sequence = ($0.reports.last?.sequence ?? 0) + 1
            $0.reports.append(PolicyReportRecord(sequence: sequence, body: body, createdAt: time))
            if $0.reports.count > PolicyReportRecord.capacity { $0.reports.removeFirst($0.reports.count - PolicyReportRecord.capacity) }
        }
    }

    public func pendingPolicyReports(limit: Int) throws(CacheError) -> [PolicyReportRecord] {
        contents.withLock { Array($0.reports.prefix(max(0, limit))) }
    }

    public func removePolicyReport(sequence: Int64) throws(CacheError) {
        contents.withLock { $0.reports.removeAll { $0.sequence == sequence } }
    }

    public func record(named name: String) throws(CacheError) -> [UInt8]? { contents.withLock { $0.records[name] } }

    public func storeRecord(_ value: [UInt8]?, named name: String) throws(CacheError) {
        contents.withLock { $0.records[name] = value }
    }
}
