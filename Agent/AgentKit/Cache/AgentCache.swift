public import GridCore

/// The agent's non-volatile memory: the policy it regulates under, the cycle state that must survive a
/// reboot (the hot-spot estimate above all), and a bounded event log. It is what keeps the agent
/// regulating with no network, and after a reboot while offline (docs/control-cycle.md, step 3).
///
/// `SQLiteAgentCache` is the real store; `InMemoryAgentCache` is the fallback when the disk cannot be used at all.
/// The agent itself goes through `GuardedCache`, which never throws.
///
/// Anti-rollback lives here, in every implementation, so that no caller can get around it: a policy is stored only
/// if its version is above every version the cache has ever accepted (a revert to the last-known-good does not lower
/// that mark, so the policy reverted from cannot come back under its old version).
public protocol AgentCache: Sendable {
    /// Makes `policy` the active one; the previous active policy becomes the last-known-good, atomically.
    /// A version lower than or equal to `highestPolicyVersion()` is refused with `CacheError.isPolicyRollback`,
    /// and nothing changes.
    func storePolicy(_ policy: ControlPolicy, bundleBytes: [UInt8], receivedAt: Timestamp) throws(CacheError)
    /// The highest policy version ever stored (the anti-rollback mark), or nil when none was.
    func highestPolicyVersion() throws(CacheError) -> Int?
    /// The policy in force, or nil when none was ever stored.
    func activePolicy() throws(CacheError) -> CachedPolicy?
    /// The policy that was active before the current one, or nil.
    func lastKnownGoodPolicy() throws(CacheError) -> CachedPolicy?
    /// Reinstates the last-known-good as active and forgets the policy it replaces (known bad).
    /// Returns the reinstated policy; nil (and nothing changed) when there is no last-known-good.
    @discardableResult
    func revertToLastKnownGood() throws(CacheError) -> CachedPolicy?
    /// Forgets the active policy when there is no last-known-good to revert to, so that the built-in defaults apply
    /// again (what was in force before it); the anti-rollback mark stays.
    func dropActivePolicy() throws(CacheError)

    /// Saves the cycle state; called every cycle, so it must stay cheap.
    func storeCycleState(_ state: CycleState, at time: Timestamp) throws(CacheError)
    /// The last saved cycle state and when it was saved, or nil when none was saved.
    func loadCycleState() throws(CacheError) -> (CycleState, Timestamp)?

    /// Appends to the event log, dropping the oldest events beyond the log's bound.
    func appendEvent(code: String, message: String, at time: Timestamp) throws(CacheError)
    /// The newest `limit` events, newest first.
    func recentEvents(limit: Int) throws(CacheError) -> [CacheEvent]

    /// Keeps a report for the aggregator until it is acknowledged (`removePolicyReport`); beyond
    /// `PolicyReportRecord.capacity` the oldest is dropped.
    func enqueuePolicyReport(_ body: [UInt8], at time: Timestamp) throws(CacheError)
    /// Reports not yet acknowledged, oldest first.
    func pendingPolicyReports(limit: Int) throws(CacheError) -> [PolicyReportRecord]
    func removePolicyReport(sequence: Int64) throws(CacheError)

    /// A small named record of the policy path that must survive a restart (the trusted root, the bundle's entity
    /// tag, the probation in progress); nil when never stored.
    func record(named name: String) throws(CacheError) -> [UInt8]?
    /// Stores (or, with nil, deletes) a named record.
    func storeRecord(_ value: [UInt8]?, named name: String) throws(CacheError)
}

/// A policy report waiting for the aggregator's acknowledgement.
public struct PolicyReportRecord: Sendable, Hashable {
    /// Increases by one per report over the life of the cache.
    public var sequence: Int64
    /// The JSON body, exactly as it will be posted.
    public var body: [UInt8]
    public var createdAt: Timestamp

    /// Reports kept at most; one is made per policy change, so this is years of them.
    public static let capacity = 1_000

    public init(sequence: Int64, body: [UInt8], createdAt: Timestamp) {
        self.sequence = sequence
        self.body = body
        self.createdAt = createdAt
    }
}

/// A policy as the cache holds it: the decoded policy and the signed bundle it came in.
public struct CachedPolicy: Sendable, Hashable {
    public var policy: ControlPolicy
    /// The bundle exactly as received, kept so that its signatures can be checked again or shown.
    public var bundleBytes: [UInt8]
    public var receivedAt: Timestamp

    public init(policy: ControlPolicy, bundleBytes: [UInt8], receivedAt: Timestamp) {
        self.policy = policy
        self.bundleBytes = bundleBytes
        self.receivedAt = receivedAt
    }

    public var version: Int { policy.version }
}

/// One entry of the event log.
public struct CacheEvent: Sendable, Hashable, Codable {
    /// Increases by one per event over the life of the cache.
    public var sequence: Int64
    public var time: Timestamp
    /// A stable code (`TRIP_OV2`, `CACHE_FULL`, `POLICY_ADOPTED`, …).
    public var code: String
    public var message: String

    /// How many events the log keeps by default: about three hours of one event per second.
    public static let defaultLogCapacity = 10_000

    public init(sequence: Int64, time: Timestamp, code: String, message: String) {
        self.sequence = sequence
        self.time = time
        self.code = code
        self.message = message
    }
}
