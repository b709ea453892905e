/// IEEE 1547-2018 §5.4.2 Volt-Watt (Table 10), applied to discharge: the most a charger may export,
/// per unit of its rating, at a given voltage.
///
/// P1 = Prated and P2 = 0. 1547 lets a DER that can absorb set P2 down to −P'rated (absorbing);
/// here this curve only limits discharge and never asks a charger to charge — charging at low voltage is
/// the job of `ChargingVoltWattCurve`, and more charging at high voltage is left to the balancer.
public struct VoltWattCurve: Sendable, Hashable, Codable {
    /// Export limit at and below V1 (pu of rating).
    public static let p1PU = 1.0
    /// Export limit at and above V2 (pu of rating).
    public static let p2PU = 0.0

    /// Voltage where curtailment starts (pu), 1.05–1.09.
    public var v1PU: Double
    /// Voltage where export reaches 0 (pu), V1+0.01…1.10.
    public var v2PU: Double
    /// Open-loop response time Tr (s), 0.5–60.
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

    /// IEEE 1547-2018 Table 10 defaults: V1 1.06, V2 1.10, Tr 10 s.
    public static let ieee1547Default = VoltWattCurve(v1PU: 1.06, v2PU: 1.10, responseTimeS: 10)

    /// Checks the settings against Table 10.
    public func validate() throws(CurveError) {
        let table10 = "IEEE 1547-2018 Table 10"
        try CurveCheck.require("v1_pu", v1PU, in: 1.05...1.09, source: table10)
        try CurveCheck.require("v2_pu", v2PU, in: CurveCheck.range(v1PU + 0.01, 1.10), source: table10 + ", V1+0.01…1.10")
        try CurveCheck.require("response_time_s", responseTimeS, in: 0.5...60, source: table10 + ", open-loop response time")
    }

    /// Largest discharge (export) in pu of rating, in [0, 1]; NaN in, NaN out.
    public func maxDischargePU(atVoltagePU v: Double) -> Double {
        points.value(at: v)
    }

    var points: PiecewiseLinear {
        PiecewiseLinear((v1PU, Self.p1PU), (v2PU, Self.p2PU))
    }
}
