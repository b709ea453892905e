public import GridCore
import Synchronization

/// The signed-policy path's calls, never throwing: a revert, the reports waiting for the aggregator, named records.
extension GuardedCache {
    /// Reverts to the policy in force before the active one: the last-known-good, else (none kept) the built-in
    /// defaults. Returns the policy now in force; the anti-rollback mark stays, so the reverted version never returns.
    /// A cache that cannot be written still reverts the policy in force (a restart would then bring the reverted one
    /// back, on probation again: the alarm says the cache is failing).
    public func revertPolicy() -> ControlPolicy {
        let good = attempt { () throws(CacheError) in try cache.lastKnownGoodPolicy() } ?? nil
        if good != nil {
            _ = attempt { () throws(CacheError) in try cache.revertToLastKnownGood() }
        } else {
            _ = attempt { () throws(CacheError) in try cache.dropActivePolicy() }
        }
        return good?.policy ?? .builtInSafeDefaults
    }

    /// Keeps a report for the aggregator until it is acknowledged; on a full disk, in memory until it can be written.
    public func keepReport(_ body: [UInt8], at time: Timestamp) {
        let kept = attempt { () throws(CacheError) in try cache.enqueuePolicyReport(body, at: time) } != nil
        guard !kept else { return }
        health.withLock { h in
            h.pendingReports.append(PolicyReportRecord(sequence: 0, body: body, createdAt: time))
            if h.pendingReports.count > PolicyReportRecord.capacity { h.pendingReports.removeFirst() }
        }
    }

    /// Reports waiting for the aggregator, oldest first (those held in memory are not among them until written).
    public func pendingReports(limit: Int) -> [PolicyReportRecord] {
        attempt { () throws(CacheError) in try cache.pendingPolicyReports(limit: limit) } ?? []
    }

    /// An acknowledged report leaves the cache. False when it could not be removed (it is sent again: the aggregator
    /// takes a report twice without harm).
    @discardableResult
    public func removeReport(sequence: Int64) -> Bool {
        attempt { () throws(CacheError) in try cache.removePolicyReport(sequence: sequence) } != nil
    }

    /// A named record, nil when absent or unreadable.
    public func record(named name: String) -> [UInt8]? {
        attempt { () throws(CacheError) in try cache.record(named: name) } ?? nil
    }

    /// Stores (nil: deletes) a named record; false when the cache refused it.
    @discardableResult
    public func storeRecord(_ value: [UInt8]?, named name: String) -> Bool {
        attempt { () throws(CacheError) in try cache.storeRecord(value, named: name) } != nil
    }

    /// The version a new policy must exceed: the highest the cache ever accepted, or one waiting to be written; 0 when
    /// none (or when the cache cannot be read: it still refuses a rollback itself when it stores).
    public func highestPolicyVersion() -> Int {
        let waiting = health.withLock { $0.pendingPolicy?.version } ?? 0
        let stored = attempt { () throws(CacheError) in try cache.highestPolicyVersion() } ?? nil
        return max(waiting, stored ?? 0)
    }

    /// The bundle the active policy came in, as received; nil on the built-in defaults.
    public func activeBundle() -> [UInt8]? {
        (attempt { () throws(CacheError) in try cache.activePolicy() } ?? nil)?.bundleBytes
    }
}
