import FoundationEssentials
public import GridCore
import Synchronization

/// Where the policy path's troubles stand, shared by the control loop (adoptions, refusals, probation) and the
/// fetcher (roots, bundles, reports): the alarms they raise, which the loop shows with its own, and the figures the
/// status file carries.
///
/// A refused policy is loud: `POLICY_REFUSED` is in force, naming the code, the field, the value and the range, from
/// the refusal until a valid policy is adopted, and survives a restart (the cache keeps it), since an unchanged bundle
/// is not fetched and checked again.
public final class PolicyWatch: Sendable {
    /// A refusal as the alarm shows it and the cache keeps it.
    struct Refusal: Sendable, Hashable, Codable {
        var message: String
        /// The file or URL the refused policy came from.
        var source: String
        var since: Timestamp
    }

    private struct State {
        var refusal: Refusal?
        /// Trust problems by alarm code (`TRUST_ROOT_REFUSED`, `TRUST_ROOT_EXPIRED`, `TRUST_ROOT_UNUSABLE`).
        var trust: [String: AgentStatus.Alarm] = [:]
        var status = PolicyPathStatus()
        /// The alarm codes in force after the loop's last cycle, for the health of a refusal's report.
        var alarmCodes: [String] = []
    }

    static let refusalRecord = "policy_refusal"

    private let cache: GuardedCache
    private let state: Mutex<State>
    /// Set when a report is kept, so that the fetcher posts it without waiting for its next interval.
    private let reportWaiting = Atomic<Bool>(false)

    /// Takes back a refusal that was in force before a restart.
    public init(cache: GuardedCache, trustConfigured: Bool) {
        self.cache = cache
        var initial = State()
        initial.status.signedPoliciesOnly = trustConfigured
        if let bytes = cache.record(named: Self.refusalRecord) {
            initial.refusal = try? JSONDecoder().decode(Refusal.self, from: Data(bytes))
        }
        state = Mutex(initial)
    }

    /// A policy was refused: `code` (a refusal code, when it has one) and the reason go into the alarm.
    public func refused(code: String?, reason: String, source: String, at time: Timestamp) {
        let refusal = Refusal(message: (code.map { "\($0): " } ?? "") + reason + " (from \(source))", source: source, since: time)
        state.withLock { $0.refusal = refusal }
        if let bytes = try? JSONEncoder().encode(refusal) { cache.storeRecord([UInt8](bytes), named: Self.refusalRecord) }
    }

    /// A valid policy was adopted: the refusal alarm clears.
    public func adopted() {
        guard state.withLock({ $0.refusal != nil }) else { return }
        clearRefusal()
    }

    /// The policy from `source` is valid now (a corrected local file whose version is not newer): a refusal of the
    /// same source clears.
    public func sourceIsValid(_ source: String) {
        guard state.withLock({ $0.refusal?.source == source }) else { return }
        clearRefusal()
    }

    private func clearRefusal() {
        state.withLock { $0.refusal = nil }
        cache.storeRecord(nil, named: Self.refusalRecord)
    }

    /// Raises (message) or clears (nil) one of the trust alarms.
    public func setTrustAlarm(_ code: String, _ message: String?) {
        state.withLock { s in
            if let message {
                s.trust[code] = AgentStatus.Alarm(code: code, message: message)
            } else {
                s.trust[code] = nil
            }
        }
    }

    /// Changes the figures the status file shows.
    public func updateStatus(_ change: (inout PolicyPathStatus) -> Void) {
        state.withLock { change(&$0.status) }
    }

    public var status: PolicyPathStatus { state.withLock { $0.status } }

    /// A report is waiting to be posted.
    func nudge() { reportWaiting.store(true, ordering: .relaxed) }

    /// True once after each `nudge()`.
    func takeNudge() -> Bool { reportWaiting.exchange(false, ordering: .relaxed) }

    /// The loop's alarms after each cycle (health for a refusal's report).
    func setAlarmCodes(_ codes: [String]) { state.withLock { $0.alarmCodes = codes } }

    var alarmCodes: [String] { state.withLock { $0.alarmCodes } }

    /// The refusal in force, if any ("CODE: reason (from SOURCE)").
    public var refusalMessage: String? { state.withLock { $0.refusal?.message } }
}

extension PolicyWatch: AlarmSource {
    public var alarmsInForce: [AgentStatus.Alarm] {
        state.withLock { s in
            var alarms = s.trust.values.sorted { $0.code < $1.code }
            if let refusal = s.refusal { alarms.append(AgentStatus.Alarm(code: "POLICY_REFUSED", message: refusal.message, since: refusal.since)) }
            return alarms
        }
    }
}

/// The signed-policy path in the status file (`policy_path`) and `v2g-agent status`.
public struct PolicyPathStatus: Sendable, Hashable, Codable {
    /// True with a `trust` section: only signed policies are taken.
    public var signedPoliciesOnly = false
    /// The trusted root's version and expiry (nil: none could be loaded).
    public var rootVersion: Int?
    public var rootExpires: Timestamp?
    /// What the last fetch found (`not_modified`, `no_bundle`, `accepted v8`, `refused UNSIGNED`, `network_timeout`, …).
    public var lastFetch: String?
    public var lastFetchAt: Timestamp?
    /// Reports not yet acknowledged by the aggregator.
    public var pendingReports = 0
    /// The policy on probation and when its window ends.
    public var probationVersion: Int?
    public var probationEndsAt: Timestamp?

    public init() {}

    enum CodingKeys: String, CodingKey {
        case signedPoliciesOnly = "signed_policies_only", rootVersion = "root_version", rootExpires = "root_expires"
        case lastFetch = "last_fetch", lastFetchAt = "last_fetch_at", pendingReports = "pending_reports"
        case probationVersion = "probation_version", probationEndsAt = "probation_ends_at"
    }
}
