public import GridCore
public import Logging

/// One agent's control loop: poll the field, run the pure cycle, write, remember. It holds no clock:
/// `runCycle(now:)` is driven by `ControlLoopService` in the daemon and directly by tests.
public final class ControlLoop {
    public let field: any FieldBus
    public let cache: GuardedCache
    public private(set) var policy: ControlPolicy
    public private(set) var state: CycleState
    public private(set) var lastOutcome: CycleOutcome?
    public private(set) var lastFieldAlarms: [FieldAlarm] = []
    public private(set) var lastInputs: CycleInputs?
    /// Codes active after the last cycle, so that the event log records changes, not every cycle.
    private var activeCodes: Set<String> = []
    private let logger: Logger

    /// Resumes from the cache: the policy in force and the last cycle state (so a restart, even offline,
    /// keeps the hot-spot estimate). Every charger is written afresh after a restart.
    public init(field: any FieldBus, cache: GuardedCache, logger: Logger) {
        self.field = field
        self.cache = cache
        self.logger = logger
        policy = cache.policyInForce()
        var restored = cache.restoredCycleState()?.0 ?? CycleState()
        restored.written = [:]
        state = restored
    }

    /// The site's cycle period (from the agent config) wins over the policy's: protection's stale-data
    /// limit counts cycles, so it must count the cycles that really run.
    private var cyclePeriodOverrideS: Double?

    public func setCyclePeriod(_ seconds: Double) {
        cyclePeriodOverrideS = seconds
        policy.cyclePeriodS = seconds
    }

    /// Adopts a new policy (already verified and stored by the caller).
    public func adopt(_ policy: ControlPolicy) {
        self.policy = policy
        if let cyclePeriodOverrideS { self.policy.cyclePeriodS = cyclePeriodOverrideS }
    }

    @discardableResult
    public func runCycle(now: Timestamp) -> CycleOutcome {
        let reading = field.poll(now: now)
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

    /// Logs and records alarms when they appear and when they clear.
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
        for (code, message) in current where !activeCodes.contains(code) {
            logger.warning("alarm raised", metadata: ["alarm.code": "\(code)", "alarm.message": "\(message)"])
            cache.recordEvent(code: code, message: message, at: now)
        }
        for code in activeCodes where current[code] == nil {
            logger.info("alarm cleared", metadata: ["alarm.code": "\(code)"])
            cache.recordEvent(code: "CLEARED", message: code, at: now)
        }
        activeCodes = Set(current.keys)
    }

    public var activeAlarmCodes: [String] { activeCodes.sorted() }

    static let alarmSteps: Set<ControlStep> = [.protection, .thermal, .envelope]

    /// Decisions of the balancing step that are alarms: garbage on an EV's own points (SoC, battery temperature,
    /// V2G flag) and the balancer's fallback.
    static let chargerAlarmCodes: Set<String> = ["EV_DATA_INVALID", "BALANCING_FALLBACK"]

    /// Informational codes are not alarms.
    static func isAlarm(_ code: String) -> Bool {
        !["AUTONOMOUS", "ENVELOPE_APPLIED", "AMBIENT_DEFAULT"].contains(code)
    }
}
