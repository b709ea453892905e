/// A bidirectional charger as the agent sees it this cycle.
/// Sign convention for active power: + = charging (load on the transformer), − = discharging (V2G).
/// Reactive power: + = injection (capacitive, raises voltage).
public struct ChargerState: Sendable, Hashable, Codable {
    public var id: String
    public var connection: PhaseConnection
    public var ratedChargeKW: Double
    /// 0 for a charger that cannot discharge.
    public var ratedDischargeKW: Double
    public var ratedKVA: Double
    /// False when the charger did not answer this cycle: it is planned at 0 and re-planned next cycle.
    public var online: Bool
    public var measuredKW: Double
    public var measuredKvar: Double
    /// nil when no EV is plugged in.
    public var ev: EVState?

    public init(
        id: String, connection: PhaseConnection, ratedChargeKW: Double, ratedDischargeKW: Double,
        ratedKVA: Double, online: Bool = true, measuredKW: Double = 0, measuredKvar: Double = 0, ev: EVState? = nil
    ) {
        self.id = id
        self.connection = connection
        self.ratedChargeKW = ratedChargeKW
        self.ratedDischargeKW = ratedDischargeKW
        self.ratedKVA = ratedKVA
        self.online = online
        self.measuredKW = measuredKW
        self.measuredKvar = measuredKvar
        self.ev = ev
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case id, connection = "phase", ratedChargeKW = "rated_charge_kw", ratedDischargeKW = "rated_discharge_kw"
        case ratedKVA = "rated_kva", online, measuredKW = "measured_kw", measuredKvar = "measured_kvar", ev
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        connection = try c.decode(PhaseConnection.self, forKey: .connection)
        ratedChargeKW = try c.decode(Double.self, forKey: .ratedChargeKW)
        ratedDischargeKW = try c.decodeIfPresent(Double.self, forKey: .ratedDischargeKW) ?? 0
        ratedKVA = try c.decodeIfPresent(Double.self, forKey: .ratedKVA) ?? max(ratedChargeKW, ratedDischargeKW)
        online = try c.decodeIfPresent(Bool.self, forKey: .online) ?? true
        measuredKW = try c.decodeIfPresent(Double.self, forKey: .measuredKW) ?? 0
        measuredKvar = try c.decodeIfPresent(Double.self, forKey: .measuredKvar) ?? 0
        ev = try c.decodeIfPresent(EVState.self, forKey: .ev)
    }
}

/// The EV behind a charger: what its battery allows and what its driver needs.
public struct EVState: Sendable, Hashable, Codable {
    public var socPercent: Double
    public var batteryTempC: Double
    public var capacityKWh: Double
    /// What the driver (or the EV) asks for right now, ≥ 0.
    public var requestedKW: Double
    /// When the driver leaves, if known.
    public var departure: Timestamp?
    /// Energy still wanted by departure, if known.
    public var energyNeededKWh: Double?
    /// False when the driver has not agreed to V2G.
    public var dischargeAllowed: Bool
    /// Remaining shallow-cycle discharge budget for today; nil = unlimited.
    public var dischargeBudgetKWh: Double?
    /// The driver's consent to charging past the target SoC; nil: the policy's `ev.charge_past_target`.
    public var chargePastTargetAllowed: Bool?

    public init(
        socPercent: Double, batteryTempC: Double, capacityKWh: Double, requestedKW: Double,
        departure: Timestamp? = nil, energyNeededKWh: Double? = nil, dischargeAllowed: Bool = true,
        dischargeBudgetKWh: Double? = nil, chargePastTargetAllowed: Bool? = nil
    ) {
        self.socPercent = socPercent
        self.batteryTempC = batteryTempC
        self.capacityKWh = capacityKWh
        self.requestedKW = requestedKW
        self.departure = departure
        self.energyNeededKWh = energyNeededKWh
        self.dischargeAllowed = dischargeAllowed
        self.dischargeBudgetKWh = dischargeBudgetKWh
        self.chargePastTargetAllowed = chargePastTargetAllowed
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case socPercent = "soc_pct", batteryTempC = "battery_temp_c", capacityKWh = "capacity_kwh"
        case requestedKW = "requested_kw", departure, energyNeededKWh = "energy_needed_kwh"
        case dischargeAllowed = "discharge_allowed", dischargeBudgetKWh = "discharge_budget_kwh"
        case chargePastTargetAllowed = "charge_past_target"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        socPercent = try c.decode(Double.self, forKey: .socPercent)
        batteryTempC = try c.decode(Double.self, forKey: .batteryTempC)
        capacityKWh = try c.decode(Double.self, forKey: .capacityKWh)
        requestedKW = try c.decode(Double.self, forKey: .requestedKW)
        departure = try c.decodeIfPresent(Timestamp.self, forKey: .departure)
        energyNeededKWh = try c.decodeIfPresent(Double.self, forKey: .energyNeededKWh)
        dischargeAllowed = try c.decodeIfPresent(Bool.self, forKey: .dischargeAllowed) ?? true
        dischargeBudgetKWh = try c.decodeIfPresent(Double.self, forKey: .dischargeBudgetKWh)
        chargePastTargetAllowed = try c.decodeIfPresent(Bool.self, forKey: .chargePastTargetAllowed)
    }
}
