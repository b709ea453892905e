/// When a DER may enter service again after a trip: IEEE 1547-2018 §4.10.3, Table 4 ("enter service criteria").
/// Both voltage (every phase) and frequency must stay inside the window continuously for `delayS`.
public struct EnterServiceSettings: Sendable, Hashable, Codable {
    /// System frequency the window refers to: 60, or 50 (frequency limits scaled by 50/60).
    public var nominalHz: Double
    /// Lowest phase voltage allowed, per unit (default 0.917; range 0.88–0.95).
    public var minVoltagePU: Double
    /// Highest phase voltage allowed, per unit (default 1.05; range 1.05–1.06).
    public var maxVoltagePU: Double
    /// Lowest frequency allowed (default 59.5 Hz; range 59.0–59.9 Hz at 60 Hz).
    public var minFrequencyHz: Double
    /// Highest frequency allowed (default 60.1 Hz; range 60.1–61.0 Hz at 60 Hz).
    public var maxFrequencyHz: Double
    /// How long both must hold before service resumes (default 300 s; range 0–600 s).
    public var delayS: Double

    public init(
        nominalHz: Double, minVoltagePU: Double, maxVoltagePU: Double,
        minFrequencyHz: Double, maxFrequencyHz: Double, delayS: Double
    ) {
        self.nominalHz = nominalHz
        self.minVoltagePU = minVoltagePU
        self.maxVoltagePU = maxVoltagePU
        self.minFrequencyHz = minFrequencyHz
        self.maxFrequencyHz = maxFrequencyHz
        self.delayS = delayS
    }

    /// IEEE 1547-2018 Table 4 defaults; for 50 Hz the frequency window is scaled by 50/60 (49.58–50.08 Hz).
    public static func ieee1547(nominalHz: Double = 60) -> EnterServiceSettings {
        EnterServiceSettings(
            nominalHz: nominalHz, minVoltagePU: 0.917, maxVoltagePU: 1.05,
            minFrequencyHz: TripSettings.scaledHz(59.5, nominalHz), maxFrequencyHz: TripSettings.scaledHz(60.1, nominalHz),
            delayS: 300
        )
    }

    /// Throws `ProtectionSettingsError` naming the first value outside the IEEE 1547-2018 Table 4 ranges.
    public func validate() throws {
        guard nominalHz == 50 || nominalHz == 60 else {
            throw ProtectionSettingsError.unsupportedNominal(field: "enterService.nominalHz", hz: nominalHz)
        }
        let hz = { (low: Double, high: Double) in TripSettings.scaledHz(low, nominalHz)...TripSettings.scaledHz(high, nominalHz) }
        let checks: [(String, Double, ClosedRange<Double>, String)] = [
            ("enterService.minVoltagePU", minVoltagePU, 0.88...0.95, "pu"),
            ("enterService.maxVoltagePU", maxVoltagePU, 1.05...1.06, "pu"),
            ("enterService.minFrequencyHz", minFrequencyHz, hz(59.0, 59.9), "Hz"),
            ("enterService.maxFrequencyHz", maxFrequencyHz, hz(60.1, 61.0), "Hz"),
            ("enterService.delayS", delayS, 0...600, "s"),
        ]
        for (field, value, range, unit) in checks where !(value.isFinite && range.contains(value)) {
            throw ProtectionSettingsError.outOfRange(
                field: field, value: value, range: range, unit: unit, source: "IEEE 1547-2018 §4.10.3 Table 4"
            )
        }
    }
}
