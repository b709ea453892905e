#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
public import GridCore

/// Something that happens to the feeder or to the field devices for a while.
public struct ScenarioEvent: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        /// Upstream voltage of one phase drops to `pu`.
        case voltageSag = "voltage_sag"
        /// Midday PV: upstream voltage raised by `voltage_rise_pu` and `pv_kw` taken off the base load (half-sine).
        case pvOvervoltage = "pv_overvoltage"
        /// Frequency follows `points` (seconds after start → Hz) instead of nominal; noise stays on top.
        case frequencyExcursion = "frequency_excursion"
        /// `charger` stops answering on the bus; it keeps running and reverts by itself.
        case chargerOffline = "charger_offline"
        /// The meter's values stop changing.
        case meterFrozen = "meter_frozen"
        /// The wiring layer serves garbage in `device`'s `point` register.
        case garbageRegisters = "garbage_registers"
        /// The transformer's ambient is raised by `rise_k`, or held at `ambient_c` (a heat wave, a blocked vent).
        case hotTransformer = "hot_transformer"
    }

    public var kind: Kind
    public var start: Timestamp
    public var durationS: Double
    public var phase: Phase?
    public var perUnit: Double?
    public var voltageRisePU: Double?
    public var pvKW: PerPhase<Double>?
    public var points: [FrequencyPoint]?
    public var chargerID: String?
    public var device: String?
    public var point: String?
    /// A hot transformer: kelvin added to the ambient profile, or the ambient it is held at (exactly one is given).
    public var ambientRiseK: Double?
    public var ambientHeldC: Double?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case kind, start, durationS = "duration_s", phase, perUnit = "pu", voltageRisePU = "voltage_rise_pu"
        case pvKW = "pv_kw", points, chargerID = "charger", device, point, ambientRiseK = "rise_k", ambientHeldC = "ambient_c"
    }

    /// The keys each kind needs (besides kind, start, duration_s) and the optional ones it accepts.
    static func keys(for kind: Kind) -> (required: [CodingKeys], optional: [CodingKeys]) {
        switch kind {
        case .voltageSag: ([.phase, .perUnit], [])
        case .pvOvervoltage: ([.voltageRisePU], [.pvKW])
        case .frequencyExcursion: ([.points], [])
        case .chargerOffline: ([.chargerID], [])
        case .meterFrozen: ([], [])
        case .garbageRegisters: ([.device, .point], [])
        case .hotTransformer: ([], [.ambientRiseK, .ambientHeldC])
        }
    }

    public init(from decoder: any Decoder) throws {
        try self.init(from: decoder, alsoAllowing: [])
    }

    /// Decodes an event whose object may also carry `extra` keys, which the caller reads (a neighborhood's
    /// `transformer`).
    init(from decoder: any Decoder, alsoAllowing extra: [String]) throws {
        try decoder.refuseUnknownKeys(CodingKeys.self, alsoAllowing: extra)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        kind = try c.decode(Kind.self, forKey: .kind)
        start = Timestamp(secondsSinceEpoch: try c.number(.start, in: 0...1e11, unit: "s"))
        durationS = try c.number(.durationS, in: 0...7 * 86_400, unit: "s")
        let (required, optional) = Self.keys(for: kind)
        for key in CodingKeys.allCases where ![.kind, .start, .durationS].contains(key) {
            if required.contains(key), !c.contains(key) { throw ScenarioError.missingField(c.path(key)) }
            if c.contains(key), !required.contains(key), !optional.contains(key) {
                throw ScenarioError.inconsistent(c.path(key), "does not apply to a \(kind.rawValue) event")
            }
        }
        phase = try c.decodeIfPresent(Phase.self, forKey: .phase)
        perUnit = try c.optionalNumber(.perUnit, in: 0...1.5, unit: "pu")
        voltageRisePU = try c.optionalNumber(.voltageRisePU, in: 0...0.3, unit: "pu")
        pvKW = c.contains(.pvKW) ? try c.perPhaseNumbers(.pvKW, in: 0...10_000, unit: "kW") : nil
        points = try c.decodeIfPresent([FrequencyPoint].self, forKey: .points)
        if let points {
            guard !points.isEmpty else { throw ScenarioError.inconsistent(c.path(.points), "needs at least one point") }
            for i in points.indices.dropFirst() where points[i].atS <= points[i - 1].atS {
                throw ScenarioError.inconsistent("\(c.path(.points))[\(i)].at_s", "must increase strictly")
            }
        }
        chargerID = try c.decodeIfPresent(String.self, forKey: .chargerID)
        device = try c.decodeIfPresent(String.self, forKey: .device)
        point = try c.decodeIfPresent(String.self, forKey: .point)
        ambientRiseK = try c.optionalNumber(.ambientRiseK, in: AmbientAdjustment.riseRangeK, unit: "K")
        ambientHeldC = try c.optionalNumber(.ambientHeldC, in: AmbientAdjustment.heldRangeC, unit: "°C")
        if kind == .hotTransformer, (ambientRiseK == nil) == (ambientHeldC == nil) {
            throw ScenarioError.inconsistent(c.path(.ambientRiseK), "a hot_transformer event gives exactly one of rise_k and ambient_c")
        }
    }

    /// The ambient while this event is active: `ambientC` raised or replaced; unchanged when it is not a hot
    /// transformer or not active.
    func ambientC(_ ambientC: Double, at time: Timestamp) -> Double {
        guard kind == .hotTransformer, isActive(at: time) else { return ambientC }
        if let held = ambientHeldC { return held }
        return ambientC + (ambientRiseK ?? 0)
    }

    /// True from `start` (inclusive) for `durationS` seconds.
    public func isActive(at time: Timestamp) -> Bool {
        time >= start && time - start < durationS
    }

    /// 0 at the edges, 1 in the middle: the PV bell over the event.
    func halfSine(at time: Timestamp) -> Double {
        guard isActive(at: time), durationS > 0 else { return 0 }
        return sin(.pi * (time - start) / durationS)
    }

    /// Frequency from `points` at `time`, flat beyond the first and last point.
    func excursionHz(at time: Timestamp) -> Double? {
        guard isActive(at: time), let points, let first = points.first, let last = points.last else { return nil }
        let offset = time - start
        if offset <= first.atS { return first.hz }
        if offset >= last.atS { return last.hz }
        var i = 1
        while points[i].atS < offset { i += 1 }
        let fraction = (offset - points[i - 1].atS) / (points[i].atS - points[i - 1].atS)
        return points[i - 1].hz + (points[i].hz - points[i - 1].hz) * fraction
    }
}

/// A point of a frequency excursion: seconds after the event's start, and the frequency then.
public struct FrequencyPoint: Sendable, Hashable, Codable {
    public var atS: Double
    public var hz: Double

    enum CodingKeys: String, CodingKey, CaseIterable { case atS = "at_s", hz }

    public init(from decoder: any Decoder) throws {
        try decoder.refuseUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        atS = try c.number(.atS, in: 0...7 * 86_400, unit: "s")
        hz = try c.number(.hz, in: 40...70, unit: "Hz")
    }
}
