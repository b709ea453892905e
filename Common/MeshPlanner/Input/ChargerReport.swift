public import GridCore

/// One charger behind a transformer, as its agent reports it. + power = charging.
public struct ChargerReport: Sendable, Hashable, Codable {
    public var id: String
    /// "A", "B", "C" (single phase) or "ABC" (balanced three-phase).
    public var connection: PhaseConnection
    /// What it draws now (+ charging, − discharging), in kW.
    public var powerKW: Double
    public var ratedChargeKW: Double
    /// 0 for a charger that cannot discharge.
    public var ratedDischargeKW: Double
    public var ratedKVA: Double
    /// False when the agent lost the charger: it is planned at 0.
    public var online: Bool
    /// nil when no EV is plugged in.
    public var ev: EVReport?

    public init(
        id: String, connection: PhaseConnection, powerKW: Double = 0, ratedChargeKW: Double, ratedDischargeKW: Double = 0,
        ratedKVA: Double? = nil, online: Bool = true, ev: EVReport? = nil
    ) {
        self.id = id
        self.connection = connection
        self.powerKW = powerKW
        self.ratedChargeKW = ratedChargeKW
        self.ratedDischargeKW = ratedDischargeKW
        self.ratedKVA = ratedKVA ?? max(ratedChargeKW, ratedDischargeKW)
        self.online = online
        self.ev = ev
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case id, connection = "phase", powerKW = "power_kw", ratedChargeKW = "rated_charge_kw"
        case ratedDischargeKW = "rated_discharge_kw", ratedKVA = "rated_kva", online, ev
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decodeID(.id)
        connection = try c.decode(PhaseConnection.self, forKey: .connection)
        powerKW = try c.decode(.powerKW, in: -1_000...1_000, unit: "kW")
        ratedChargeKW = try c.decode(.ratedChargeKW, in: 0...1_000, unit: "kW")
        ratedDischargeKW = try c.decode(.ratedDischargeKW, in: 0...1_000, unit: "kW", default: 0)
        ratedKVA = try c.decode(.ratedKVA, in: 0...1_000, unit: "kVA", default: max(ratedChargeKW, ratedDischargeKW))
        online = try c.decodeIfPresent(Bool.self, forKey: .online) ?? true
        ev = try c.decodeIfPresent(EVReport.self, forKey: .ev)
    }
}

/// The EV behind a charger: what its battery can give and what its driver needs.
public struct EVReport: Sendable, Hashable, Codable {
    public var socPercent: Double
    /// Energy above the policy's minimum SoC: the most discharge may take, in kWh.
    public var energyAvailableKWh: Double
    /// Energy still needed to reach the driver's target by departure, in kWh.
    public var energyNeededKWh: Double
    /// When the driver leaves; nil: unknown (no deadline, so no floor from it).
    public var departure: Timestamp?
    /// True only when the driver agreed to V2G: no discharge otherwise.
    public var v2gAgreed: Bool
    /// Energy the battery may take beyond the driver's need with the driver's consent, in kWh (room to its
    /// maximum SoC); nil: none, the EV never charges past its driver's target.
    public var energyRoomKWh: Double?

    public init(
        socPercent: Double, energyAvailableKWh: Double, energyNeededKWh: Double = 0, departure: Timestamp? = nil,
        v2gAgreed: Bool = false, energyRoomKWh: Double? = nil
    ) {
        self.socPercent = socPercent
        self.energyAvailableKWh = energyAvailableKWh
        self.energyNeededKWh = energyNeededKWh
        self.departure = departure
        self.v2gAgreed = v2gAgreed
        self.energyRoomKWh = energyRoomKWh
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case socPercent = "soc_pct", energyAvailableKWh = "energy_available_kwh", energyNeededKWh = "energy_needed_kwh"
        case departure, v2gAgreed = "v2g_agreed", energyRoomKWh = "energy_room_kwh"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        socPercent = try c.decode(.socPercent, in: 0...100, unit: "%")
        energyAvailableKWh = try c.decode(.energyAvailableKWh, in: 0...10_000, unit: "kWh")
        energyNeededKWh = try c.decode(.energyNeededKWh, in: 0...10_000, unit: "kWh", default: 0)
        departure = try c.decodeTimeIfPresent(.departure)
        v2gAgreed = try c.decodeIfPresent(Bool.self, forKey: .v2gAgreed) ?? false
        energyRoomKWh = try c.decodeIfPresent(.energyRoomKWh, in: 0...10_000, unit: "kWh")
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(socPercent, forKey: .socPercent)
        try c.encode(energyAvailableKWh, forKey: .energyAvailableKWh)
        try c.encode(energyNeededKWh, forKey: .energyNeededKWh)
        try c.encodeTimeIfPresent(departure, forKey: .departure)
        try c.encode(v2gAgreed, forKey: .v2gAgreed)
        try c.encodeIfPresent(energyRoomKWh, forKey: .energyRoomKWh)
    }
}
