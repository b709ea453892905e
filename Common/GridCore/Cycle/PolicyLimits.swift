/// EV constraints of step 5 (phase balancing).
public struct EVLimits: Sendable, Hashable, Codable {
    /// SoC is never taken below this by discharge.
    public var minimumSoCPercent: Double = 20
    /// No discharge when the battery is hotter than this.
    public var maxDischargeBatteryTempC: Double = 45
    /// Master switch for V2G on this transformer.
    public var dischargeEnabled: Bool = true
    /// Discharge is capped so that this many minutes at the cap keep SoC at or above the minimum.
    public var socGuardMinutes: Double = 15
    /// Consent to charge past the driver's target SoC (up to full) where that lowers the neutral current.
    /// Off by default; an EV session's own flag, where it carries one, wins.
    public var chargePastTarget: Bool = false

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case minimumSoCPercent = "minimum_soc_pct", maxDischargeBatteryTempC = "max_discharge_battery_temp_c"
        case dischargeEnabled = "discharge_enabled", socGuardMinutes = "soc_guard_min"
        case chargePastTarget = "charge_past_target"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        minimumSoCPercent = try c.value(.minimumSoCPercent, default: minimumSoCPercent)
        maxDischargeBatteryTempC = try c.value(.maxDischargeBatteryTempC, default: maxDischargeBatteryTempC)
        dischargeEnabled = try c.value(.dischargeEnabled, default: dischargeEnabled)
        socGuardMinutes = try c.value(.socGuardMinutes, default: socGuardMinutes)
        chargePastTarget = try c.value(.chargePastTarget, default: chargePastTarget)
    }

    func validate() throws(PolicyError) {
        try PolicyError.check("ev.minimum_soc_pct", minimumSoCPercent, in: 0...100)
        try PolicyError.check("ev.max_discharge_battery_temp_c", maxDischargeBatteryTempC, in: 0...60)
        try PolicyError.check("ev.soc_guard_min", socGuardMinutes, in: 0...120)
    }
}

/// Step 5: the horizon plan and the per-cycle tracking of it.
public struct BalancingPolicy: Sendable, Hashable, Codable {
    public var enabled: Bool = true
    /// The horizon plan; off: each cycle balances on its own around each EV's request (raised to what its
    /// departure energy needs), as before the planner existed.
    public var horizonEnabled: Bool = true
    /// Per-cycle weight of one A² of neutral current against the deviations from the plan (see `trackingWeight`).
    public var neutralWeight: Double = 0.1
    /// Per-cycle cost of a deviation from the plan: an EV whose rate is h kW pays trackingWeight/h per kW², so
    /// deviations are shared in proportion to each EV's rate (a 3.7 kW EV moves half the kW of a 7.4 kW one).
    public var trackingWeight: Double = 100
    /// Length of one plan step.
    public var planStepMinutes: Double = 10
    /// The plan looks ahead to the last departure, but never further than this.
    public var planHorizonHours: Double = 24
    /// The plan is made afresh this often (and at once on an arrival, a departure or a deviation).
    public var replanIntervalMinutes: Double = 5
    /// A phase's measured non-EV load this far from the plan's forecast for now triggers a replan at once.
    public var replanDeviationKW: Double = 3
    /// Where a charger reports no departure, the EV is planned to leave this long after it was first seen.
    public var defaultDwellHours: Double = 10
    /// Hard caps for the plan; absent: the transformer's rated phase current (rated kVA / 3 / nominal V).
    public var phaseCurrentLimitA: Double?
    public var neutralCurrentLimitA: Double?

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case enabled, horizonEnabled = "horizon_enabled", neutralWeight = "neutral_weight", trackingWeight = "tracking_weight"
        case planStepMinutes = "plan_step_min", planHorizonHours = "plan_horizon_h"
        case replanIntervalMinutes = "replan_interval_min", replanDeviationKW = "replan_deviation_kw"
        case defaultDwellHours = "default_dwell_h", phaseCurrentLimitA = "phase_current_limit_a"
        case neutralCurrentLimitA = "neutral_current_limit_a"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        enabled = try c.value(.enabled, default: enabled)
        horizonEnabled = try c.value(.horizonEnabled, default: horizonEnabled)
        neutralWeight = try c.value(.neutralWeight, default: neutralWeight)
        trackingWeight = try c.value(.trackingWeight, default: trackingWeight)
        planStepMinutes = try c.value(.planStepMinutes, default: planStepMinutes)
        planHorizonHours = try c.value(.planHorizonHours, default: planHorizonHours)
        replanIntervalMinutes = try c.value(.replanIntervalMinutes, default: replanIntervalMinutes)
        replanDeviationKW = try c.value(.replanDeviationKW, default: replanDeviationKW)
        defaultDwellHours = try c.value(.defaultDwellHours, default: defaultDwellHours)
        phaseCurrentLimitA = try c.decodeIfPresent(Double.self, forKey: .phaseCurrentLimitA)
        neutralCurrentLimitA = try c.decodeIfPresent(Double.self, forKey: .neutralCurrentLimitA)
    }

    func validate() throws(PolicyError) {
        try PolicyError.check("balancing.neutral_weight", neutralWeight, in: 0...1_000)
        try PolicyError.check("balancing.tracking_weight", trackingWeight, in: 0.01...1_000_000)
        try PolicyError.check("balancing.plan_step_min", planStepMinutes, in: 5...15)
        try PolicyError.check("balancing.plan_horizon_h", planHorizonHours, in: 1...48)
        try PolicyError.check("balancing.replan_interval_min", replanIntervalMinutes, in: 1...60)
        try PolicyError.check("balancing.replan_deviation_kw", replanDeviationKW, in: 0.1...1_000)
        try PolicyError.check("balancing.default_dwell_h", defaultDwellHours, in: 0.5...48)
        if let phaseCurrentLimitA { try PolicyError.check("balancing.phase_current_limit_a", phaseCurrentLimitA, in: 1...10_000) }
        if let neutralCurrentLimitA { try PolicyError.check("balancing.neutral_current_limit_a", neutralCurrentLimitA, in: 1...10_000) }
    }
}

/// Step 6: what reaches the chargers.
///
/// The charger's reversion timer and the agent's refresh count in the same clock (the agent's; against the
/// simulator both are simulated seconds), and the timer outlasts the refresh by at least 10 × the longest a cycle
/// may run late: `reversion_timeout_s − max(refresh_s, cycle_period_s) ≥ 10 × max_stall_s` (a refresh happens at
/// a cycle, so never more often than the period). A setpoint then lapses only when the agent has truly stopped,
/// and then the charger holds the reversion value the agent wrote: 0, stop.
public struct WritePolicy: Sendable, Hashable, Codable {
    /// A setpoint is written only when it moved at least this much (stops are always written).
    public var deadbandKW: Double = 0.2
    public var deadbandKvar: Double = 0.2
    /// Ramp-rate limit away from zero; moves toward zero are never slowed.
    public var rampKWPerS: Double = 2
    /// The charger's own reversion timer (SunSpec 704): it falls back by itself if the agent stops writing.
    public var reversionTimeoutS: Double = 60
    /// An unchanged setpoint is written again this long after the last write.
    public var refreshS: Double = 5
    /// The longest a cycle may run late (beyond its period) without a setpoint lapsing: CYCLE_STALLED past it.
    public var maxStallS: Double = 5
    /// A charger that departs from its setpoint by more than this …
    public var followToleranceKW: Double = 0.5
    /// … for longer than this (its response time) raises SETPOINT_NOT_FOLLOWED.
    public var responseTimeS: Double = 10

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case deadbandKW = "deadband_kw", deadbandKvar = "deadband_kvar", rampKWPerS = "ramp_kw_per_s"
        case reversionTimeoutS = "reversion_timeout_s", refreshS = "refresh_s", maxStallS = "max_stall_s"
        case followToleranceKW = "follow_tolerance_kw", responseTimeS = "response_time_s"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        deadbandKW = try c.value(.deadbandKW, default: deadbandKW)
        deadbandKvar = try c.value(.deadbandKvar, default: deadbandKvar)
        rampKWPerS = try c.value(.rampKWPerS, default: rampKWPerS)
        reversionTimeoutS = try c.value(.reversionTimeoutS, default: reversionTimeoutS)
        refreshS = try c.value(.refreshS, default: refreshS)
        maxStallS = try c.value(.maxStallS, default: maxStallS)
        followToleranceKW = try c.value(.followToleranceKW, default: followToleranceKW)
        responseTimeS = try c.value(.responseTimeS, default: responseTimeS)
    }

    func validate(cyclePeriodS: Double) throws(PolicyError) {
        try PolicyError.check("write.deadband_kw", deadbandKW, in: 0...5)
        try PolicyError.check("write.deadband_kvar", deadbandKvar, in: 0...5)
        try PolicyError.check("write.ramp_kw_per_s", rampKWPerS, in: 0.01...1_000)
        try PolicyError.check("write.reversion_timeout_s", reversionTimeoutS, in: 5...3_600)
        try PolicyError.check("write.refresh_s", refreshS, in: 0.1...3_600)
        try PolicyError.check("write.max_stall_s", maxStallS, in: 0.1...600)
        try PolicyError.check("write.follow_tolerance_kw", followToleranceKW, in: 0.01...50)
        try PolicyError.check("write.response_time_s", responseTimeS, in: 0.1...600)
        let refreshEveryS = max(refreshS, cyclePeriodS)
        guard reversionTimeoutS - refreshEveryS >= 10 * maxStallS else {
            throw PolicyError(
                field: "write.reversion_timeout_s",
                message: "write.reversion_timeout_s = \(reversionTimeoutS) must exceed the refresh (max of write.refresh_s and "
                    + "cycle_period_s, \(refreshEveryS) s) by at least 10 × write.max_stall_s (\(maxStallS) s), or a late cycle lets setpoints lapse")
        }
    }
}
