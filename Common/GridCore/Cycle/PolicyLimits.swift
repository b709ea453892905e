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

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case minimumSoCPercent = "minimum_soc_pct", maxDischargeBatteryTempC = "max_discharge_battery_temp_c"
        case dischargeEnabled = "discharge_enabled", socGuardMinutes = "soc_guard_min"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        minimumSoCPercent = try c.value(.minimumSoCPercent, default: minimumSoCPercent)
        maxDischargeBatteryTempC = try c.value(.maxDischargeBatteryTempC, default: maxDischargeBatteryTempC)
        dischargeEnabled = try c.value(.dischargeEnabled, default: dischargeEnabled)
        socGuardMinutes = try c.value(.socGuardMinutes, default: socGuardMinutes)
    }

    func validate() throws(PolicyError) {
        try PolicyError.check("ev.minimum_soc_pct", minimumSoCPercent, in: 0...100)
        try PolicyError.check("ev.max_discharge_battery_temp_c", maxDischargeBatteryTempC, in: 0...60)
        try PolicyError.check("ev.soc_guard_min", socGuardMinutes, in: 0...120)
    }
}

/// Trade-off of step 5 between the neutral current and each EV's request.
public struct BalancingPolicy: Sendable, Hashable, Codable {
    public var enabled: Bool = true
    /// Cost of one A² of neutral current against one kW² of deviation from a request (weight 1).
    /// At 230 V one kW on a phase is about 4.3 A (18.9 A²), so 0.1 makes a kW of imbalance cost about
    /// twice a kW deferred for a driver with slack. Measured on the unbalanced-evening scenario's first
    /// three hours: 0.05 → −57 % neutral current, 0.1 → −69 %, 0.2 → −79 %, with 31 %, 41 %, 50 % of the
    /// EV energy moved later in the evening. EVs that need their energy by departure weigh up to 10× more.
    public var neutralWeight: Double = 0.1

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case enabled, neutralWeight = "neutral_weight"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        enabled = try c.value(.enabled, default: enabled)
        neutralWeight = try c.value(.neutralWeight, default: neutralWeight)
    }

    func validate() throws(PolicyError) {
        try PolicyError.check("balancing.neutral_weight", neutralWeight, in: 0...1_000)
    }
}

/// Step 6: what reaches the chargers.
public struct WritePolicy: Sendable, Hashable, Codable {
    /// A setpoint is written only when it moved at least this much (stops are always written).
    public var deadbandKW: Double = 0.2
    public var deadbandKvar: Double = 0.2
    /// Ramp-rate limit away from zero; moves toward zero are never slowed.
    public var rampKWPerS: Double = 2
    /// The charger's own reversion timer (SunSpec 704): it falls back by itself if the agent stops writing.
    public var reversionTimeoutS: Double = 30

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case deadbandKW = "deadband_kw", deadbandKvar = "deadband_kvar", rampKWPerS = "ramp_kw_per_s"
        case reversionTimeoutS = "reversion_timeout_s"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        deadbandKW = try c.value(.deadbandKW, default: deadbandKW)
        deadbandKvar = try c.value(.deadbandKvar, default: deadbandKvar)
        rampKWPerS = try c.value(.rampKWPerS, default: rampKWPerS)
        reversionTimeoutS = try c.value(.reversionTimeoutS, default: reversionTimeoutS)
    }

    func validate() throws(PolicyError) {
        try PolicyError.check("write.deadband_kw", deadbandKW, in: 0...5)
        try PolicyError.check("write.deadband_kvar", deadbandKvar, in: 0...5)
        try PolicyError.check("write.ramp_kw_per_s", rampKWPerS, in: 0.01...1_000)
        try PolicyError.check("write.reversion_timeout_s", reversionTimeoutS, in: 5...3_600)
    }
}
