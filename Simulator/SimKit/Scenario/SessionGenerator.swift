public import GridCore

/// Draws one EV session per charger (for chargers without a `sessions` key) from the scenario's seed.
public struct SessionGenerator: Sendable, Hashable, Codable {
    public var arrivalEarliest: Timestamp
    public var arrivalLatest: Timestamp
    public var dwellMinS: Double
    public var dwellMaxS: Double
    public var batteryKWhMin: Double
    public var batteryKWhMax: Double
    public var arrivalSocMinPercent: Double
    public var arrivalSocMaxPercent: Double
    public var targetSocPercent: Double
    /// What each EV asks for; nil: the charger's rated charge power.
    public var requestedKW: Double?
    /// Probability that a driver allows V2G.
    public var v2gShare: Double

    enum CodingKeys: String, CodingKey, CaseIterable {
        case arrivalEarliest = "arrival_earliest", arrivalLatest = "arrival_latest"
        case dwellMinS = "dwell_min_s", dwellMaxS = "dwell_max_s"
        case batteryKWhMin = "battery_kwh_min", batteryKWhMax = "battery_kwh_max"
        case arrivalSocMinPercent = "arrival_soc_min_pct", arrivalSocMaxPercent = "arrival_soc_max_pct"
        case targetSocPercent = "target_soc_pct", requestedKW = "requested_kw", v2gShare = "v2g_share"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.refuseUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let earliest = try c.number(.arrivalEarliest, in: 0...1e11, unit: "s")
        arrivalEarliest = Timestamp(secondsSinceEpoch: earliest)
        arrivalLatest = Timestamp(secondsSinceEpoch: try c.number(.arrivalLatest, in: earliest...1e11, unit: "s"))
        dwellMinS = try c.number(.dwellMinS, in: 60...7 * 86_400, unit: "s")
        dwellMaxS = try c.number(.dwellMaxS, in: dwellMinS...7 * 86_400, unit: "s")
        batteryKWhMin = try c.number(.batteryKWhMin, in: 1...500, unit: "kWh")
        batteryKWhMax = try c.number(.batteryKWhMax, in: batteryKWhMin...500, unit: "kWh")
        arrivalSocMinPercent = try c.number(.arrivalSocMinPercent, in: 0...100, unit: "%")
        arrivalSocMaxPercent = try c.number(.arrivalSocMaxPercent, in: arrivalSocMinPercent...100, unit: "%")
        targetSocPercent = try c.number(.targetSocPercent, in: 0...100, unit: "%", default: 80)
        requestedKW = try c.optionalNumber(.requestedKW, in: 0...350, unit: "kW")
        v2gShare = try c.number(.v2gShare, in: 0...1, default: 0.5)
    }

    /// The session for the charger at `index`: a pure function of the seed and the index.
    func session(seed: UInt64, index: Int, charger: ChargerSpec) -> SessionSpec {
        var draw = SeededRandom(seed: seed, stream: 0x5E55_1014 &+ UInt64(index))
        let arrival = arrivalEarliest + draw.uniform() * (arrivalLatest - arrivalEarliest)
        let dwell = dwellMinS + draw.uniform() * (dwellMaxS - dwellMinS)
        return SessionSpec(
            arrival: arrival,
            departure: arrival + dwell,
            batteryKWh: batteryKWhMin + draw.uniform() * (batteryKWhMax - batteryKWhMin),
            arrivalSocPercent: arrivalSocMinPercent + draw.uniform() * (arrivalSocMaxPercent - arrivalSocMinPercent),
            targetSocPercent: targetSocPercent,
            requestedKW: min(requestedKW ?? charger.ratedChargeKW, charger.ratedChargeKW),
            v2gAllowed: draw.uniform() < v2gShare
        )
    }
}
