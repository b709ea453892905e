/// When a meter reading is too old, stuck or physically impossible to act on: the policy's `data_quality` block.
/// A reading that fails any check puts the cycle in the safe state: discharge 0, charging at the fallback limit.
/// A frozen reading still drives the trip timers with the values it repeats (see `ProtectionMonitor`).
public struct DataQualitySettings: Sendable, Hashable, Codable {
    /// A reading older than this many cycle periods is stale; so is a gap with no reading for that long.
    public var staleAfterCycles: Int
    /// This many consecutive samples with every channel identical means a frozen meter.
    /// With a meter that refreshes slower than the cycle, set it above (meter refresh ÷ cycle period) + 1.
    public var frozenAfterSamples: Int
    /// Plausible phase-to-neutral voltage, per unit of nominal (0 is plausible: a dead feeder).
    public var plausibleVoltagePU: ClosedRange<Double>
    /// Plausible system frequency; nil: 40–70 Hz at 60 Hz, scaled by nominalHz/60 (`plausibleFrequencyHz(nominalHz:)`).
    public var plausibleFrequencyHz: ClosedRange<Double>?
    /// Largest plausible RMS phase current; RMS current is never negative.
    public var maxCurrentA: Double
    /// Largest plausible |P| on one phase.
    public var maxPhaseActivePowerKW: Double
    /// Largest plausible |Q| on one phase.
    public var maxPhaseReactivePowerKvar: Double

    /// Defaults: 3 cycles, 3 samples, 0–2 pu, 40–70 Hz (scaled by nominalHz/60 for 50 Hz),
    /// 5000 A and 3000 kW/kvar per phase — generous bounds for a distribution transformer up to about 2.5 MVA;
    /// a site should set them near twice its rating.
    public init(
        staleAfterCycles: Int = 3,
        frozenAfterSamples: Int = 3,
        plausibleVoltagePU: ClosedRange<Double> = 0...2,
        plausibleFrequencyHz: ClosedRange<Double>? = nil,
        maxCurrentA: Double = 5000,
        maxPhaseActivePowerKW: Double = 3000,
        maxPhaseReactivePowerKvar: Double = 3000
    ) {
        self.staleAfterCycles = staleAfterCycles
        self.frozenAfterSamples = frozenAfterSamples
        self.plausibleVoltagePU = plausibleVoltagePU
        self.plausibleFrequencyHz = plausibleFrequencyHz
        self.maxCurrentA = maxCurrentA
        self.maxPhaseActivePowerKW = maxPhaseActivePowerKW
        self.maxPhaseReactivePowerKvar = maxPhaseReactivePowerKvar
    }

    /// The plausible frequency range at `nominalHz`: the one set, or 40–70 Hz scaled.
    public func plausibleFrequencyHz(nominalHz: Double) -> ClosedRange<Double> {
        plausibleFrequencyHz ?? TripSettings.scaledHz(40, nominalHz)...TripSettings.scaledHz(70, nominalHz)
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case staleAfterCycles = "stale_after_cycles", frozenAfterSamples = "frozen_after_samples"
        case plausibleVoltagePU = "plausible_voltage_pu", plausibleFrequencyHz = "plausible_frequency_hz"
        case maxCurrentA = "max_current_a", maxPhaseActivePowerKW = "max_phase_active_power_kw"
        case maxPhaseReactivePowerKvar = "max_phase_reactive_power_kvar"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = DataQualitySettings()
        staleAfterCycles = try c.value(.staleAfterCycles, default: d.staleAfterCycles)
        frozenAfterSamples = try c.value(.frozenAfterSamples, default: d.frozenAfterSamples)
        plausibleVoltagePU = try c.value(.plausibleVoltagePU, default: d.plausibleVoltagePU)
        plausibleFrequencyHz = try c.decodeIfPresent(ClosedRange<Double>.self, forKey: .plausibleFrequencyHz)
        maxCurrentA = try c.value(.maxCurrentA, default: d.maxCurrentA)
        maxPhaseActivePowerKW = try c.value(.maxPhaseActivePowerKW, default: d.maxPhaseActivePowerKW)
        maxPhaseReactivePowerKvar = try c.value(.maxPhaseReactivePowerKvar, default: d.maxPhaseReactivePowerKvar)
    }

    /// Throws `ProtectionSettingsError` naming the first setting that cannot work.
    public func validate(nominalHz: Double = 60) throws {
        func positive(_ field: String, _ value: Double, _ unit: String) throws {
            guard value.isFinite, value > 0 else {
                throw ProtectionSettingsError.outOfRange(
                    field: field, value: value, range: Double.leastNonzeroMagnitude...Double.greatestFiniteMagnitude,
                    unit: unit, source: "must be a positive finite number"
                )
            }
        }
        guard staleAfterCycles >= 1 else {
            throw ProtectionSettingsError.outOfRange(
                field: "data_quality.stale_after_cycles", value: Double(staleAfterCycles), range: 1...1000, unit: "cycles",
                source: "at least one cycle"
            )
        }
        guard frozenAfterSamples >= 2 else {
            throw ProtectionSettingsError.outOfRange(
                field: "data_quality.frozen_after_samples", value: Double(frozenAfterSamples), range: 2...1_000_000, unit: "samples",
                source: "one sample cannot be frozen"
            )
        }
        let v = plausibleVoltagePU
        guard v.lowerBound.isFinite, v.upperBound.isFinite, v.lowerBound >= 0, v.upperBound > 1 else {
            throw ProtectionSettingsError.misordered(
                field: "data_quality.plausible_voltage_pu", "must be finite, start at or above 0 and end above 1 pu"
            )
        }
        let f = plausibleFrequencyHz(nominalHz: nominalHz)
        guard f.lowerBound.isFinite, f.upperBound.isFinite, f.lowerBound > 0, f.upperBound > f.lowerBound else {
            throw ProtectionSettingsError.misordered(
                field: "data_quality.plausible_frequency_hz", "must be finite, positive and not empty")
        }
        try positive("data_quality.max_current_a", maxCurrentA, "A")
        try positive("data_quality.max_phase_active_power_kw", maxPhaseActivePowerKW, "kW")
        try positive("data_quality.max_phase_reactive_power_kvar", maxPhaseReactivePowerKvar, "kvar")
    }
}
