/// IEEE 1547-2018 §5.3.3 Volt-VAR curve. Q is in per unit of the charger's nameplate VA, + = injection
/// (capacitive, raises voltage). Voltages are per unit of nominal.
///
/// 1547 defines V1…V4 relative to VRef. This type stores them as absolute voltages *at the configured*
/// `vRefPU`; when the autonomous VRef moves the reference to r, every point moves by r − vRefPU
/// (see `shifted(toVRefPU:)`), so V2 − VRef, V3 − VRef, … are kept, as the standard's ranges require.
public struct VoltVarCurve: Sendable, Hashable {
    /// Configured reference voltage (pu), 0.95–1.05.
    public var vRefPU: Double
    public var v1PU: Double
    public var q1PU: Double
    public var v2PU: Double
    public var q2PU: Double
    public var v3PU: Double
    public var q3PU: Double
    public var v4PU: Double
    public var q4PU: Double
    /// Open-loop response time Tr (s): 90 % of a step is reached at Tr (IEEE 1547.1).
    public var responseTimeS: Double
    /// Whether VRef follows the measured voltage (1547-2018 §5.3.3, "autonomously adjusting reference voltage").
    public var autonomousVRefEnabled: Bool
    /// Time constant of the autonomous VRef low-pass (s), 300–5000.
    public var vRefTimeConstantS: Double

    /// Creates a curve from its points; the autonomous VRef is off unless asked for.
    public init(
        vRefPU: Double,
        v1PU: Double, q1PU: Double, v2PU: Double, q2PU: Double,
        v3PU: Double, q3PU: Double, v4PU: Double, q4PU: Double,
        responseTimeS: Double, autonomousVRefEnabled: Bool = false, vRefTimeConstantS: Double = 300
    ) {
        self.vRefPU = vRefPU
        self.v1PU = v1PU
        self.q1PU = q1PU
        self.v2PU = v2PU
        self.q2PU = q2PU
        self.v3PU = v3PU
        self.q3PU = q3PU
        self.v4PU = v4PU
        self.q4PU = q4PU
        self.responseTimeS = responseTimeS
        self.autonomousVRefEnabled = autonomousVRefEnabled
        self.vRefTimeConstantS = vRefTimeConstantS
    }

    /// IEEE 1547-2018 Table 8, Category A defaults.
    public static let categoryA = VoltVarCurve(
        vRefPU: 1.0, v1PU: 0.90, q1PU: 0.25, v2PU: 1.00, q2PU: 0, v3PU: 1.00, q3PU: 0, v4PU: 1.10, q4PU: -0.25,
        responseTimeS: 10
    )

    /// IEEE 1547-2018 Table 8, Category B defaults.
    public static let categoryB = VoltVarCurve(
        vRefPU: 1.0, v1PU: 0.92, q1PU: 0.44, v2PU: 0.98, q2PU: 0, v3PU: 1.02, q3PU: 0, v4PU: 1.08, q4PU: -0.44,
        responseTimeS: 5
    )

    /// The Table 8 defaults of `category`.
    public static func defaults(for category: PerformanceCategory) -> VoltVarCurve {
        switch category {
        case .a: categoryA
        case .b: categoryB
        }
    }

    /// Q (pu of nameplate VA) at `v` with VRef at its configured value: piecewise linear, flat beyond V1 and V4.
    /// NaN in, NaN out.
    public func reactivePowerPU(atVoltagePU v: Double) -> Double {
        points.value(at: v)
    }

    /// Q at `v` once the (autonomous) reference has moved to `vRef`: the points move with it.
    public func reactivePowerPU(atVoltagePU v: Double, vRefPU vRef: Double) -> Double {
        points.value(at: v - (vRef - vRefPU))
    }

    /// The same curve with VRef moved to `newVRefPU` and every point moved by the same amount.
    public func shifted(toVRefPU newVRefPU: Double) -> VoltVarCurve {
        let offset = newVRefPU - vRefPU
        var curve = self
        curve.vRefPU = newVRefPU
        curve.v1PU += offset
        curve.v2PU += offset
        curve.v3PU += offset
        curve.v4PU += offset
        return curve
    }

    var points: PiecewiseLinear {
        PiecewiseLinear((v1PU, q1PU), (v2PU, q2PU), (v3PU, q3PU), (v4PU, q4PU))
    }
}

/// JSON keys are snake_case: v_ref_pu, v1_pu, q1_pu … v4_pu, q4_pu, response_time_s,
/// autonomous_v_ref_enabled (optional, default false), v_ref_time_constant_s (optional, default 300).
extension VoltVarCurve: Codable {
    enum CodingKeys: String, CodingKey {
        case vRefPU = "v_ref_pu"
        case v1PU = "v1_pu", q1PU = "q1_pu", v2PU = "v2_pu", q2PU = "q2_pu"
        case v3PU = "v3_pu", q3PU = "q3_pu", v4PU = "v4_pu", q4PU = "q4_pu"
        case responseTimeS = "response_time_s"
        case autonomousVRefEnabled = "autonomous_v_ref_enabled"
        case vRefTimeConstantS = "v_ref_time_constant_s"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            vRefPU: try c.decode(Double.self, forKey: .vRefPU),
            v1PU: try c.decode(Double.self, forKey: .v1PU), q1PU: try c.decode(Double.self, forKey: .q1PU),
            v2PU: try c.decode(Double.self, forKey: .v2PU), q2PU: try c.decode(Double.self, forKey: .q2PU),
            v3PU: try c.decode(Double.self, forKey: .v3PU), q3PU: try c.decode(Double.self, forKey: .q3PU),
            v4PU: try c.decode(Double.self, forKey: .v4PU), q4PU: try c.decode(Double.self, forKey: .q4PU),
            responseTimeS: try c.decode(Double.self, forKey: .responseTimeS),
            autonomousVRefEnabled: try c.decodeIfPresent(Bool.self, forKey: .autonomousVRefEnabled) ?? false,
            vRefTimeConstantS: try c.decodeIfPresent(Double.self, forKey: .vRefTimeConstantS) ?? 300
        )
    }
}
