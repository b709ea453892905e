#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import GridCore
import SunSpec

/// The transformer meter's registers: SunSpec 1 and 203 (wye meter, integer + scale factor).
/// W and VAR follow the physics' meter: + W flows forward (grid → loads), + VAR is absorbed by the loads.
struct MeterImage: Sendable {
    static let model: UInt16 = 203
    static let phases: [(Phase, String)] = [(.a, "A"), (.b, "B"), (.c, "C")]

    var image: SunSpecImageBuilder
    /// Energy counters in Wh (TotWhImp/TotWhExp per phase); they run on the physical truth, frozen meter or not.
    private var importedWh = PerPhase(repeating: 0.0)
    private var exportedWh = PerPhase(repeating: 0.0)

    init(transformer: TransformerSpec) throws {
        let common = SunSpecCommon(manufacturer: "v2g-edge", model: "v2g-sim meter", version: "1", serialNumber: "meter", deviceAddress: 1)
        image = try SunSpecImageBuilder(common: common, models: [SunSpecModels.meterWye])
        let nominalV = transformer.nominalPhaseVoltageV
        // Headroom: three times rated load, twice nominal line-to-line voltage.
        let wattsSF = ScaleFactorChoice.finest(for: 3 * transformer.ratedKVA * 1000, rawLimit: ScaleFactorChoice.int16Limit)
        try image.setScaleFactors([
            "A_SF": ScaleFactorChoice.finest(for: 3 * transformer.ratedKVA * 1000 / nominalV, rawLimit: ScaleFactorChoice.int16Limit),
            "V_SF": ScaleFactorChoice.finest(for: 2 * nominalV * 3.0.squareRoot(), rawLimit: ScaleFactorChoice.int16Limit),
            "Hz_SF": -2, "W_SF": wattsSF, "VA_SF": wattsSF, "VAR_SF": wattsSF,
            "PF_SF": -2,  // PF in percent (model 203 units Pct)
            "TotWh_SF": 0,
        ], in: Self.model)
    }

    /// Adds `elapsedS` seconds at the given power to the energy counters.
    mutating func accumulate(_ truth: MeterReading, elapsedS: Double) {
        guard elapsedS > 0, elapsedS.isFinite else { return }
        for phase in Phase.allCases {
            let wh = truth.activePowerKW[phase] * elapsedS / 3.6
            if wh > 0 { importedWh[phase] += wh } else { exportedWh[phase] -= wh }
        }
    }

    /// Writes a reading and the energy counters.
    mutating func update(_ reading: MeterReading) throws {
        let m = Self.model
        var totalA = 0.0, totalW = 0.0, totalVAR = 0.0, totalVA = 0.0
        for (phase, letter) in Self.phases {
            let watts = reading.activePowerKW[phase] * 1000
            let vars = reading.reactivePowerKvar[phase] * 1000
            let va = (watts * watts + vars * vars).squareRoot()
            try image.put("PhVph\(letter)", reading.voltageV[phase], in: m)
            try image.put("Aph\(letter)", reading.currentA[phase], in: m)
            try image.put("Wph\(letter)", watts, in: m)
            try image.put("VARph\(letter)", vars, in: m)
            try image.put("VAph\(letter)", va, in: m)
            try image.put("PFph\(letter)", va > 1 ? watts / va * 100 : nil, in: m)
            try image.put("TotWhImpPh\(letter)", importedWh[phase], in: m)
            try image.put("TotWhExpPh\(letter)", exportedWh[phase], in: m)
            totalA += reading.currentA[phase]
            totalW += watts
            totalVAR += vars
            totalVA += va
        }
        let lineToLine = Self.lineToLineV(reading)
        for (name, volts) in zip(["PhVphAB", "PhVphBC", "PhVphCA"], lineToLine) { try image.put(name, volts, in: m) }
        try image.put("PPV", lineToLine.reduce(0, +) / 3, in: m)
        try image.put("PhV", reading.voltageV.values.reduce(0, +) / 3, in: m)
        try image.put("A", totalA, in: m)
        try image.put("W", totalW, in: m)
        try image.put("VAR", totalVAR, in: m)
        try image.put("VA", totalVA, in: m)
        try image.put("PF", totalVA > 1 ? totalW / totalVA * 100 : nil, in: m)
        try image.put("Hz", reading.frequencyHz, in: m)
        try image.put("TotWhImp", importedWh.values.reduce(0, +), in: m)
        try image.put("TotWhExp", exportedWh.values.reduce(0, +), in: m)
    }

    /// |Va − Vb|, |Vb − Vc|, |Vc − Va| from the phase voltages and their angles (nominal 0°, −120°, +120° when absent).
    static func lineToLineV(_ reading: MeterReading) -> [Double] {
        let angles = reading.voltageAngleDeg ?? PerPhase(a: 0, b: -120, c: 120)
        func phasor(_ phase: Phase) -> (re: Double, im: Double) {
            let radians = angles[phase] * .pi / 180
            return (reading.voltageV[phase] * cos(radians), reading.voltageV[phase] * sin(radians))
        }
        return [(Phase.a, Phase.b), (.b, .c), (.c, .a)].map { first, second in
            let (x, y) = (phasor(first), phasor(second))
            let (re, im) = (x.re - y.re, x.im - y.im)
            return (re * re + im * im).squareRoot()
        }
    }
}

/// The transformer temperature block: SunSpec 1 and vendor model 64900 (layout in `SunSpecModels.transformerTemperatures`).
/// Top-oil and ambient are served; HotSpotTmp stays "not implemented": a distribution transformer has no fibre-optic
/// probe, and the agent computes its own hot-spot (IEC 60076-7).
struct TemperatureImage: Sendable {
    static let model: UInt16 = 64900
    var image: SunSpecImageBuilder

    init() throws {
        let common = SunSpecCommon(manufacturer: "v2g-edge", model: "v2g-sim temperatures", version: "1", serialNumber: "transformer", deviceAddress: 1)
        image = try SunSpecImageBuilder(common: common, models: [SunSpecModels.transformerTemperatures])
        try image.setScaleFactors(["Tmp_SF": -1], in: Self.model)
        try image.put("SnsSt", 0, in: Self.model)
    }

    mutating func update(ambientC: Double, topOilC: Double) throws {
        try image.put("TopOilTmp", topOilC, in: Self.model)
        try image.put("AmbTmp", ambientC, in: Self.model)
    }
}
