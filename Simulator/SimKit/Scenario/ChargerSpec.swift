public import GridCore

/// A bidirectional charger on the feeder and the EV sessions it serves.
public struct ChargerSpec: Sendable, Hashable, Codable {
    public var id: String
    public var connection: PhaseConnection
    public var ratedChargeKW: Double
    /// 0 for a charger that cannot discharge.
    public var ratedDischargeKW: Double
    public var ratedKVA: Double
    /// Time constant of the first-order response to a new target, in seconds.
    public var responseTimeS: Double
    /// The EVs it serves, in time order; nil lets the scenario's session generator fill it.
    public var sessions: [SessionSpec]?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case id, connection = "phase", ratedChargeKW = "rated_charge_kw", ratedDischargeKW = "rated_discharge_kw"
        case ratedKVA = "rated_kva", responseTimeS = "response_time_s", sessions
    }

    public init(from decoder: any Decoder) throws {
        try decoder.refuseUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        guard !id.isEmpty else { throw ScenarioError.inconsistent(c.path(.id), "must not be empty") }
        connection = try c.decode(PhaseConnection.self, forKey: .connection)
        ratedChargeKW = try c.number(.ratedChargeKW, in: 0...350, unit: "kW")
        ratedDischargeKW = try c.number(.ratedDischargeKW, in: 0...350, unit: "kW", default: 0)
        let largest = max(ratedChargeKW, ratedDischargeKW)
        ratedKVA = try c.number(.ratedKVA, in: largest...max(largest, 400), unit: "kVA", default: largest)
        responseTimeS = try c.number(.responseTimeS, in: 0.01...60, unit: "s", default: 1)
        sessions = try c.decodeIfPresent([SessionSpec].self, forKey: .sessions)
        for (i, session) in (sessions ?? []).enumerated() {
            let field = "\(c.path(.sessions))[\(i)]"
            if i > 0, let previous = sessions?[i - 1], session.arrival < previous.departure {
                throw ScenarioError.inconsistent("\(field).arrival", "arrives before the previous EV departs")
            }
            if session.requestedKW > ratedChargeKW {
                throw ScenarioError.outOfRange("\(field).requested_kw", value: session.requestedKW, range: 0...ratedChargeKW, unit: "kW")
            }
        }
    }
}

/// One EV plugged into a charger from arrival to departure.
public struct SessionSpec: Sendable, Hashable, Codable {
    public var arrival: Timestamp
    public var departure: Timestamp
    public var batteryKWh: Double
    public var arrivalSocPercent: Double
    /// The driver's charge limit: an uncoordinated charger stops here.
    public var targetSocPercent: Double
    /// What the EV asks for while below its target, in kW.
    public var requestedKW: Double
    /// False when the driver has not agreed to V2G: the BMS refuses discharge.
    public var v2gAllowed: Bool
    /// Battery temperature at arrival, in °C (nil: ambient + 5 K, a car just driven).
    public var arrivalBatteryTempC: Double?

    public init(
        arrival: Timestamp, departure: Timestamp, batteryKWh: Double, arrivalSocPercent: Double,
        targetSocPercent: Double, requestedKW: Double, v2gAllowed: Bool, arrivalBatteryTempC: Double? = nil
    ) {
        self.arrival = arrival
        self.departure = departure
        self.batteryKWh = batteryKWh
        self.arrivalSocPercent = arrivalSocPercent
        self.targetSocPercent = targetSocPercent
        self.requestedKW = requestedKW
        self.v2gAllowed = v2gAllowed
        self.arrivalBatteryTempC = arrivalBatteryTempC
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case arrival, departure, batteryKWh = "battery_kwh", arrivalSocPercent = "arrival_soc_pct"
        case targetSocPercent = "target_soc_pct", requestedKW = "requested_kw", v2gAllowed = "v2g_allowed"
        case arrivalBatteryTempC = "battery_temp_c"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.refuseUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        arrival = Timestamp(secondsSinceEpoch: try c.number(.arrival, in: 0...1e11, unit: "s"))
        departure = Timestamp(secondsSinceEpoch: try c.number(.departure, in: 0...1e11, unit: "s"))
        guard departure > arrival else { throw ScenarioError.inconsistent(c.path(.departure), "must be after arrival") }
        batteryKWh = try c.number(.batteryKWh, in: 1...500, unit: "kWh")
        arrivalSocPercent = try c.number(.arrivalSocPercent, in: 0...100, unit: "%")
        targetSocPercent = try c.number(.targetSocPercent, in: 0...100, unit: "%")
        requestedKW = try c.number(.requestedKW, in: 0...350, unit: "kW")
        v2gAllowed = try c.decodeIfPresent(Bool.self, forKey: .v2gAllowed) ?? false
        arrivalBatteryTempC = try c.optionalNumber(.arrivalBatteryTempC, in: -40...70, unit: "°C")
    }
}
