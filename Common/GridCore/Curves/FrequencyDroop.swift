/// IEEE 1547-2018 §6.5.2.7 frequency droop (frequency-watt), Tables 24/25: the change in net export,
/// per unit of rating, asked for by a frequency deviation. For a charger a negative change means more
/// charging or less discharge.
public struct FrequencyDroop: Sendable, Hashable, Codable {
    /// 60 or 50 Hz. Only the nominal changes between systems; deadbands stay in Hz and k stays per unit.
    public var nominalHz: Double
    /// Over-frequency deadband (Hz), 0.017–1.0.
    public var dbOFHz: Double
    /// Under-frequency deadband (Hz), 0.017–1.0.
    public var dbUFHz: Double
    /// Over-frequency droop (per-unit frequency change per per-unit power), 0.02–0.05.
    public var kOF: Double
    /// Under-frequency droop, 0.02–0.05.
    public var kUF: Double
    /// Small-signal open-loop response time (s), 0.2–10.
    public var responseTimeS: Double

    enum CodingKeys: String, CodingKey, CaseIterable {
        case nominalHz = "nominal_hz"
        case dbOFHz = "db_of_hz"
        case dbUFHz = "db_uf_hz"
        case kOF = "k_of"
        case kUF = "k_uf"
        case responseTimeS = "response_time_s"
    }

    /// Defaults from Table 24: deadbands 0.036 Hz, k 0.05, Tr 5 s.
    public init(nominalHz: Double = 60, dbOFHz: Double = 0.036, dbUFHz: Double = 0.036,
                kOF: Double = 0.05, kUF: Double = 0.05, responseTimeS: Double = 5) {
        self.nominalHz = nominalHz
        self.dbOFHz = dbOFHz
        self.dbUFHz = dbUFHz
        self.kOF = kOF
        self.kUF = kUF
        self.responseTimeS = responseTimeS
    }

    /// Every key but `nominal_hz` (default 60; in a policy, the transformer's) is required; unknown keys are refused.
    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            nominalHz: try c.decodeIfPresent(Double.self, forKey: .nominalHz) ?? 60,
            dbOFHz: try c.decode(Double.self, forKey: .dbOFHz), dbUFHz: try c.decode(Double.self, forKey: .dbUFHz),
            kOF: try c.decode(Double.self, forKey: .kOF), kUF: try c.decode(Double.self, forKey: .kUF),
            responseTimeS: try c.decode(Double.self, forKey: .responseTimeS))
    }

    /// Checks the settings. Tr's floor of 0.2 s is Category III's; Categories I and II start at 1 s.
    public func validate() throws(CurveError) {
        let table24 = "IEEE 1547-2018 Table 24"
        guard nominalHz == 60 || nominalHz == 50 else {
            throw .outOfRange(field: "nominal_hz", value: nominalHz, range: 50...60, source: "nominal must be exactly 50 or 60 Hz")
        }
        try CurveCheck.require("db_of_hz", dbOFHz, in: 0.017...1.0, source: table24)
        try CurveCheck.require("db_uf_hz", dbUFHz, in: 0.017...1.0, source: table24)
        try CurveCheck.require("k_of", kOF, in: 0.02...0.05, source: table24)
        try CurveCheck.require("k_uf", kUF, in: 0.02...0.05, source: table24)
        try CurveCheck.require("response_time_s", responseTimeS, in: 0.2...10, source: table24 + ", small-signal response time")
    }

    /// Change in net export (pu of rating) at `frequencyHz`: −(f − (fn + dbOF)) / (fn·kOF) above the deadband,
    /// ((fn − dbUF) − f) / (fn·kUF) below it, 0 inside, clamped to ±1. NaN in, NaN out.
    public func exportChangePU(frequencyHz f: Double) -> Double {
        guard !f.isNaN else { return .nan }
        let change: Double
        if f > nominalHz + dbOFHz {
            change = -(f - (nominalHz + dbOFHz)) / (nominalHz * kOF)
        } else if f < nominalHz - dbUFHz {
            change = ((nominalHz - dbUFHz) - f) / (nominalHz * kUF)
        } else {
            change = 0
        }
        return min(max(change, -1), 1)
    }
}
