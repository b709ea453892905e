/// Load-side Volt-Watt, beyond IEEE 1547: charging is curtailed at low voltage, the mirror of Volt-Watt.
/// Returns the most a charger may draw, per unit of its rating.
///
/// Defaults: full charging at and above 0.92 pu (just above the ANSI C84.1 Range B floor, 0.917 pu),
/// none at and below 0.88 pu (the floor of 1547-2018's continuous operation region for Cat II/III).
/// Ranges: V1 0.80–0.95 (never curtail inside ANSI Range A, ≥ 0.95 pu); V2 0.70…V1−0.01 (done before the
/// default Cat II UV1 trip at 0.70 pu); Tr 0.5–60 s, as for Volt-Watt.
public struct ChargingVoltWattCurve: Sendable, Hashable, Codable {
    /// Voltage at and above which charging is unrestricted (pu).
    public var v1PU: Double
    /// Voltage at and below which charging stops (pu).
    public var v2PU: Double
    /// Open-loop response time Tr (s).
    public var responseTimeS: Double

    enum CodingKeys: String, CodingKey {
        case v1PU = "v1_pu"
        case v2PU = "v2_pu"
        case responseTimeS = "response_time_s"
    }

    public init(v1PU: Double, v2PU: Double, responseTimeS: Double) {
        self.v1PU = v1PU
        self.v2PU = v2PU
        self.responseTimeS = responseTimeS
    }

    /// V1 0.92, V2 0.88, Tr 10 s.
    public static let defaults = ChargingVoltWattCurve(v1PU: 0.92, v2PU: 0.88, responseTimeS: 10)

    /// Checks the settings against the ranges above.
    public func validate() throws(CurveError) {
        let source = "charging Volt-Watt, v2g-edge range"
        try CurveCheck.require("v1_pu", v1PU, in: 0.80...0.95, source: source)
        try CurveCheck.require("v2_pu", v2PU, in: CurveCheck.range(0.70, v1PU - 0.01), source: source + ", 0.70…V1−0.01")
        try CurveCheck.require("response_time_s", responseTimeS, in: 0.5...60, source: source)
    }

    /// Largest charge (import) in pu of rating, in [0, 1]; NaN in, NaN out.
    public func maxChargePU(atVoltagePU v: Double) -> Double {
        points.value(at: v)
    }

    var points: PiecewiseLinear {
        PiecewiseLinear((v2PU, 0), (v1PU, 1))
    }
}
