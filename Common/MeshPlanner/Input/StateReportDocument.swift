public import GridCore

/// The live state report an agent posts about every 2 s (`POST /v1/agents/{id}/state`, docs/envelopes.md): one wire
/// type for both sides. The agent builds it from one control cycle and encodes it (AgentKit); the aggregator decodes
/// it strictly (every key known, every number range-checked, errors naming the field) and turns it into the planner's
/// `TransformerReport` (`StateReportDocument+Planning.swift`).
///
/// A value unknown this cycle (no meter reading, no thermal estimate yet, no EV, an implausible SoC, a NaN register)
/// is left out, never guessed; what the planner makes of each gap is decided in one place, the conversion.
public struct StateReportDocument: Sendable, Hashable, Codable {
    /// The largest body the aggregator reads; a dozen chargers take about 3 KB.
    public static let maxBytes = 64 * 1024
    /// More chargers than one transformer feeds is a broken report, not a big one.
    public static let maxChargers = 200
    /// Sequences are JSON numbers, exact to 2^53 − 1.
    static let maxSequence = 9_007_199_254_740_991

    public var agentID: String
    /// Counts up from 1 at each agent start.
    public var sequence: Int
    /// When the cycle ran (its meter reading's time, the agent's clock).
    public var at: Timestamp
    public var mode: CycleOutcome.Mode
    public var policyVersion: Int
    /// The envelope the cycle ran under, when one was applied.
    public var envelopeSequence: Int?
    /// Nameplate |S| (policy `transformer.rated_kva`).
    public var ratedKVA: Double
    /// The policy's `ev.discharge_enabled`: false forbids every discharge on this transformer.
    public var dischargeEnabled: Bool
    /// The widest two phases' loads may be set apart, in kW; absent: the policy sets none.
    public var phaseBalanceLimitKW: Double?
    /// The secondary meter; absent when the meter did not answer this cycle.
    public var phases: PerPhase<PhaseState>?
    public var thermal: Thermal
    public var chargers: [Charger]

    public init(
        agentID: String, sequence: Int, at: Timestamp, mode: CycleOutcome.Mode, policyVersion: Int, envelopeSequence: Int? = nil,
        ratedKVA: Double, dischargeEnabled: Bool = true, phaseBalanceLimitKW: Double? = nil, phases: PerPhase<PhaseState>?,
        thermal: Thermal, chargers: [Charger]
    ) {
        self.agentID = agentID
        self.sequence = sequence
        self.at = at
        self.mode = mode
        self.policyVersion = policyVersion
        self.envelopeSequence = envelopeSequence
        self.ratedKVA = ratedKVA
        self.dischargeEnabled = dischargeEnabled
        self.phaseBalanceLimitKW = phaseBalanceLimitKW
        self.phases = phases
        self.thermal = thermal
        self.chargers = chargers
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case agentID = "agent_id", sequence, at, mode, policyVersion = "policy_version", envelopeSequence = "envelope_sequence"
        case ratedKVA = "rated_kva", dischargeEnabled = "discharge_enabled", phaseBalanceLimitKW = "phase_balance_limit_kw"
        case phases, thermal, chargers
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        agentID = try c.decodeID(.agentID)
        sequence = try c.decodeCount(.sequence, in: 1...Self.maxSequence)
        at = try c.decodeTime(.at)
        mode = try c.decode(CycleOutcome.Mode.self, forKey: .mode)
        policyVersion = try c.decodeCount(.policyVersion, in: 0...Self.maxSequence)
        envelopeSequence = try c.contains(.envelopeSequence) ? c.decodeCount(.envelopeSequence, in: 1...Self.maxSequence) : nil
        ratedKVA = try c.decode(.ratedKVA, in: Plausible.transformerKVA, unit: "kVA")
        dischargeEnabled = try c.decode(Bool.self, forKey: .dischargeEnabled)
        phaseBalanceLimitKW = try c.decodeIfPresent(.phaseBalanceLimitKW, in: 0...100_000, unit: "kW")
        phases = try c.decodeIfPresent(PerPhase<PhaseState>.self, forKey: .phases)
        thermal = try c.decode(Thermal.self, forKey: .thermal)
        chargers = try c.decode([Charger].self, forKey: .chargers)
        guard chargers.count <= Self.maxChargers else {
            throw c.corrupted(.chargers, "chargers: \(chargers.count) listed, at most \(Self.maxChargers)")
        }
        try refuseDuplicateIDs(chargers.map(\.id), list: CodingKeys.chargers, idKey: Charger.CodingKeys.id, decoder: decoder)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(agentID, forKey: .agentID)
        try c.encode(sequence, forKey: .sequence)
        try c.encodeTime(at, forKey: .at)
        try c.encode(mode, forKey: .mode)
        try c.encode(policyVersion, forKey: .policyVersion)
        try c.encodeIfPresent(envelopeSequence, forKey: .envelopeSequence)
        try c.encode(ratedKVA, forKey: .ratedKVA)
        try c.encode(dischargeEnabled, forKey: .dischargeEnabled)
        try c.encodeIfPresent(phaseBalanceLimitKW, forKey: .phaseBalanceLimitKW)
        try c.encodeIfPresent(phases, forKey: .phases)
        try c.encode(thermal, forKey: .thermal)
        try c.encode(chargers, forKey: .chargers)
    }
}

extension StateReportDocument {
    /// One phase of the secondary meter, + P = import. A NaN register is left out.
    public struct PhaseState: Sendable, Hashable, Codable {
        public var activePowerKW: Double?
        public var reactivePowerKvar: Double?
        public var voltageV: Double?
        public var currentA: Double?

        public init(activePowerKW: Double?, reactivePowerKvar: Double?, voltageV: Double?, currentA: Double?) {
            self.activePowerKW = activePowerKW
            self.reactivePowerKvar = reactivePowerKvar
            self.voltageV = voltageV
            self.currentA = currentA
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case activePowerKW = "p_kw", reactivePowerKvar = "q_kvar", voltageV = "v_v", currentA = "i_a"
        }

        public init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            activePowerKW = try c.decodeIfPresent(.activePowerKW, in: Plausible.phaseKW, unit: "kW")
            reactivePowerKvar = try c.decodeIfPresent(.reactivePowerKvar, in: Plausible.phaseKW, unit: "kvar")
            voltageV = try c.decodeIfPresent(.voltageV, in: Plausible.voltageV, unit: "V")
            currentA = try c.decodeIfPresent(.currentA, in: Plausible.currentA, unit: "A")
        }
    }

    /// The thermal step's IEC 60076-7 estimate and the thermal limits of the policy it ran under.
    public struct Thermal: Sendable, Hashable, Codable {
        /// Absent until the thermal step has run once.
        public var topOilC: Double?
        public var hotSpotC: Double?
        /// The peak hot-spot the step forecasts over its horizon at the present load.
        public var forecastHotSpotC: Double?
        /// The ambient the step used: the sensor's, or the policy's default when none reads plausibly.
        public var ambientC: Double
        /// The policy's `thermal.parameters`.
        public var parameters: ThermalParameters
        public var hotSpotLimitC: Double
        public var marginK: Double
        public var horizonMinutes: Double
        public var loadKVA: Double?
        /// The load the step allows over its horizon without passing the hot-spot limit.
        public var allowedKVA: Double?
        /// allowed − load: what the transformer can still take (negative: it must shed).
        public var headroomKVA: Double?

        public init(
            topOilC: Double?, hotSpotC: Double?, forecastHotSpotC: Double? = nil, ambientC: Double,
            parameters: ThermalParameters = .onanDistribution, hotSpotLimitC: Double = 98, marginK: Double = 1,
            horizonMinutes: Double = 15, loadKVA: Double? = nil, allowedKVA: Double? = nil, headroomKVA: Double? = nil
        ) {
            self.topOilC = topOilC
            self.hotSpotC = hotSpotC
            self.forecastHotSpotC = forecastHotSpotC
            self.ambientC = ambientC
            self.parameters = parameters
            self.hotSpotLimitC = hotSpotLimitC
            self.marginK = marginK
            self.horizonMinutes = horizonMinutes
            self.loadKVA = loadKVA
            self.allowedKVA = allowedKVA
            self.headroomKVA = headroomKVA
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case topOilC = "top_oil_c", hotSpotC = "hot_spot_c", forecastHotSpotC = "forecast_hot_spot_c", ambientC = "ambient_c"
            case parameters, hotSpotLimitC = "hot_spot_limit_c", marginK = "margin_k", horizonMinutes = "horizon_min"
            case loadKVA = "load_kva", allowedKVA = "allowed_kva", headroomKVA = "headroom_kva"
        }

        public init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            topOilC = try c.decodeIfPresent(.topOilC, in: Plausible.topOilC, unit: "°C")
            hotSpotC = try c.decodeIfPresent(.hotSpotC, in: Plausible.hotSpotC, unit: "°C")
            forecastHotSpotC = try c.decodeIfPresent(.forecastHotSpotC, in: Plausible.hotSpotC, unit: "°C")
            ambientC = try c.decode(.ambientC, in: Plausible.ambientC, unit: "°C")
            parameters = try c.decode(ThermalParameters.self, forKey: .parameters)
            do {
                try parameters.validate()
            } catch {
                throw c.corrupted(.parameters, error.message)
            }
            hotSpotLimitC = try c.decode(.hotSpotLimitC, in: 60...140, unit: "°C")
            marginK = try c.decode(.marginK, in: 0...10, unit: "K")
            horizonMinutes = try c.decode(.horizonMinutes, in: 1...120, unit: "min")
            loadKVA = try c.decodeIfPresent(.loadKVA, in: Plausible.loadKVA, unit: "kVA")
            allowedKVA = try c.decodeIfPresent(.allowedKVA, in: Plausible.loadKVA, unit: "kVA")
            headroomKVA = try c.decodeIfPresent(.headroomKVA, in: Plausible.headroomKVA, unit: "kVA")
        }
    }

    /// One charger: its ratings, what it does, and its EV.
    public struct Charger: Sendable, Hashable, Codable {
        public var id: String
        public var connection: PhaseConnection
        /// False when the charger did not answer this cycle.
        public var online: Bool
        /// Measured active power, + = charging; absent when the register read NaN.
        public var activePowerKW: Double?
        /// What the cycle commanded.
        public var setpointKW: Double?
        public var ratedChargeKW: Double
        /// 0 for a charger that cannot discharge.
        public var ratedDischargeKW: Double
        public var ratedKVA: Double
        /// Absent when no EV is plugged in.
        public var ev: EV?

        public init(
            id: String, connection: PhaseConnection, online: Bool = true, activePowerKW: Double? = nil, setpointKW: Double? = nil,
            ratedChargeKW: Double, ratedDischargeKW: Double = 0, ratedKVA: Double, ev: EV? = nil
        ) {
            self.id = id
            self.connection = connection
            self.online = online
            self.activePowerKW = activePowerKW
            self.setpointKW = setpointKW
            self.ratedChargeKW = ratedChargeKW
            self.ratedDischargeKW = ratedDischargeKW
            self.ratedKVA = ratedKVA
            self.ev = ev
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case id, connection = "phase", online, activePowerKW = "p_kw", setpointKW = "setpoint_kw"
            case ratedChargeKW = "rated_charge_kw", ratedDischargeKW = "rated_discharge_kw", ratedKVA = "rated_kva", ev
        }

        public init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            id = try c.decodeID(.id)
            connection = try c.decode(PhaseConnection.self, forKey: .connection)
            online = try c.decode(Bool.self, forKey: .online)
            activePowerKW = try c.decodeIfPresent(.activePowerKW, in: Plausible.chargerKW, unit: "kW")
            setpointKW = try c.decodeIfPresent(.setpointKW, in: Plausible.chargerKW, unit: "kW")
            ratedChargeKW = try c.decode(.ratedChargeKW, in: Plausible.chargerRating, unit: "kW")
            ratedDischargeKW = try c.decode(.ratedDischargeKW, in: Plausible.chargerRating, unit: "kW")
            ratedKVA = try c.decode(.ratedKVA, in: Plausible.chargerRating, unit: "kVA")
            ev = try c.decodeIfPresent(EV.self, forKey: .ev)
        }
    }

    /// The EV behind a charger. Energies are derived on the agent from the SoC, the battery's capacity and the
    /// policy's minimum SoC; each is absent when what it comes from is unknown.
    public struct EV: Sendable, Hashable, Codable {
        /// Absent when the EV reports an implausible SoC.
        public var socPercent: Double?
        /// Energy above the policy's minimum SoC (0 at or below it).
        public var energyAvailableKWh: Double?
        /// Energy to a full battery.
        public var energyToFullKWh: Double?
        /// What the driver still needs by `departure`; absent: the driver (or the EV) said nothing usable.
        public var energyNeededKWh: Double?
        public var departure: Timestamp?
        /// The driver's V2G consent.
        public var dischargeAllowed: Bool
        /// The driver's consent (or the policy's `ev.charge_past_target`) to charge past the target, up to full.
        public var chargePastTarget: Bool

        public init(
            socPercent: Double?, energyAvailableKWh: Double? = nil, energyToFullKWh: Double? = nil, energyNeededKWh: Double? = nil,
            departure: Timestamp? = nil, dischargeAllowed: Bool = false, chargePastTarget: Bool = false
        ) {
            self.socPercent = socPercent
            self.energyAvailableKWh = energyAvailableKWh
            self.energyToFullKWh = energyToFullKWh
            self.energyNeededKWh = energyNeededKWh
            self.departure = departure
            self.dischargeAllowed = dischargeAllowed
            self.chargePastTarget = chargePastTarget
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case socPercent = "soc_pct", energyAvailableKWh = "energy_available_kwh", energyToFullKWh = "energy_to_full_kwh"
            case energyNeededKWh = "energy_needed_kwh", departure, dischargeAllowed = "discharge_allowed"
            case chargePastTarget = "charge_past_target"
        }

        public init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            socPercent = try c.decodeIfPresent(.socPercent, in: Plausible.socPercent, unit: "%")
            energyAvailableKWh = try c.decodeIfPresent(.energyAvailableKWh, in: Plausible.energyKWh, unit: "kWh")
            energyToFullKWh = try c.decodeIfPresent(.energyToFullKWh, in: Plausible.energyKWh, unit: "kWh")
            energyNeededKWh = try c.decodeIfPresent(.energyNeededKWh, in: Plausible.energyKWh, unit: "kWh")
            departure = try c.decodeTimeIfPresent(.departure)
            dischargeAllowed = try c.decode(Bool.self, forKey: .dischargeAllowed)
            chargePastTarget = try c.decode(Bool.self, forKey: .chargePastTarget)
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encodeIfPresent(socPercent, forKey: .socPercent)
            try c.encodeIfPresent(energyAvailableKWh, forKey: .energyAvailableKWh)
            try c.encodeIfPresent(energyToFullKWh, forKey: .energyToFullKWh)
            try c.encodeIfPresent(energyNeededKWh, forKey: .energyNeededKWh)
            try c.encodeTimeIfPresent(departure, forKey: .departure)
            try c.encode(dischargeAllowed, forKey: .dischargeAllowed)
            try c.encode(chargePastTarget, forKey: .chargePastTarget)
        }
    }
}

extension StateReportDocument {
    /// What the aggregator accepts for each value: the agent leaves out a reading outside these (a garbage
    /// register) rather than send what would be refused, so both sides read the ranges from here.
    public enum Plausible {
        public static let transformerKVA = 1.0...100_000
        public static let phaseKW = -100_000.0...100_000
        public static let voltageV = 0.0...100_000
        public static let currentA = 0.0...1_000_000
        public static let topOilC = -50.0...200
        public static let hotSpotC = -50.0...300
        public static let ambientC = -50.0...60
        public static let loadKVA = 0.0...1_000_000
        public static let headroomKVA = -1_000_000.0...1_000_000
        public static let chargerKW = -1_000.0...1_000
        public static let chargerRating = 0.0...1_000
        public static let socPercent = 0.0...100
        public static let energyKWh = 0.0...10_000

        /// `value` when it is a number within `range`, else nil (left out of the report).
        public static func value(_ value: Double?, in range: ClosedRange<Double>) -> Double? {
            guard let value, value.isFinite, range.contains(value) else { return nil }
            return value
        }
    }
}

extension KeyedDecodingContainer {
    /// A whole number within `range` (a sequence, a version); the error names the key, the value and the range.
    func decodeCount(_ key: Key, in range: ClosedRange<Int>) throws -> Int {
        let value = try decode(Double.self, forKey: key)
        guard value.isFinite, value == value.rounded(), Double(range.lowerBound) <= value, value <= Double(range.upperBound) else {
            throw corrupted(key, "\(key.stringValue) = \(value) must be a whole number in \(range.lowerBound)…\(range.upperBound)")
        }
        return Int(value)
    }
}
