public import GridCore

/// What the planner knows of its neighborhood at one instant: the latest state of every transformer and its chargers
/// (docs/neighborhood.md, "The snapshot"). Today a file holds one; the aggregator's live fleet state is to, later.
public struct NeighborhoodSnapshot: Sendable, Hashable, Codable {
    /// When the snapshot was taken; nil: the planner's `now` is used.
    public var time: Timestamp?
    public var transformers: [TransformerReport]

    public init(time: Timestamp? = nil, transformers: [TransformerReport]) {
        self.time = time
        self.transformers = transformers
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case time, transformers }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        time = try c.decodeTimeIfPresent(.time)
        transformers = try c.decode([TransformerReport].self, forKey: .transformers)
        try refuseDuplicateIDs(transformers.map(\.id), list: CodingKeys.transformers, idKey: TransformerReport.CodingKeys.id, decoder: decoder)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeTimeIfPresent(time, forKey: .time)
        try c.encode(transformers, forKey: .transformers)
    }
}

/// One transformer's latest state report, as its agent sends it about every 2 s.
public struct TransformerReport: Sendable, Hashable, Codable {
    /// The agent's id (its certificate's name): the envelope is addressed to it.
    public var id: String
    /// When the agent measured what the report carries; an old report is left out of the plan.
    public var reportTime: Timestamp
    /// Nameplate |S|, in kVA.
    public var ratedKVA: Double
    /// The secondary meter, per phase (P and Q include the chargers).
    public var phases: PerPhase<PhaseMeasurement>
    public var thermal: TransformerThermalReport
    /// The widest the plan may set two phases' loads apart, in kW; nil: 20 % of a phase's rating (rated_kva / 3).
    public var phaseBalanceLimitKW: Double?
    public var chargers: [ChargerReport]

    public init(
        id: String, reportTime: Timestamp, ratedKVA: Double, phases: PerPhase<PhaseMeasurement>,
        thermal: TransformerThermalReport, phaseBalanceLimitKW: Double? = nil, chargers: [ChargerReport]
    ) {
        self.id = id
        self.reportTime = reportTime
        self.ratedKVA = ratedKVA
        self.phases = phases
        self.thermal = thermal
        self.phaseBalanceLimitKW = phaseBalanceLimitKW
        self.chargers = chargers
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case id, reportTime = "report_time", ratedKVA = "rated_kva", phases, thermal
        case phaseBalanceLimitKW = "phase_balance_limit_kw", chargers
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decodeID(.id)
        reportTime = try c.decodeTime(.reportTime)
        ratedKVA = try c.decode(.ratedKVA, in: 1...100_000, unit: "kVA")
        phases = try c.decode(PerPhase<PhaseMeasurement>.self, forKey: .phases)
        thermal = try c.decode(TransformerThermalReport.self, forKey: .thermal)
        phaseBalanceLimitKW = try c.decodeIfPresent(.phaseBalanceLimitKW, in: 0...100_000, unit: "kW")
        chargers = try c.decode([ChargerReport].self, forKey: .chargers)
        try refuseDuplicateIDs(chargers.map(\.id), list: CodingKeys.chargers, idKey: ChargerReport.CodingKeys.id, decoder: decoder)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encodeTime(reportTime, forKey: .reportTime)
        try c.encode(ratedKVA, forKey: .ratedKVA)
        try c.encode(phases, forKey: .phases)
        try c.encode(thermal, forKey: .thermal)
        try c.encodeIfPresent(phaseBalanceLimitKW, forKey: .phaseBalanceLimitKW)
        try c.encode(chargers, forKey: .chargers)
    }
}

/// One phase of the secondary meter. + P flows from the grid to the loads.
public struct PhaseMeasurement: Sendable, Hashable, Codable {
    public var activePowerKW: Double
    public var reactivePowerKvar: Double
    public var voltageV: Double
    public var currentA: Double

    public init(activePowerKW: Double, reactivePowerKvar: Double = 0, voltageV: Double = 230, currentA: Double = 0) {
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
        activePowerKW = try c.decode(.activePowerKW, in: -100_000...100_000, unit: "kW")
        reactivePowerKvar = try c.decode(.reactivePowerKvar, in: -100_000...100_000, unit: "kvar")
        voltageV = try c.decode(.voltageV, in: 0...100_000, unit: "V")
        currentA = try c.decode(.currentA, in: 0...1_000_000, unit: "A")
    }
}

/// The transformer's temperatures and the thermal limits of its agent's policy.
public struct TransformerThermalReport: Sendable, Hashable, Codable {
    public var topOilC: Double
    public var hotSpotC: Double
    public var ambientC: Double
    /// IEC 60076-7 parameters (the policy's `thermal.parameters`; missing keys: ONAN distribution defaults).
    public var parameters: ThermalParameters
    /// The policy's hot-spot limit (`thermal.hot_spot_limit_c`), °C.
    public var hotSpotLimitC: Double
    /// The policy's `thermal.margin_k`: the headroom search aims this far below the limit.
    public var marginK: Double
    /// The policy's `thermal.horizon_min`: the plan looks at least this far ahead, as the agent does.
    public var horizonMinutes: Double

    public init(
        topOilC: Double, hotSpotC: Double, ambientC: Double, parameters: ThermalParameters = .onanDistribution,
        hotSpotLimitC: Double = 98, marginK: Double = 1, horizonMinutes: Double = 15
    ) {
        self.topOilC = topOilC
        self.hotSpotC = hotSpotC
        self.ambientC = ambientC
        self.parameters = parameters
        self.hotSpotLimitC = hotSpotLimitC
        self.marginK = marginK
        self.horizonMinutes = horizonMinutes
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case topOilC = "top_oil_c", hotSpotC = "hot_spot_c", ambientC = "ambient_c", parameters
        case hotSpotLimitC = "hot_spot_limit_c", marginK = "margin_k", horizonMinutes = "horizon_min"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        topOilC = try c.decode(.topOilC, in: -50...200, unit: "°C")
        hotSpotC = try c.decode(.hotSpotC, in: -50...250, unit: "°C")
        guard hotSpotC >= topOilC else {
            throw c.corrupted(.hotSpotC, "hot_spot_c = \(hotSpotC) is below top_oil_c = \(topOilC): the winding cannot be cooler than the oil")
        }
        ambientC = try c.decode(.ambientC, in: -50...60, unit: "°C")
        parameters = try c.decodeIfPresent(ThermalParameters.self, forKey: .parameters) ?? .onanDistribution
        do {
            try parameters.validate()
        } catch {
            throw c.corrupted(.parameters, error.message)
        }
        hotSpotLimitC = try c.decode(.hotSpotLimitC, in: 60...140, unit: "°C", default: 98)
        marginK = try c.decode(.marginK, in: 0...10, unit: "K", default: 1)
        horizonMinutes = try c.decode(.horizonMinutes, in: 1...120, unit: "min", default: 15)
    }
}
