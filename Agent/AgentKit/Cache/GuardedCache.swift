public import GridCore
public import Logging
import Synchronization

/// What became of a policy offered to the cache.
public enum PolicyAdoption: Sendable, Equatable {
    /// On disk: active now, the previous one kept as last-known-good.
    case stored
    /// In force, but the cache could not write it (full or unwritable disk): kept in memory and written once it can be.
    case deferred
    /// Not newer than a version already accepted (anti-rollback): nothing changed.
    case refused(reason: String)
}

/// The cache as the control loop uses it: no call throws. A failed write raises an alarm, is counted
/// by error label, and is retried on the next cycle; a failed read falls back to the last-known-good
/// policy, then to `ControlPolicy.builtInSafeDefaults`.
///
/// Its alarms reach the status file, the metrics and the event log through the control loop (`AlarmSource`); the
/// loop logs them when they are raised and when they clear, so a failure every cycle is not a log line every cycle.
public final class GuardedCache: Sendable {
    struct Health {
        /// Raised at open time (a file moved aside, memory only): they hold until a restart.
        var openingAlarms: [CacheAlarm]
        /// Raised by a failed operation; cleared once a write goes through again.
        var runtimeAlarms: [CacheAlarm.Code: CacheAlarm] = [:]
        var errorsByLabel: [String: Int] = [:]
        var pendingPolicy: CachedPolicy?
        var pendingEvents: [CacheEvent] = []
        var droppedEvents = 0
        /// Reports the cache refused to keep (full disk): written with the next cycle's state.
        var pendingReports: [PolicyReportRecord] = []
    }

    /// Events kept in memory while the cache refuses writes.
    static let pendingEventLimit = 256

    /// The cache underneath.
    public let cache: any AgentCache
    private let logger: Logger
    let health: Mutex<Health>

    /// Wraps `cache`; `openingAlarms` are the ones `SQLiteAgentCache.open` returned.
    public init(_ cache: any AgentCache, openingAlarms: [CacheAlarm] = [], logger: Logger) {
        self.cache = cache
        self.logger = logger
        self.health = Mutex(Health(openingAlarms: openingAlarms))
    }

    /// Opens the SQLite cache at `path` with every fallback of `SQLiteAgentCache.open`.
    public convenience init(path: String, eventLogCapacity: Int = CacheEvent.defaultLogCapacity, logger: Logger) {
        let (cache, alarms) = SQLiteAgentCache.open(path: path, eventLogCapacity: eventLogCapacity, logger: logger)
        self.init(cache, openingAlarms: alarms, logger: logger)
    }

    /// Alarms in force, opening alarms first.
    public var activeAlarms: [CacheAlarm] {
        health.withLock { h in h.openingAlarms + CacheAlarm.Code.allCases.compactMap { h.runtimeAlarms[$0] } }
    }

    /// Failed cache operations since start, by `CacheError.label` (for the metrics).
    public var errorCounts: [String: Int] { health.withLock { $0.errorsByLabel } }

    /// Events lost because the cache refused writes for longer than the pending buffer lasts.
    public var droppedEvents: Int { health.withLock { $0.droppedEvents } }

    /// The policy to regulate under: one waiting to be written (it is newer than anything stored), else the active
    /// one, else the last-known-good, else the built-in defaults.
    public func policyInForce() -> ControlPolicy {
        if let pending = health.withLock({ $0.pendingPolicy }) { return pending.policy }
        if let active = attempt({ () throws(CacheError) in try cache.activePolicy() }) ?? nil { return active.policy }
        if let good = attempt({ () throws(CacheError) in try cache.lastKnownGoodPolicy() }) ?? nil { return good.policy }
        return .builtInSafeDefaults
    }

    /// Offers a verified policy to the cache, whose `storePolicy` refuses a version that is not newer than every one it
    /// accepted. When the cache cannot write, the policy is in force from memory and written later, unless it is not
    /// newer than what the cache (still readable) or the waiting policy already holds.
    @discardableResult
    public func adoptPolicy(_ policy: ControlPolicy, bundleBytes: [UInt8], receivedAt: Timestamp) -> PolicyAdoption {
        let offered = CachedPolicy(policy: policy, bundleBytes: bundleBytes, receivedAt: receivedAt)
        if let waiting = health.withLock({ $0.pendingPolicy }), policy.version <= waiting.version {
            return .refused(reason: CacheError.policyRollback(offered: policy.version, highest: waiting.version).message)
        }
        do throws(CacheError) {
            try cache.storePolicy(policy, bundleBytes: bundleBytes, receivedAt: receivedAt)
            health.withLock { $0.pendingPolicy = nil }
            return .stored
        } catch where error.isPolicyRollback {
            return .refused(reason: error.message)
        } catch {
            record(error)
            if let highest = (try? cache.highestPolicyVersion()) ?? nil, policy.version <= highest {
                return .refused(reason: CacheError.policyRollback(offered: policy.version, highest: highest).message)
            }
            health.withLock { $0.pendingPolicy = offered }
            return .deferred
        }
    }

    /// The state saved before a restart, or nil (start cold) when there is none or it cannot be read.
    public func restoredCycleState() -> (CycleState, Timestamp)? {
        attempt { () throws(CacheError) in try cache.loadCycleState() } ?? nil
    }

    /// Saves this cycle's state, after retrying whatever earlier cycles could not write.
    /// Returns true when everything is on disk (and the runtime alarms are then cleared).
    @discardableResult
    public func saveCycleState(_ state: CycleState, at time: Timestamp) -> Bool {
        let (policy, events, reports) = health.withLock { h in
            defer { h.pendingPolicy = nil; h.pendingEvents = []; h.pendingReports = [] }
            return (h.pendingPolicy, h.pendingEvents, h.pendingReports)
        }
        if let policy { adoptPolicy(policy.policy, bundleBytes: policy.bundleBytes, receivedAt: policy.receivedAt) }
        for event in events { recordEvent(code: event.code, message: event.message, at: event.time) }
        for report in reports { keepReport(report.body, at: report.createdAt) }
        let saved = attempt { () throws(CacheError) in try cache.storeCycleState(state, at: time) } != nil
        health.withLock { h in
            if saved && h.pendingPolicy == nil && h.pendingEvents.isEmpty && h.pendingReports.isEmpty { h.runtimeAlarms = [:] }
        }
        return saved
    }

    /// Appends to the event log; kept in memory and retried when the cache refuses it.
    public func recordEvent(code: String, message: String, at time: Timestamp) {
        let stored = attempt { () throws(CacheError) in try cache.appendEvent(code: code, message: message, at: time) } != nil
        guard !stored else { return }
        health.withLock { h in
            h.pendingEvents.append(CacheEvent(sequence: 0, time: time, code: code, message: message))
            if h.pendingEvents.count > Self.pendingEventLimit {
                h.pendingEvents.removeFirst()
                h.droppedEvents += 1
            }
        }
    }

    /// The newest events, newest first; empty when the log cannot be read.
    public func recentEvents(limit: Int) -> [CacheEvent] {
        attempt { () throws(CacheError) in try cache.recentEvents(limit: limit) } ?? []
    }

    /// Runs one cache call; a failure becomes an alarm and a count, never a throw.
    func attempt<T>(_ body: () throws(CacheError) -> T) -> T? {
        do {
            return try body()
        } catch {
            record(error)
            return nil
        }
    }

    /// Counts a failure and raises its alarm. Logged at debug only: the alarm itself is logged when raised and cleared.
    private func record(_ error: CacheError) {
        health.withLock { h in
            h.errorsByLabel[error.label, default: 0] += 1
            if let code = error.alarmCode { h.runtimeAlarms[code] = CacheAlarm(code: code, message: error.message) }
        }
        logger.debug("cache operation failed", metadata: ["cache.error": "\(error.label)", "cache.detail": "\(error.message)"])
    }
}

extension GuardedCache: AlarmSource {
    public var alarmsInForce: [AgentStatus.Alarm] {
        activeAlarms.map { AgentStatus.Alarm(code: $0.code.rawValue, message: $0.message) }
    }
}
