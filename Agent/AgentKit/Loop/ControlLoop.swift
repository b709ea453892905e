public import GridCore
public import Logging

/// One agent's control loop: take a delivered policy, poll the field, run the pure cycle, write, remember, then judge
/// a policy on probation (docs/agent.md, "Policy: one way in"). It holds
/// no clock: `runCycle(now:)` is driven by `ControlLoopService` in the daemon and directly by tests.
///
/// Not Sendable: it blocks on Modbus and SQLite, so it lives on the control loop's own thread.
public final class ControlLoop {
    public let field: any FieldBus
    public let cache: GuardedCache
    /// Where new policies arrive; drained at the start of each cycle.
    public let inbox: PolicyInbox
    /// Where signed neighborhood envelopes arrive; nil: the agent always runs on its own policy.
    public let envelopes: EnvelopeInbox?
    public private(set) var policy: ControlPolicy
    public private(set) var state: CycleState
    public private(set) var lastOutcome: CycleOutcome?
    public private(set) var lastFieldAlarms: [FieldAlarm] = []
    public private(set) var lastInputs: CycleInputs?
    /// Parts outside the cycle whose alarms join the cycle's (the telemetry queue); the cache is always one.
    private let alarmSources: [any AlarmSource]
    /// Alarms in force after the last cycle, by code, so that the event log records changes, not every cycle.
    private var active: [String: AgentStatus.Alarm] = [:]
    /// The policy path's alarms and figures (refusals, probation); its alarms are among `alarmSources`.
    public let policyWatch: PolicyWatch
    /// The probation window for a newly adopted policy; nil: no probation (no `policy_fetch` section).
    var probationWindowS: Double?
    /// The newly adopted policy on probation, if any (kept in the cache, so a restart does not end it).
    var probation: PolicyProbation?
    /// Standing notices of the policy in force (not alarms): said once when the policy changes.
    public internal(set) var notices: [AgentStatus.Alarm] = []
    /// The policy the notices were worked out for.
    var noticedPolicy: ControlPolicy?
    let logger: Logger

    /// Resumes from the cache: the policy in force, a probation in progress and the last cycle state (so a restart,
    /// even offline, keeps the hot-spot estimate). Every charger is written afresh after a restart.
    public init(
        field: any FieldBus, cache: GuardedCache, inbox: PolicyInbox = PolicyInbox(), envelopes: EnvelopeInbox? = nil,
        alarmSources: [any AlarmSource] = [], policyWatch: PolicyWatch? = nil, logger: Logger
    ) {
        self.field = field
        self.cache = cache
        self.inbox = inbox
        self.envelopes = envelopes
        let watch = policyWatch ?? PolicyWatch(cache: cache, trustConfigured: false)
        self.policyWatch = watch
        self.alarmSources = [cache, watch] + alarmSources
        self.logger = logger
        policy = cache.policyInForce()
        var restored = cache.restoredCycleState()?.0 ?? CycleState()
        restored.written = [:]
        state = restored
        probation = restoredProbation()
    }

    /// The site's cycle period (from the agent config) wins over the policy's: protection's stale-data
    /// limit counts cycles, so it must count the cycles that really run.
    private var cyclePeriodOverrideS: Double?

    public func setCyclePeriod(_ seconds: Double) {
        cyclePeriodOverrideS = seconds
        policy.cyclePeriodS = seconds
    }

    /// Makes `policy` the one the next cycle runs under. Only `adoptDeliveries` calls it in the agent, after the cache
    /// has accepted the policy; tests call it to set a scene.
    func adopt(_ policy: ControlPolicy) {
        self.policy = policy
        if let cyclePeriodOverrideS { self.policy.cyclePeriodS = cyclePeriodOverrideS }
    }

    @discardableResult
    public func runCycle(now: Timestamp) -> CycleOutcome {
        adoptDeliveries(now: now)
        refreshNotices()
        var reading = field.poll(now: now)
        if let envelopes {
            let (envelope, events) = envelopes.envelopeForCycle(chargers: reading.inputs.chargers, now: now)
            reading.inputs.envelope = envelope
            for event in events { cache.recordEvent(code: event.code, message: event.message, at: now) }
        }
        lastInputs = reading.inputs
        var outcome = ControlCycle(policy: policy).run(state, inputs: reading.inputs, now: now)
        let result = field.write(outcome.writes, reversionTimeoutS: policy.write.reversionTimeoutS, now: now)
        for id in result.failedChargerIDs {
            // Not confirmed by read-back: forget it, so that it is written again next cycle.
            outcome.state.written[id] = nil
        }
        state = outcome.state
        lastOutcome = outcome
        lastFieldAlarms = reading.alarms + result.alarms
        _ = cache.saveCycleState(state, at: now)
        recordChanges(outcome, alarms: lastFieldAlarms, now: now)
        policyWatch.setAlarmCodes(activeAlarmCodes)
        // After the cycle and before the next: a revert, like an adoption, takes effect at a cycle boundary.
        judgeProbation(outcome, now: now)
        return outcome
    }

    /// Before the process stops: no charger is left discharging on the agent's word.
    public func shutDown(now: Timestamp) {
        let stops = (lastOutcome?.setpoints ?? []).filter { $0.activePowerKW < 0 }.map {
            ChargerSetpoint(chargerID: $0.chargerID, activePowerKW: 0, reactivePowerKvar: 0)
        }
        if !stops.isEmpty {
            _ = field.write(stops, reversionTimeoutS: policy.write.reversionTimeoutS, now: now)
        }
        cache.recordEvent(code: "AGENT_STOPPED", message: "graceful shutdown; \(stops.count) discharging chargers stopped", at: now)
    }

    /// Logs and records alarms when they appear and when they clear: the cycle's own, the field's and the sources'.
    private func recordChanges(_ outcome: CycleOutcome, alarms: [FieldAlarm], now: Timestamp) {
        var current: [String: String] = [:]
        for decision in outcome.decisions where Self.alarmSteps.contains(decision.step) && Self.isAlarm(decision.code) {
            current[decision.code] = decision.message
        }
        // Per-charger alarms from later steps are keyed like field alarms: one per charger, every point named.
        for decision in outcome.decisions where Self.chargerAlarmCodes.contains(decision.code) {
            let key = decision.chargerID.map { "\(decision.code):\($0)" } ?? decision.code
            current[key] = current[key].map { "\($0); \(decision.message)" } ?? decision.message
        }
        for alarm in alarms {
            let key = "\(alarm.code):\(alarm.device)"
            current[key] = current[key].map { "\($0); \(alarm.message)" } ?? alarm.message
        }
        for source in alarmSources {
            for alarm in source.alarmsInForce { current[alarm.code] = alarm.message }
        }
        for (code, message) in current.sorted(by: { $0.key < $1.key }) where active[code] == nil {
            logger.warning("alarm raised", metadata: ["alarm.code": "\(code)", "alarm.message": "\(message)"])
            if !Self.recordedBySource.contains(code) { cache.recordEvent(code: code, message: message, at: now) }
        }
        for code in active.keys.sorted() where current[code] == nil {
            logger.notice("alarm cleared", metadata: ["alarm.code": "\(code)"])
            cache.recordEvent(code: "CLEARED", message: code, at: now)
        }
        active = current.reduce(into: [:]) { next, entry in
            next[entry.key] = AgentStatus.Alarm(code: entry.key, message: entry.value, since: active[entry.key]?.since ?? now)
        }
    }

    /// Alarms in force after the last cycle, by code, each with the time it was raised.
    public var activeAlarms: [AgentStatus.Alarm] { active.values.sorted { $0.code < $1.code } }

    public var activeAlarmCodes: [String] { active.keys.sorted() }

    static let alarmSteps: Set<ControlStep> = [.protection, .thermal, .envelope]
    /// Decisions of the later steps that are alarms, one per charger: garbage on an EV's own points (SoC, battery
    /// temperature, V2G flag), the balancer's fallback, and a charger that does not do what it was told.
    static let chargerAlarmCodes: Set<String> = ["EV_DATA_INVALID", "BALANCING_FALLBACK", "SETPOINT_NOT_FOLLOWED"]
    /// Alarms whose source writes an event of the same code for every occurrence (each refused policy, each refused
    /// root): the raise is not written a second time.
    static let recordedBySource: Set<String> = ["POLICY_REFUSED", "TRUST_ROOT_REFUSED"]

    /// Informational codes are not alarms; `CLEARING_TIME_UNREACHABLE` is a standing notice of the policy (`notices`).
    static func isAlarm(_ code: String) -> Bool {
        !["AUTONOMOUS", "ENVELOPE_APPLIED", "AMBIENT_DEFAULT", ProtectionCode.clearingTimeUnreachable.rawValue].contains(code)
    }
}
