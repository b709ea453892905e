public import GridCore

/// One point of a daily profile: a value at an hour of the (local) day.
public struct DailyPoint: Sendable, Hashable, Codable {
    /// Hour of the day, 0 ≤ hour < 24 (fractions allowed: 17.5 is 17:30).
    public var hour: Double
    public var value: Double

    public init(hour: Double, value: Double) {
        self.hour = hour
        self.value = value
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case hour, value }

    public init(from decoder: any Decoder) throws {
        try decoder.refuseUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        hour = try c.number(.hour, in: 0...23.999_999, unit: "h")
        value = try c.decode(Double.self, forKey: .value)
    }
}

/// Linear interpolation over the day through points sorted by hour, wrapping across midnight
/// (from the last point of one day to the first point of the next). One point is a constant.
func dailyValue(hours: [Double], values: [Double], at hour: Double) -> Double {
    guard let lastHour = hours.last, let firstHour = hours.first else { return 0 }
    if hours.count == 1 { return values[0] }
    if hour < firstHour || hour >= lastHour {
        // The wrap segment runs from the last point to the first point + 24 h.
        let span = firstHour + 24 - lastHour
        let offset = hour >= lastHour ? hour - lastHour : hour + 24 - lastHour
        return values[values.count - 1] + (values[0] - values[values.count - 1]) * offset / span
    }
    var i = 1
    while hours[i] <= hour { i += 1 }
    let fraction = (hour - hours[i - 1]) / (hours[i] - hours[i - 1])
    return values[i - 1] + (values[i] - values[i - 1]) * fraction
}

extension KeyedDecodingContainer {
    /// A non-empty daily profile, hours strictly increasing, every value inside `range`.
    func dailyProfile(_ key: Key, in range: ClosedRange<Double>, unit: String) throws -> [DailyPoint] {
        let points = try decode([DailyPoint].self, forKey: key)
        try checkHours(points.map(\.hour), key)
        for (i, point) in points.enumerated() where !(point.value.isFinite && range.contains(point.value)) {
            throw ScenarioError.outOfRange("\(path(key))[\(i)].value", value: point.value, range: range, unit: unit)
        }
        return points
    }

    func checkHours(_ hours: [Double], _ key: Key) throws {
        guard !hours.isEmpty else { throw ScenarioError.inconsistent(path(key), "needs at least one point") }
        for i in hours.indices.dropFirst() where hours[i] <= hours[i - 1] {
            throw ScenarioError.inconsistent("\(path(key))[\(i)].hour", "hours must increase strictly along the profile")
        }
    }

    /// `{"A": …, "B": …, "C": …}`, each inside `range`; no other key.
    func perPhaseNumbers(_ key: Key, in range: ClosedRange<Double>, unit: String) throws -> PerPhase<Double> {
        let nested = try nestedContainer(keyedBy: ScenarioKey.self, forKey: key)
        for extra in nested.allKeys where Phase(rawValue: extra.stringValue) == nil {
            throw ScenarioError.unknownKey(nested.path(extra), allowed: ["A", "B", "C"])
        }
        return try PerPhase { phase in try nested.number(ScenarioKey(stringValue: phase.rawValue), in: range, unit: unit) }
    }
}

/// Household load per phase following a daily profile, with seeded noise and a lagging power factor.
public struct BaseLoadSpec: Sendable, Hashable, Codable {
    public var profile: [BaseLoadPoint]
    /// Displacement power factor of the households (lagging: they absorb reactive power).
    public var powerFactor: Double
    /// Standard deviation of the multiplicative noise, in percent of the profile value.
    public var noisePercent: Double
    /// A fresh noise sample every this many seconds, interpolated linearly in between.
    public var noiseIntervalS: Double

    enum CodingKeys: String, CodingKey, CaseIterable {
        case profile, powerFactor = "power_factor", noisePercent = "noise_pct", noiseIntervalS = "noise_interval_s"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.refuseUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        profile = try c.decode([BaseLoadPoint].self, forKey: .profile)
        try c.checkHours(profile.map(\.hour), .profile)
        powerFactor = try c.number(.powerFactor, in: 0.5...1, default: 0.95)
        noisePercent = try c.number(.noisePercent, in: 0...50, unit: "%", default: 5)
        noiseIntervalS = try c.number(.noiseIntervalS, in: 1...3600, unit: "s", default: 60)
    }
}

/// Household kW per phase at an hour of the day.
public struct BaseLoadPoint: Sendable, Hashable, Codable {
    public var hour: Double
    public var kilowatts: PerPhase<Double>

    enum CodingKeys: String, CodingKey, CaseIterable { case hour, kilowatts = "kw" }

    public init(from decoder: any Decoder) throws {
        try decoder.refuseUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        hour = try c.number(.hour, in: 0...23.999_999, unit: "h")
        kilowatts = try c.perPhaseNumbers(.kilowatts, in: 0...10_000, unit: "kW")
    }
}

/// System frequency: nominal plus small seeded noise (excursions are events).
public struct FrequencySpec: Sendable, Hashable, Codable {
    public var nominalHz: Double
    /// Standard deviation of the noise, in Hz.
    public var noiseHz: Double
    public var noiseIntervalS: Double

    public static let standard = FrequencySpec(nominalHz: 60, noiseHz: 0.005, noiseIntervalS: 5)

    public init(nominalHz: Double, noiseHz: Double, noiseIntervalS: Double) {
        self.nominalHz = nominalHz
        self.noiseHz = noiseHz
        self.noiseIntervalS = noiseIntervalS
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case nominalHz = "nominal_hz", noiseHz = "noise_hz", noiseIntervalS = "noise_interval_s"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.refuseUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        nominalHz = try c.number(.nominalHz, in: 45...65, unit: "Hz", default: 60)
        noiseHz = try c.number(.noiseHz, in: 0...0.5, unit: "Hz", default: 0.005)
        noiseIntervalS = try c.number(.noiseIntervalS, in: 0.1...3600, unit: "s", default: 5)
    }
}

/// A first-order battery temperature: it tends to ambient + rise·|P| with a time constant.
public struct BatteryThermalSpec: Sendable, Hashable, Codable {
    public var riseKPerKW: Double
    public var timeConstantS: Double

    public static let standard = BatteryThermalSpec(riseKPerKW: 0.8, timeConstantS: 1800)

    public init(riseKPerKW: Double, timeConstantS: Double) {
        self.riseKPerKW = riseKPerKW
        self.timeConstantS = timeConstantS
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case riseKPerKW = "rise_k_per_kw", timeConstantS = "time_constant_s"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.refuseUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        riseKPerKW = try c.number(.riseKPerKW, in: 0...10, unit: "K/kW", default: Self.standard.riseKPerKW)
        timeConstantS = try c.number(.timeConstantS, in: 10...86_400, unit: "s", default: Self.standard.timeConstantS)
    }
}
