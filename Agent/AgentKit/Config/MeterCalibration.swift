public import GridCore

/// A linear correction of one measured channel: corrected = gain × raw + offset.
public struct ChannelCalibration: Sendable, Hashable, Codable {
    public var gain: Double = 1
    public var offset: Double = 0

    public init(gain: Double = 1, offset: Double = 0) {
        self.gain = gain
        self.offset = offset
    }

    public static let identity = ChannelCalibration()

    enum CodingKeys: String, CodingKey, CaseIterable { case gain, offset }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        gain = try c.value(.gain, default: gain)
        offset = try c.value(.offset, default: offset)
    }

    public func apply(_ raw: Double) -> Double { gain * raw + offset }
}

/// Per-channel calibration of the transformer meter; every channel defaults to gain 1, offset 0.
/// JSON: `{"voltage_v": {"A": {"gain": 1.002}}, "frequency_hz": {"offset": -0.001}}`.
public struct MeterCalibration: Sendable, Hashable, Codable {
    public var voltageV: PerPhase<ChannelCalibration> = .init(repeating: .identity)
    public var currentA: PerPhase<ChannelCalibration> = .init(repeating: .identity)
    public var activePowerKW: PerPhase<ChannelCalibration> = .init(repeating: .identity)
    public var reactivePowerKvar: PerPhase<ChannelCalibration> = .init(repeating: .identity)
    public var frequencyHz: ChannelCalibration = .identity

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case voltageV = "voltage_v", currentA = "current_a", activePowerKW = "active_power_kw"
        case reactivePowerKvar = "reactive_power_kvar", frequencyHz = "frequency_hz"
    }

    /// Per-phase channels where any phase may be left out.
    private enum PhaseKeys: String, CodingKey, CaseIterable { case a = "A", b = "B", c = "C" }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func phases(_ key: CodingKeys) throws -> PerPhase<ChannelCalibration> {
            guard c.contains(key) else { return .init(repeating: .identity) }
            try c.superDecoder(forKey: key).rejectUnknownKeys(PhaseKeys.self)
            let p = try c.nestedContainer(keyedBy: PhaseKeys.self, forKey: key)
            return PerPhase(a: try p.value(.a, default: .identity), b: try p.value(.b, default: .identity), c: try p.value(.c, default: .identity))
        }
        voltageV = try phases(.voltageV)
        currentA = try phases(.currentA)
        activePowerKW = try phases(.activePowerKW)
        reactivePowerKvar = try phases(.reactivePowerKvar)
        frequencyHz = try c.value(.frequencyHz, default: .identity)
    }

    /// Every channel with its JSON name, for validation messages.
    var channels: [(name: String, calibration: ChannelCalibration)] {
        var list: [(String, ChannelCalibration)] = []
        for (name, perPhase) in [("voltage_v", voltageV), ("current_a", currentA), ("active_power_kw", activePowerKW), ("reactive_power_kvar", reactivePowerKvar)] {
            for phase in Phase.allCases { list.append(("\(name).\(phase.rawValue)", perPhase[phase])) }
        }
        list.append(("frequency_hz", frequencyHz))
        return list
    }

    /// The reading with every channel corrected.
    public func apply(to reading: MeterReading) -> MeterReading {
        var corrected = reading
        corrected.voltageV = PerPhase { voltageV[$0].apply(reading.voltageV[$0]) }
        corrected.currentA = PerPhase { currentA[$0].apply(reading.currentA[$0]) }
        corrected.activePowerKW = PerPhase { activePowerKW[$0].apply(reading.activePowerKW[$0]) }
        corrected.reactivePowerKvar = PerPhase { reactivePowerKvar[$0].apply(reading.reactivePowerKvar[$0]) }
        corrected.frequencyHz = frequencyHz.apply(reading.frequencyHz)
        return corrected
    }
}
