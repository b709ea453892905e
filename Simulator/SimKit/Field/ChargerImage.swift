import GridCore
import SunSpec

/// One charger's registers: SunSpec 1, 701 (AC measurement), 702 (capacity), 704 (controls, written by the agent),
/// 713 (storage: the EV's battery) and vendor 64901 (the EV session).
/// 701 W is + injection, so a charging EV shows negative W; Var is + injection in both the physics and 701.
struct ChargerImage: Sendable {
    static let models: [SunSpecModelDefinition] = [
        SunSpecModels.derMeasurement, SunSpecModels.derCapacity, SunSpecModels.derControls,
        SunSpecModels.derStorage, SunSpecModels.evSession,
    ]

    let spec: ChargerSpec
    var image: SunSpecImageBuilder
    /// Where model 704's data registers sit, as indices into `image.registers`: the agent owns them.
    let controlIndices: Range<Int>
    private var injectedWh = 0.0, absorbedWh = 0.0, injectedVarh = 0.0, absorbedVarh = 0.0

    /// `maxBatteryKWh` sizes the storage and energy scale factors (the largest battery it will serve).
    init(spec: ChargerSpec, nominalV: Double, maxBatteryKWh: Double) throws {
        self.spec = spec
        let common = SunSpecCommon(manufacturer: "v2g-edge", model: "v2g-sim charger", version: "1", serialNumber: spec.id, deviceAddress: 1)
        image = try SunSpecImageBuilder(common: common, models: Self.models)
        let control = try image.locate("WSetEna", in: 704).block
        controlIndices = (control.dataAddress - image.base)..<(control.dataAddress - image.base + control.length)
        let int16 = ScaleFactorChoice.int16Limit, uint16 = ScaleFactorChoice.uint16Limit
        let watts = spec.ratedKVA * 1000
        let wattsSF = ScaleFactorChoice.finest(for: 2 * watts, rawLimit: int16)
        try image.setScaleFactors([
            "A_SF": ScaleFactorChoice.finest(for: 2 * maxCurrentA(nominalV), rawLimit: int16),
            "V_SF": ScaleFactorChoice.finest(for: 2 * nominalV * 3.0.squareRoot(), rawLimit: uint16),
            "Hz_SF": -3, "W_SF": wattsSF, "VA_SF": wattsSF, "Var_SF": wattsSF, "PF_SF": -3,
            "TotWh_SF": 0, "TotVarh_SF": 0, "Tmp_SF": -1,
        ], in: 701)
        let ratingSF = ScaleFactorChoice.finest(for: watts, rawLimit: uint16)
        try image.setScaleFactors([
            "W_SF": ratingSF, "VA_SF": ratingSF, "Var_SF": ratingSF, "PF_SF": -3, "S_SF": 0,
            "V_SF": ScaleFactorChoice.finest(for: 2 * nominalV, rawLimit: uint16),
            "A_SF": ScaleFactorChoice.finest(for: 2 * maxCurrentA(nominalV), rawLimit: uint16),
        ], in: 702)
        let whSF = ScaleFactorChoice.finest(for: maxBatteryKWh * 1000, rawLimit: uint16)
        try image.setScaleFactors(["WH_SF": whSF, "Pct_SF": -1], in: 713)
        try image.setScaleFactors([
            "W_SF": ratingSF, "En_SF": ScaleFactorChoice.finest(for: maxBatteryKWh, rawLimit: uint16), "Tmp_SF": -1,
        ], in: SunSpecModels.evSession.id)
        try setRatings(nominalV: nominalV)
        // 704 starts with both functions off, WATTS/VARS modes, no reversion; its SFs stay 0 (1 W, 1 var).
        for (name, value) in [("WSetEna", 0.0), ("WSetMod", 1), ("WSet", 0), ("WSetRvrt", 0), ("WSetEnaRvrt", 0),
                              ("WSetRvrtTms", 0), ("WSetRvrtRem", 0), ("VarSetEna", 0), ("VarSetMod", 4), ("VarSet", 0),
                              ("VarSetRvrt", 0), ("VarSetEnaRvrt", 0), ("VarSetRvrtTms", 0), ("VarSetRvrtRem", 0)] {
            try image.put(name, value, in: 704)
        }
        try image.put("ACType", spec.connection == .threePhase ? 2 : 0, in: 701)  // 0 single phase, 2 three phase
        try image.put("ConnSt", 1, in: 701)
        try image.put("Alrm", 0, in: 701)
    }

    private var phaseCount: Double { spec.connection == .threePhase ? 3 : 1 }

    private func maxCurrentA(_ nominalV: Double) -> Double { spec.ratedKVA * 1000 / (nominalV * phaseCount) }

    private mutating func setRatings(nominalV: Double) throws {
        let ratings: [(String, Double)] = [
            ("WMax", max(spec.ratedChargeKW, spec.ratedDischargeKW) * 1000), ("VAMax", spec.ratedKVA * 1000),
            ("VarMaxInj", spec.ratedKVA * 1000), ("VarMaxAbs", spec.ratedKVA * 1000),
            ("WChaRteMax", spec.ratedChargeKW * 1000), ("WDisChaRteMax", spec.ratedDischargeKW * 1000),
            ("VNom", nominalV), ("AMax", maxCurrentA(nominalV)),
        ]
        for (name, value) in ratings {
            try image.put(name + "Rtg", value, in: 702)
            try image.put(name, value, in: 702)
        }
    }

    /// Adds `elapsedS` seconds at the charger's output to the energy counters.
    mutating func accumulate(_ charger: ChargerObservation, elapsedS: Double) {
        guard elapsedS > 0, elapsedS.isFinite else { return }
        let wh = -charger.measuredKW * elapsedS / 3.6  // + injection
        let varh = charger.measuredKvar * elapsedS / 3.6
        if wh > 0 { injectedWh += wh } else { absorbedWh -= wh }
        if varh > 0 { injectedVarh += varh } else { absorbedVarh -= varh }
    }

    /// Writes the charger's output, the voltages at its terminals (`terminal`: the feeder's true meter reading,
    /// which a frozen transformer meter does not stop) and its EV.
    mutating func update(_ charger: ChargerObservation, terminal: MeterReading) throws {
        let watts = -charger.measuredKW * 1000
        let vars = charger.measuredKvar * 1000
        let phases: [(suffix: String, phase: Phase)] = switch spec.connection {
        case .single(let phase): [("L1", phase)]
        case .threePhase: [("L1", .a), ("L2", .b), ("L3", .c)]
        }
        let lineToLine = MeterImage.lineToLineV(terminal)
        let share = 1 / Double(phases.count)
        var totalA = 0.0
        for (suffix, phase) in phases {
            let (w, v) = (watts * share, vars * share)
            let va = (w * w + v * v).squareRoot()
            let amps = va / max(terminal.voltageV[phase], 1)
            try putPhase(suffix, watts: w, vars: v, amps: amps, volts: terminal.voltageV[phase])
            totalA += amps
        }
        if spec.connection == .threePhase {
            for (name, volts) in zip(["VL1L2", "VL2L3", "VL3L1"], lineToLine) { try image.put(name, volts, in: 701) }
        }
        let va = (watts * watts + vars * vars).squareRoot()
        try image.put("W", watts, in: 701)
        try image.put("Var", vars, in: 701)
        try image.put("VA", va, in: 701)
        try image.put("PF", va > 1 ? abs(watts) / va : nil, in: 701)
        try image.put("A", totalA, in: 701)
        try image.put("LNV", phases.map { terminal.voltageV[$0.phase] }.reduce(0, +) / Double(phases.count), in: 701)
        try image.put("LLV", spec.connection == .threePhase ? lineToLine.reduce(0, +) / 3 : nil, in: 701)
        try image.put("Hz", terminal.frequencyHz, in: 701)
        try image.put("St", 1, in: 701)  // on
        try image.put("InvSt", charger.ev == nil ? 7 : 3, in: 701)  // 7 standby, 3 running
        for (name, value) in [("TotWhInj", injectedWh), ("TotWhAbs", absorbedWh), ("TotVarhInj", injectedVarh), ("TotVarhAbs", absorbedVarh)] {
            try image.put(name, value, in: 701)
        }
        try update(ev: charger.ev)
    }

    private mutating func putPhase(_ suffix: String, watts: Double, vars: Double, amps: Double, volts: Double) throws {
        let va = (watts * watts + vars * vars).squareRoot()
        try image.put("W\(suffix)", watts, in: 701)
        try image.put("Var\(suffix)", vars, in: 701)
        try image.put("VA\(suffix)", va, in: 701)
        try image.put("PF\(suffix)", va > 1 ? abs(watts) / va : nil, in: 701)
        try image.put("A\(suffix)", amps, in: 701)
        try image.put("V\(suffix)", volts, in: 701)
    }

    /// 713 and 64901: the EV's battery and session; "not implemented" everywhere when no EV is plugged in.
    private mutating func update(ev: EVObservation?) throws {
        let m = SunSpecModels.evSession.id
        try image.put("EvSt", ev == nil ? 0 : 1, in: m)
        try image.put("ReqW", ev.map { $0.requestedKW * 1000 }, in: m)
        try image.put("DeptTms", ev.map { $0.departure.secondsSinceEpoch.rounded() }, in: m)
        try image.put("EnNeed", ev.map { max($0.targetSocPercent - $0.socPercent, 0) / 100 * $0.capacityKWh }, in: m)
        try image.put("DisBud", nil, in: m)  // 0xFFFF: unlimited
        try image.put("BatTmp", ev?.batteryTempC, in: m)
        try image.put("V2GAgr", ev?.dischargeAllowed == true ? 1 : 0, in: m)
        try image.put("WHRtg", ev.map { $0.capacityKWh * 1000 }, in: 713)
        try image.put("WHAvail", ev.map { $0.socPercent / 100 * $0.capacityKWh * 1000 }, in: 713)
        try image.put("SoC", ev?.socPercent, in: 713)
        try image.put("Sta", ev == nil ? nil : 0, in: 713)  // 0 OK
    }
}
