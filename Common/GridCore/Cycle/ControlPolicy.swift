/// Everything the agent needs to regulate on its own: the transformer, the limits and the curves.
/// It is cached locally so that the agent regulates with no network. Every key has a default.
public struct ControlPolicy: Sendable, Hashable, Codable {
    /// Monotonic version; bundles with a lower or equal version are refused (anti-rollback).
    public var version: Int
    /// Control period, 0.1–10 s. Above half a trip function's clearing time sampling cannot clear it in time
    /// (docs/protection.md): the chargers' own certified protection must.
    public var cyclePeriodS: Double
    public var transformer: TransformerRating
    public var thermal: ThermalPolicy
    /// IEEE 1547 category and trip overrides; resolved against `transformer.nominal_hz` (docs/protection.md).
    public var trip: TripPolicy
    public var dataQuality: DataQualitySettings
    public var voltVar: VoltVarCurve
    public var voltWatt: VoltWattCurve
    public var chargingVoltWatt: ChargingVoltWattCurve
    public var frequencyDroop: FrequencyDroop
    public var ev: EVLimits
    public var balancing: BalancingPolicy
    public var write: WritePolicy
    /// Charging limit per charger while the meter cannot be trusted (the safe state).
    public var fallbackChargeKW: Double
    /// Fleet-wide telemetry settings (the queue cap); nil: the agent config's apply.
    public var telemetry: TelemetryPolicy?

    public init(
        version: Int = 0, cyclePeriodS: Double = 1, transformer: TransformerRating = .init(),
        thermal: ThermalPolicy = .init(), trip: TripPolicy = .init(), dataQuality: DataQualitySettings = .init(),
        voltVar: VoltVarCurve = .categoryB, voltWatt: VoltWattCurve = .ieee1547Default,
        chargingVoltWatt: ChargingVoltWattCurve = .defaults, frequencyDroop: FrequencyDroop = .init(),
        ev: EVLimits = .init(), balancing: BalancingPolicy = .init(), write: WritePolicy = .init(),
        fallbackChargeKW: Double = 3.7, telemetry: TelemetryPolicy? = nil
    ) {
        self.version = version
        self.cyclePeriodS = cyclePeriodS
        self.transformer = transformer
        self.thermal = thermal
        self.trip = trip
        self.dataQuality = dataQuality
        self.voltVar = voltVar
        self.voltWatt = voltWatt
        self.chargingVoltWatt = chargingVoltWatt
        self.frequencyDroop = frequencyDroop
        self.ev = ev
        self.balancing = balancing
        self.write = write
        self.fallbackChargeKW = fallbackChargeKW
        self.telemetry = telemetry
    }

    /// The built-in policy: used when no policy was ever received or the cache is unreadable.
    public static let builtInSafeDefaults = ControlPolicy()

    enum CodingKeys: String, CodingKey, CaseIterable {
        case version, cyclePeriodS = "cycle_period_s", transformer, thermal, trip, dataQuality = "data_quality"
        case voltVar = "volt_var", voltWatt = "volt_watt", chargingVoltWatt = "charging_volt_watt"
        case frequencyDroop = "frequency_droop", ev, balancing, write, fallbackChargeKW = "fallback_charge_kw", telemetry
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = ControlPolicy()
        version = try c.value(.version, default: d.version)
        cyclePeriodS = try c.value(.cyclePeriodS, default: d.cyclePeriodS)
        transformer = try c.value(.transformer, default: d.transformer)
        thermal = try c.value(.thermal, default: d.thermal)
        trip = try c.value(.trip, default: d.trip)
        dataQuality = try c.value(.dataQuality, default: d.dataQuality)
        voltVar = try c.value(.voltVar, default: d.voltVar)
        voltWatt = try c.value(.voltWatt, default: d.voltWatt)
        chargingVoltWatt = try c.value(.chargingVoltWatt, default: d.chargingVoltWatt)
        frequencyDroop = try c.value(.frequencyDroop, default: FrequencyDroop(nominalHz: transformer.nominalHz))
        // A droop block may leave its nominal out: it is the transformer's (a different one is refused by validate()).
        if c.contains(.frequencyDroop) {
            let droopKeys = try c.nestedContainer(keyedBy: AnyCodingKey.self, forKey: .frequencyDroop)
            if !droopKeys.contains(AnyCodingKey(stringValue: "nominal_hz")) { frequencyDroop.nominalHz = transformer.nominalHz }
        }
        ev = try c.value(.ev, default: d.ev)
        balancing = try c.value(.balancing, default: d.balancing)
        write = try c.value(.write, default: d.write)
        fallbackChargeKW = try c.value(.fallbackChargeKW, default: d.fallbackChargeKW)
        telemetry = try c.decodeIfPresent(TelemetryPolicy.self, forKey: .telemetry)
    }

    /// Checks every value against its allowed range; the error names the field, the value and the range.
    public func validate() throws(PolicyError) {
        if let first = problems().first { throw first }
    }

    /// Every range problem, one per block or setting checked (a block reports its first bad field), in the
    /// order of the policy's keys. Empty when the policy is valid.
    public func problems() -> [PolicyError] {
        var found: [PolicyError] = []
        func check(_ body: () throws -> Void) {
            do { try body() } catch { found.append(error as? PolicyError ?? PolicyError(field: "", message: "\(error)")) }
        }
        check { try PolicyError.check("cycle_period_s", cyclePeriodS, in: 0.1...10) }
        check { try transformer.validate() }
        check { try thermal.validate() }
        check { try PolicyError.wrap("thermal.parameters") { try thermal.parameters.validate() } }
        check { try validateProtection() }
        check { try PolicyError.wrap("volt_var") { try voltVar.validate() } }
        check { try PolicyError.wrap("volt_watt") { try voltWatt.validate() } }
        check { try PolicyError.wrap("charging_volt_watt") { try chargingVoltWatt.validate() } }
        check { try PolicyError.wrap("frequency_droop") { try frequencyDroop.validate() } }
        check { try sameNominal("frequency_droop.nominal_hz", frequencyDroop.nominalHz) }
        check { try ev.validate() }
        check { try balancing.validate() }
        check { try write.validate(cyclePeriodS: cyclePeriodS) }
        check { try PolicyError.check("fallback_charge_kw", fallbackChargeKW, in: 0...50) }
        check { try telemetry?.validate() }
        return found
    }

    /// Trip and droop settings act around a nominal frequency of their own; one that is not the transformer's
    /// would trip or droop around the wrong frequency (a 60 Hz UF1 of 58.5 Hz trips a 50 Hz system at once).
    private func sameNominal(_ field: String, _ hz: Double) throws(PolicyError) {
        guard hz == transformer.nominalHz else {
            throw .outOfRange(field: field, value: hz, allowed: "\(transformer.nominalHz.settingText) (transformer.nominal_hz)")
        }
    }
}

/// Nameplate of the distribution transformer.
public struct TransformerRating: Sendable, Hashable, Codable {
    public var ratedKVA: Double = 100
    /// Phase-to-neutral nominal voltage of the secondary (e.g. 230 V, or 120 V in North America).
    public var nominalPhaseVoltageV: Double = 230
    public var nominalHz: Double = 60
    /// Short-circuit impedance, used only to predict voltages after a plan (dry run figures).
    public var impedancePercent: Double = 4
    public var xOverR: Double = 1.5

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case ratedKVA = "rated_kva", nominalPhaseVoltageV = "nominal_phase_voltage_v", nominalHz = "nominal_hz"
        case impedancePercent = "impedance_pct", xOverR = "x_over_r"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        ratedKVA = try c.value(.ratedKVA, default: ratedKVA)
        nominalPhaseVoltageV = try c.value(.nominalPhaseVoltageV, default: nominalPhaseVoltageV)
        nominalHz = try c.value(.nominalHz, default: nominalHz)
        impedancePercent = try c.value(.impedancePercent, default: impedancePercent)
        xOverR = try c.value(.xOverR, default: xOverR)
    }

    func validate() throws(PolicyError) {
        try PolicyError.check("transformer.rated_kva", ratedKVA, in: 1...10_000)
        try PolicyError.check("transformer.nominal_phase_voltage_v", nominalPhaseVoltageV, in: 50...1_000)
        guard nominalHz == 50 || nominalHz == 60 else {
            throw .outOfRange(field: "transformer.nominal_hz", value: nominalHz, allowed: "50 or 60")
        }
        try PolicyError.check("transformer.impedance_pct", impedancePercent, in: 0.5...20)
        try PolicyError.check("transformer.x_over_r", xOverR, in: 0.1...20)
    }
}

/// Thermal limits of step 2: 98 °C for normal paper ageing (IEC 60076-7, relative ageing rate 1), 120 °C emergency cap.
public struct ThermalPolicy: Sendable, Hashable, Codable {
    public var parameters: ThermalParameters = .onanDistribution
    public var hotSpotLimitC: Double = 98
    public var emergencyHotSpotLimitC: Double = 120
    public var horizonMinutes: Double = 15
    /// The headroom search aims this far below the limit: the forecast holds the load constant, and the
    /// household load can rise within a cycle, so riding exactly on the limit would overshoot it.
    public var marginK: Double = 1
    /// Ambient used when no sensor reads one.
    public var defaultAmbientC: Double = 30

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case parameters, hotSpotLimitC = "hot_spot_limit_c", emergencyHotSpotLimitC = "emergency_hot_spot_limit_c"
        case horizonMinutes = "horizon_min", marginK = "margin_k", defaultAmbientC = "default_ambient_c"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        parameters = try c.value(.parameters, default: parameters)
        hotSpotLimitC = try c.value(.hotSpotLimitC, default: hotSpotLimitC)
        emergencyHotSpotLimitC = try c.value(.emergencyHotSpotLimitC, default: emergencyHotSpotLimitC)
        horizonMinutes = try c.value(.horizonMinutes, default: horizonMinutes)
        marginK = try c.value(.marginK, default: marginK)
        defaultAmbientC = try c.value(.defaultAmbientC, default: defaultAmbientC)
    }

    func validate() throws(PolicyError) {
        try PolicyError.check("thermal.emergency_hot_spot_limit_c", emergencyHotSpotLimitC, in: 60...140)
        try PolicyError.check("thermal.hot_spot_limit_c", hotSpotLimitC, in: 60...emergencyHotSpotLimitC)
        try PolicyError.check("thermal.horizon_min", horizonMinutes, in: 1...120)
        try PolicyError.check("thermal.margin_k", marginK, in: 0...10)
        try PolicyError.check("thermal.default_ambient_c", defaultAmbientC, in: -50...60)
    }
}
