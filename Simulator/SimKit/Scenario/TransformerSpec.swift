public import GridCore

/// The distribution transformer: nameplate, short-circuit impedance and IEC 60076-7 thermal parameters.
public struct TransformerSpec: Sendable, Hashable, Codable {
    public var ratedKVA: Double
    /// Phase-to-neutral nominal voltage on the secondary, in volts.
    public var nominalPhaseVoltageV: Double
    /// Short-circuit impedance in percent of the rated impedance.
    public var impedancePercent: Double
    /// Ratio of leakage reactance to winding resistance.
    public var xOverR: Double
    /// IEC 60076-7 parameters (ONAN distribution defaults for missing keys).
    public var thermal: ThermalParameters

    enum CodingKeys: String, CodingKey, CaseIterable {
        case ratedKVA = "rated_kva", nominalPhaseVoltageV = "nominal_phase_voltage_v"
        case impedancePercent = "impedance_pct", xOverR = "x_over_r", thermal
    }

    public init(from decoder: any Decoder) throws {
        try decoder.refuseUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        ratedKVA = try c.number(.ratedKVA, in: 1...10_000, unit: "kVA")
        nominalPhaseVoltageV = try c.number(.nominalPhaseVoltageV, in: 50...1000, unit: "V", default: 230)
        impedancePercent = try c.number(.impedancePercent, in: 0.5...20, unit: "%", default: 4)
        xOverR = try c.number(.xOverR, in: 0.1...20, default: 1.5)
        thermal = try c.decodeIfPresent(ThermalParameters.self, forKey: .thermal) ?? .onanDistribution
        if c.contains(.thermal) {
            try decodeThermalKeysChecked(c)
        }
    }

    /// ThermalParameters ignores unknown keys and checks ranges on request: do both here, naming the path.
    private func decodeThermalKeysChecked(_ c: KeyedDecodingContainer<CodingKeys>) throws {
        let nested = try c.nestedContainer(keyedBy: ScenarioKey.self, forKey: .thermal)
        let known = ThermalParameters.CodingKeys.allCases.map(\.rawValue)
        for key in nested.allKeys where !known.contains(key.stringValue) {
            throw ScenarioError.unknownKey(nested.path(key), allowed: known)
        }
        do {
            try thermal.validate()
        } catch {
            throw ScenarioError.inconsistent("\(c.path(.thermal)).\(error.field)", error.message)
        }
    }

    /// Per-phase short-circuit impedance in ohms: z% of V²/(S/3), split by X/R.
    public var phaseImpedanceOhm: Phasor {
        let baseOhm = nominalPhaseVoltageV * nominalPhaseVoltageV / (ratedKVA * 1000 / 3)
        let magnitude = impedancePercent / 100 * baseOhm
        let resistance = magnitude / (1 + xOverR * xOverR).squareRoot()
        return Phasor(real: resistance, imaginary: resistance * xOverR)
    }
}
