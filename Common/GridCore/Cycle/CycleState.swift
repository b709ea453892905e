/// What the cycle remembers between runs. It is cached with the policy so that a restart,
/// even while offline, resumes with the same hot-spot estimate and filters.
public struct CycleState: Sendable, Hashable, Codable {
    public var protection: ProtectionState
    public var thermal: ThermalState?
    public var lastRunAt: Timestamp?
    public var vRef: PerPhase<AutonomousVRef>?
    /// Open-loop responses (IEEE 1547.1 Tr) of each phase's curve outputs.
    public var reactiveResponse: PerPhase<OpenLoopResponse>?
    public var dischargeLimitResponse: PerPhase<OpenLoopResponse>?
    public var chargeLimitResponse: PerPhase<OpenLoopResponse>?
    public var droopResponse: OpenLoopResponse?
    /// Last setpoint written to each charger, and when.
    public var written: [String: WrittenSetpoint]
    /// Whether each charger follows what was written (SETPOINT_NOT_FOLLOWED); nil in caches from before.
    public var setpointWatch: [String: SetpointWatch]?
    /// The transformer's load at the last cycle whose meter was trusted: what the safe state runs the thermal
    /// model forward with.
    public var trustedLoad: TrustedLoad?
    /// The non-EV load by time of day: the planner's forecast.
    public var loadHistory: LoadHistory?
    /// When each charger's EV was first seen, for the default dwell of EVs that report no departure.
    public var pluggedAt: [String: Timestamp]?
    /// The horizon plan in force. Not cached: after a restart the first cycle plans afresh.
    public var horizon: HorizonState?

    public init() {
        protection = ProtectionState()
        written = [:]
    }

    enum CodingKeys: String, CodingKey {
        case protection, thermal, lastRunAt = "last_run_at", vRef = "v_ref", reactiveResponse = "reactive_response"
        case dischargeLimitResponse = "discharge_limit_response", chargeLimitResponse = "charge_limit_response"
        case droopResponse = "droop_response", written, setpointWatch = "setpoint_watch", trustedLoad = "trusted_load"
        case loadHistory = "load_history", pluggedAt = "plugged_at"
    }
}

/// The plan in force and what it was made from, to tell when to plan again.
public struct HorizonState: Sendable, Hashable {
    public var plan: HorizonPlan
    public var madeAt: Timestamp
    /// The non-EV load per phase when the plan was made (its forecast for the first step).
    public var forecastKW: PerPhase<Double>
    /// Each planned EV's charger and the departure it was planned for.
    public var departures: [String: Timestamp]

    public init(plan: HorizonPlan, madeAt: Timestamp, forecastKW: PerPhase<Double>, departures: [String: Timestamp]) {
        self.plan = plan
        self.madeAt = madeAt
        self.forecastKW = forecastKW
        self.departures = departures
    }
}

public struct WrittenSetpoint: Sendable, Hashable, Codable {
    public var setpoint: ChargerSetpoint
    public var at: Timestamp

    public init(setpoint: ChargerSetpoint, at: Timestamp) {
        self.setpoint = setpoint
        self.at = at
    }
}

/// Everything measured for one cycle.
public struct CycleInputs: Sendable, Hashable, Codable {
    /// nil when the meter did not answer.
    public var meter: MeterReading?
    public var ambientC: Double?
    /// From a top-oil sensor, where one exists.
    public var topOilC: Double?
    public var chargers: [ChargerState]
    /// The aggregator's envelope; the cycle checks its freshness. No signature is checked here: the agent sets it
    /// only from a verified envelope (see `Envelope`).
    public var envelope: Envelope?

    public init(
        meter: MeterReading?, ambientC: Double? = nil, topOilC: Double? = nil, chargers: [ChargerState],
        envelope: Envelope? = nil
    ) {
        self.meter = meter
        self.ambientC = ambientC
        self.topOilC = topOilC
        self.chargers = chargers
        self.envelope = envelope
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case meter, ambientC = "ambient_c", topOilC = "top_oil_c", chargers, envelope
    }
}

/// The result of one cycle: the setpoints, what to write, the next state and every decision with its reason.
public struct CycleOutcome: Sendable, Hashable {
    public enum Mode: String, Sendable, Hashable, Codable {
        /// All steps ran.
        case regulating
        /// Bad or missing data: discharge 0, charging held at the fallback limit.
        case safeState = "safe_state"
        /// A trip: every charger stopped until the enter-service conditions hold.
        case ceased
        /// Momentary cessation (voltage in a region where output must stop): every charger stopped, no trip,
        /// back to regulating as soon as the voltage leaves that region.
        case momentaryCessation = "momentary_cessation"
    }

    public var mode: Mode
    /// What every charger is commanded to do after this cycle, in input order.
    public var setpoints: [ChargerSetpoint]
    /// The subset that must be written now (changed beyond the deadband, a stop, or a reversion refresh).
    public var writes: [ChargerSetpoint]
    public var state: CycleState
    public var decisions: [Decision]
    public var figures: CycleFigures
}

/// Figures operators and tests read: before (measured) and after (predicted by the plan).
public struct CycleFigures: Sendable, Hashable, Codable {
    public var neutralCurrentBeforeA: Double?
    public var neutralCurrentAfterA: Double?
    public var unbalanceBeforePercent: Double?
    public var unbalanceAfterPercent: Double?
    public var loadKVA: Double?
    public var allowedKVA: Double?
    public var hotSpotC: Double?
    public var forecastHotSpotC: Double?
    public var ageingRate: Double?
    public var phaseLoadingPercent: PerPhase<Double>?
    public var evTotalKW: Double

    public init() { evTotalKW = 0 }

    enum CodingKeys: String, CodingKey {
        case neutralCurrentBeforeA = "neutral_before_a", neutralCurrentAfterA = "neutral_after_a"
        case unbalanceBeforePercent = "vuf_before_pct", unbalanceAfterPercent = "vuf_after_pct"
        case loadKVA = "load_kva", allowedKVA = "allowed_kva", hotSpotC = "hot_spot_c"
        case forecastHotSpotC = "forecast_hot_spot_c", ageingRate = "ageing_rate"
        case phaseLoadingPercent = "phase_loading_pct", evTotalKW = "ev_total_kw"
    }
}
