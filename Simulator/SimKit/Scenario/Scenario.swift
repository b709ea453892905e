internal import FoundationEssentials
public import GridCore

/// Everything the field simulator needs: the feeder, its loads, the chargers and EVs, and the events.
/// Decoded from snake_case JSON (see docs/simulator.md); unknown keys are refused and errors name the field.
public struct Scenario: Sendable, Hashable, Codable {
    public var name: String?
    /// Seeds every random draw: the same seed gives the same run.
    public var seed: UInt64
    public var startTime: Timestamp
    public var durationS: Double
    /// Local time = UTC + this, for the daily profiles.
    public var utcOffsetS: Double
    /// Simulated seconds per wall-clock second, for the runner; the physics only sees simulated seconds.
    public var timeAcceleration: Double
    /// The longest internal integration step, in simulated seconds.
    public var stepS: Double
    public var transformer: TransformerSpec
    /// Upstream (primary-side) voltage in per unit of nominal, over the day.
    public var upstreamVoltagePU: [DailyPoint]
    public var ambientC: [DailyPoint]
    public var frequency: FrequencySpec
    public var baseLoad: BaseLoadSpec
    public var batteryThermal: BatteryThermalSpec
    public var chargers: [ChargerSpec]
    public var sessionGenerator: SessionGenerator?
    public var events: [ScenarioEvent]

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, seed, startTime = "start_time", durationS = "duration_s", utcOffsetS = "utc_offset_s"
        case timeAcceleration = "time_acceleration", stepS = "step_s", transformer
        case upstreamVoltagePU = "upstream_voltage_pu", ambientC = "ambient_c", frequency, baseLoad = "base_load"
        case batteryThermal = "battery_thermal", chargers, sessionGenerator = "session_generator", events
    }

    /// Decodes and checks a scenario file's bytes.
    public static func decode(from bytes: [UInt8]) throws(ScenarioError) -> Scenario {
        do {
            return try JSONDecoder().decode(Scenario.self, from: Data(bytes))
        } catch let error as ScenarioError {
            throw error
        } catch let error as DecodingError {
            throw ScenarioError.from(error)
        } catch {
            throw ScenarioError.malformedJSON("\(error)")
        }
    }

    public init(from decoder: any Decoder) throws {
        try self.init(from: decoder, clock: nil)
    }

    /// Decodes a scenario; with `clock`, one of a neighborhood's transformers, whose clock keys the neighborhood
    /// sets (see `NeighborhoodClock`).
    init(from decoder: any Decoder, clock: NeighborhoodClock?) throws {
        try decoder.refuseUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decodeIfPresent(String.self, forKey: .name)
        if let clock {
            try clock.check(c)
            (seed, startTime, durationS, utcOffsetS) = (clock.seed, clock.startTime, clock.durationS, clock.utcOffsetS)
            (timeAcceleration, stepS) = (clock.timeAcceleration, clock.stepS)
        } else {
            seed = try c.decode(UInt64.self, forKey: .seed)
            startTime = Timestamp(secondsSinceEpoch: try c.number(.startTime, in: Self.startRange, unit: "s"))
            durationS = try c.number(.durationS, in: Self.durationRangeS, unit: "s")
            utcOffsetS = try c.number(.utcOffsetS, in: Self.utcOffsetRangeS, unit: "s", default: 0)
            timeAcceleration = try c.number(.timeAcceleration, in: Self.accelerationRange, default: 1)
            stepS = try c.number(.stepS, in: Self.stepRangeS, unit: "s", default: 1)
        }
        transformer = try c.decode(TransformerSpec.self, forKey: .transformer)
        upstreamVoltagePU = c.contains(.upstreamVoltagePU)
            ? try c.dailyProfile(.upstreamVoltagePU, in: 0.5...1.5, unit: "pu") : [DailyPoint(hour: 0, value: 1)]
        ambientC = c.contains(.ambientC) ? try c.dailyProfile(.ambientC, in: -50...60, unit: "°C") : [DailyPoint(hour: 0, value: 25)]
        frequency = try c.decodeIfPresent(FrequencySpec.self, forKey: .frequency) ?? .standard
        baseLoad = try c.decode(BaseLoadSpec.self, forKey: .baseLoad)
        batteryThermal = try c.decodeIfPresent(BatteryThermalSpec.self, forKey: .batteryThermal) ?? .standard
        chargers = try c.decode([ChargerSpec].self, forKey: .chargers)
        sessionGenerator = try c.decodeIfPresent(SessionGenerator.self, forKey: .sessionGenerator)
        events = try c.decodeIfPresent([ScenarioEvent].self, forKey: .events) ?? []
        try checkReferences(c)
    }

    private func checkReferences(_ c: KeyedDecodingContainer<CodingKeys>) throws {
        var seen = Set<String>()
        for (i, charger) in chargers.enumerated() where !seen.insert(charger.id).inserted {
            throw ScenarioError.inconsistent("\(c.path(.chargers))[\(i)].id", "\"\(charger.id)\" is used twice")
        }
        for (i, event) in events.enumerated() {
            if let id = event.chargerID, !seen.contains(id) {
                throw ScenarioError.inconsistent("\(c.path(.events))[\(i)].charger", "no charger has id \"\(id)\"")
            }
            if let device = event.device, !Self.fixedDevices.contains(device), !seen.contains(device) {
                throw ScenarioError.inconsistent(
                    "\(c.path(.events))[\(i)].device", "must be \"meter\", \"transformer\" or a charger id, got \"\(device)\""
                )
            }
        }
    }

    static let startRange = 0.0...1e11
    static let durationRangeS = 1.0...(31 * 86_400)
    static let utcOffsetRangeS = (-14.0 * 3600)...(14 * 3600)
    static let accelerationRange = 0.01...100_000.0
    static let stepRangeS = 0.05...10.0

    /// The devices besides the chargers that a garbage-register event may name.
    public static let fixedDevices: Set<String> = ["meter", "transformer"]

    /// The end of the scenario.
    public var endTime: Timestamp { startTime + durationS }

    /// When the last EV leaves (the scenario's end when no EV comes): a rehearsal runs to here by default, so every
    /// session is judged on the energy it left with.
    public var lastDeparture: Timestamp {
        chargers.indices.flatMap { sessions(forChargerAt: $0) }.map(\.departure).max() ?? endTime
    }

    /// The sessions of the charger at `index`: its own, or one drawn by the generator, or none.
    public func sessions(forChargerAt index: Int) -> [SessionSpec] {
        let charger = chargers[index]
        if let sessions = charger.sessions { return sessions }
        guard let generator = sessionGenerator else { return [] }
        return [generator.session(seed: seed, index: index, charger: charger)]
    }

    /// Hour of the local day at `time`, 0 ≤ hour < 24.
    public func hourOfDay(at time: Timestamp) -> Double {
        let seconds = (time.secondsSinceEpoch + utcOffsetS).truncatingRemainder(dividingBy: 86_400)
        return (seconds < 0 ? seconds + 86_400 : seconds) / 3600
    }
}
