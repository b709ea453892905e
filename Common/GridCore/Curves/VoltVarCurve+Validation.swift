extension VoltVarCurve {
    /// Checks every setting against IEEE 1547-2018 Table 8 and the Q limits of `capability` (Table 7).
    ///
    /// Q ranges follow the standard: Q1 from 0 to full injection, Q2 and Q3 anywhere in the capability,
    /// Q4 from 0 to full absorption. The default is Category B (±0.44), the widest; pass `.categoryA` to
    /// hold a Category A charger's absorption to 0.25. V1's lower and V4's upper limits are VRef ∓ 0.18,
    /// i.e. 0.82 and 1.18 at VRef = 1.0.
    public func validate(capability: ReactiveCapability = .categoryB) throws(CurveError) {
        let table8 = "IEEE 1547-2018 Table 8"
        try CurveCheck.require("v_ref_pu", vRefPU, in: 0.95...1.05, source: table8)
        try CurveCheck.require("v2_pu", v2PU, in: (vRefPU - 0.03)...vRefPU, source: table8 + ", VRef−0.03…VRef")
        try CurveCheck.require("v3_pu", v3PU, in: vRefPU...(vRefPU + 0.03), source: table8 + ", VRef…VRef+0.03")
        try CurveCheck.require("v1_pu", v1PU, in: CurveCheck.range(vRefPU - 0.18, v2PU - 0.02),
                               source: table8 + ", VRef−0.18…V2−0.02")
        try CurveCheck.require("v4_pu", v4PU, in: CurveCheck.range(v3PU + 0.02, vRefPU + 0.18),
                               source: table8 + ", V3+0.02…VRef+0.18")
        let table7 = "IEEE 1547-2018 Tables 7 and 8, reactive capability"
        let both = CurveCheck.range(-capability.absorptionPU, capability.injectionPU)
        try CurveCheck.require("q1_pu", q1PU, in: CurveCheck.range(0, capability.injectionPU), source: table7)
        try CurveCheck.require("q2_pu", q2PU, in: both, source: table7)
        try CurveCheck.require("q3_pu", q3PU, in: both, source: table7)
        try CurveCheck.require("q4_pu", q4PU, in: CurveCheck.range(-capability.absorptionPU, 0), source: table7)
        try CurveCheck.require("response_time_s", responseTimeS, in: 1...90, source: table8 + ", open-loop response time")
        try CurveCheck.require("v_ref_time_constant_s", vRefTimeConstantS, in: 300...5000,
                               source: "IEEE 1547-2018 §5.3.3, VRef adjustment time constant")
    }
}
