/// One phase (L1, L2, L3) of a DER's AC measurement (model 701).
public struct DERPhaseValues: Sendable, Hashable {
    /// + is injection (discharge), − absorption (charging), per model 701.
    public var activePowerKW: Double?
    public var reactivePowerKvar: Double?
    public var currentA: Double?
    /// Line-to-neutral voltage (VL1, VL2, VL3).
    public var voltageV: Double?
}

/// Nameplate ratings of a DER (model 702), in engineering units.
public struct DERRatings: Sendable, Hashable {
    public var maxActivePowerKW: Double?
    public var maxApparentPowerKVA: Double?
    public var maxReactiveInjectionKvar: Double?
    public var maxReactiveAbsorptionKvar: Double?
    public var maxChargeRateKW: Double?
    public var maxDischargeRateKW: Double?
    public var nominalVoltageV: Double?
    public var maxCurrentA: Double?
}

/// Storage state of a DER (model 713).
public struct DERStorage: Sendable, Hashable {
    public var capacityKWh: Double?
    public var availableKWh: Double?
    /// State of charge, 0…100 %; a value outside that range reads as nil.
    public var stateOfChargePct: Double?
    /// State of health, 0…100 %; a value outside that range reads as nil.
    public var stateOfHealthPct: Double?
    /// Sta: 0 OK, 1 warning, 2 error.
    public var status: UInt16?
}

/// A bidirectional charger seen as DER: 701 measurement, with 702 ratings and 713 storage when present.
public struct DERValues: Sendable, Hashable {
    /// Total active power; + injection (discharge), − absorption (charging).
    public var activePowerKW: Double?
    public var apparentPowerKVA: Double?
    public var reactivePowerKvar: Double?
    public var powerFactor: Double?
    public var currentA: Double?
    public var lineToLineVoltageV: Double?
    public var lineToNeutralVoltageV: Double?
    public var frequencyHz: Double?
    /// ACType: 0 single phase, 1 split phase, 2 three phase.
    public var acType: UInt16?
    /// St: 0 off, 1 on.
    public var operatingState: UInt16?
    /// InvSt: 0 off … 3 running, 4 throttled, 6 fault, 7 standby.
    public var inverterState: UInt16?
    /// ConnSt: true when connected to the grid.
    public var connected: Bool?
    /// Alrm bitfield (bit 0 ground fault … bit 11 AC under-voltage).
    public var alarms: UInt32?
    public var phaseL1: DERPhaseValues
    public var phaseL2: DERPhaseValues
    public var phaseL3: DERPhaseValues
    /// From model 702, nil when the device lacks it.
    public var ratings: DERRatings?
    /// From model 713, nil when the device lacks it.
    public var storage: DERStorage?

    /// Decodes the three blocks; `measurement` must be model 701.
    public init?(measurement m: SunSpecModelValues, capacity: SunSpecModelValues?, storage s: SunSpecModelValues?) {
        guard m.definition.id == 701 else { return nil }
        func kilo(_ values: SunSpecModelValues, _ name: String) -> Double? { values.value(name).map { $0 / 1000 } }
        func phase(_ p: String) -> DERPhaseValues {
            DERPhaseValues(activePowerKW: kilo(m, "W\(p)"), reactivePowerKvar: kilo(m, "Var\(p)"),
                           currentA: m.value("A\(p)"), voltageV: m.value("V\(p)"))
        }
        activePowerKW = kilo(m, "W")
        apparentPowerKVA = kilo(m, "VA")
        reactivePowerKvar = kilo(m, "Var")
        powerFactor = m.value("PF")
        currentA = m.value("A")
        lineToLineVoltageV = m.value("LLV")
        lineToNeutralVoltageV = m.value("LNV")
        frequencyHz = m.value("Hz")
        acType = m.integer("ACType").map { UInt16($0) }
        operatingState = m.integer("St").map { UInt16($0) }
        inverterState = m.integer("InvSt").map { UInt16($0) }
        connected = m.integer("ConnSt").map { $0 == 1 }
        alarms = m.integer("Alrm").map { UInt32($0) }
        phaseL1 = phase("L1")
        phaseL2 = phase("L2")
        phaseL3 = phase("L3")
        ratings = capacity.flatMap { c in
            guard c.definition.id == 702 else { return nil }
            return DERRatings(
                maxActivePowerKW: kilo(c, "WMaxRtg"), maxApparentPowerKVA: kilo(c, "VAMaxRtg"),
                maxReactiveInjectionKvar: kilo(c, "VarMaxInjRtg"), maxReactiveAbsorptionKvar: kilo(c, "VarMaxAbsRtg"),
                maxChargeRateKW: kilo(c, "WChaRteMaxRtg"), maxDischargeRateKW: kilo(c, "WDisChaRteMaxRtg"),
                nominalVoltageV: c.value("VNomRtg"), maxCurrentA: c.value("AMaxRtg"))
        }
        storage = s.flatMap { s in
            guard s.definition.id == 713 else { return nil }
            func percent(_ name: String) -> Double? { s.value(name).flatMap { (0...100).contains($0) ? $0 : nil } }
            return DERStorage(capacityKWh: kilo(s, "WHRtg"), availableKWh: kilo(s, "WHAvail"),
                              stateOfChargePct: percent("SoC"), stateOfHealthPct: percent("SoH"),
                              status: s.integer("Sta").map { UInt16($0) })
        }
    }
}
