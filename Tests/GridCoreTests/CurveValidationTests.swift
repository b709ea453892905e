import GridCore
import Testing

/// One edge of one validation range: `value` written into `field` of a default curve.
struct CurveEdge: Sendable, CustomTestStringConvertible {
    var field: String
    var value: Double
    var accepted: Bool
    var testDescription: String { "\(field) = \(value) \(accepted ? "accepted" : "rejected")" }

    /// The edge itself is accepted; 1e-4 beyond it is rejected.
    static func pair(_ field: String, _ edge: Double, outward: Double) -> [CurveEdge] {
        [CurveEdge(field: field, value: edge, accepted: true),
         CurveEdge(field: field, value: edge + outward * 1e-4, accepted: false)]
    }

    static func range(_ field: String, _ low: Double, _ high: Double) -> [CurveEdge] {
        pair(field, low, outward: -1) + pair(field, high, outward: 1)
    }
}

/// Checks that `validate` accepts or rejects as `edge` says, and that a rejection names the field and its range.
func expectEdge(_ edge: CurveEdge, _ validate: () throws(CurveError) -> Void) {
    do {
        try validate()
        #expect(edge.accepted, "\(edge.field) = \(edge.value) should be rejected")
    } catch {
        #expect(!edge.accepted, "\(edge.field) = \(edge.value) rejected: \(error.message)")
        #expect(error.field == edge.field)
        #expect(error.message.contains(edge.field) && error.message.contains("…"))
        #expect(error.description == "curve_out_of_range")
    }
}

@Suite("Curve validation: each range edge accepted, just outside rejected")
struct CurveValidationTests {
    // Table 8 around the Cat B defaults (VRef 1.0, V1 0.92, V2 0.98, V3 1.02, V4 1.08).
    static let voltVarEdges: [CurveEdge] =
        CurveEdge.range("v_ref_pu", 0.95, 1.05)
        + CurveEdge.range("v2_pu", 0.97, 1.00)
        + CurveEdge.range("v3_pu", 1.00, 1.03)
        + CurveEdge.range("v1_pu", 0.82, 0.96)
        + CurveEdge.range("v4_pu", 1.04, 1.18)
        + CurveEdge.range("q1_pu", 0, 0.44)
        + CurveEdge.range("q2_pu", -0.44, 0.44)
        + CurveEdge.range("q3_pu", -0.44, 0.44)
        + CurveEdge.range("q4_pu", -0.44, 0)
        + CurveEdge.range("response_time_s", 1, 90)
        + CurveEdge.range("v_ref_time_constant_s", 300, 5000)

    @Test("Volt-VAR", arguments: voltVarEdges)
    func voltVar(edge: CurveEdge) {
        var curve = VoltVarCurve.categoryB
        switch edge.field {
        // VRef alone would push V2/V3 out of their VRef-relative ranges: move the whole curve with it.
        case "v_ref_pu": curve = curve.shifted(toVRefPU: edge.value)
        case "v1_pu": curve.v1PU = edge.value
        case "v2_pu": curve.v2PU = edge.value
        case "v3_pu": curve.v3PU = edge.value
        case "v4_pu": curve.v4PU = edge.value
        case "q1_pu": curve.q1PU = edge.value
        case "q2_pu": curve.q2PU = edge.value
        case "q3_pu": curve.q3PU = edge.value
        case "q4_pu": curve.q4PU = edge.value
        case "response_time_s": curve.responseTimeS = edge.value
        case "v_ref_time_constant_s": curve.vRefTimeConstantS = edge.value
        default: Issue.record("unknown field \(edge.field)")
        }
        expectEdge(edge) { () throws(CurveError) in try curve.validate() }
    }

    @Test("Table 8 defaults are valid for their own category", arguments: PerformanceCategory.allCases)
    func defaultsValid(category: PerformanceCategory) {
        #expect(throws: Never.self) {
            try VoltVarCurve.defaults(for: category).validate(capability: .of(category))
        }
    }

    @Test("a Category A charger absorbs at most 0.25 pu", arguments: CurveEdge.pair("q4_pu", -0.25, outward: -1))
    func categoryACapability(edge: CurveEdge) {
        var curve = VoltVarCurve.categoryA
        curve.q4PU = edge.value
        expectEdge(edge) { () throws(CurveError) in try curve.validate(capability: .categoryA) }
    }

    @Test("NaN is named as not finite")
    func notFinite() {
        var curve = VoltVarCurve.categoryB
        curve.q2PU = .nan
        let error = #expect(throws: CurveError.self) { try curve.validate() }
        #expect(error?.field == "q2_pu")
        #expect(error?.description == "curve_not_finite")
    }

    static let voltWattEdges: [CurveEdge] =
        CurveEdge.range("v1_pu", 1.05, 1.09)
        + CurveEdge.range("v2_pu", 1.07, 1.10)
        + CurveEdge.range("response_time_s", 0.5, 60)

    @Test("Volt-Watt (Table 10)", arguments: voltWattEdges)
    func voltWatt(edge: CurveEdge) {
        var curve = VoltWattCurve.ieee1547Default
        switch edge.field {
        case "v1_pu": curve.v1PU = edge.value
        case "v2_pu": curve.v2PU = edge.value
        default: curve.responseTimeS = edge.value
        }
        expectEdge(edge) { () throws(CurveError) in try curve.validate() }
    }

    // Base V1 0.92, V2 0.75 so each field's edges are reachable on their own.
    static let chargingEdges: [CurveEdge] =
        CurveEdge.range("v1_pu", 0.80, 0.95)
        + CurveEdge.range("v2_pu", 0.70, 0.91)
        + CurveEdge.range("response_time_s", 0.5, 60)

    @Test("charging Volt-Watt", arguments: chargingEdges)
    func chargingVoltWatt(edge: CurveEdge) {
        var curve = ChargingVoltWattCurve(v1PU: 0.92, v2PU: 0.75, responseTimeS: 10)
        switch edge.field {
        case "v1_pu": curve.v1PU = edge.value
        case "v2_pu": curve.v2PU = edge.value
        default: curve.responseTimeS = edge.value
        }
        expectEdge(edge) { () throws(CurveError) in try curve.validate() }
    }

    static let droopEdges: [CurveEdge] =
        CurveEdge.range("db_of_hz", 0.017, 1.0)
        + CurveEdge.range("db_uf_hz", 0.017, 1.0)
        + CurveEdge.range("k_of", 0.02, 0.05)
        + CurveEdge.range("k_uf", 0.02, 0.05)
        + CurveEdge.range("response_time_s", 0.2, 10)
        + [CurveEdge(field: "nominal_hz", value: 50, accepted: true),
           CurveEdge(field: "nominal_hz", value: 60, accepted: true),
           CurveEdge(field: "nominal_hz", value: 55, accepted: false)]

    @Test("frequency droop (Table 24)", arguments: droopEdges)
    func droop(edge: CurveEdge) {
        var droop = FrequencyDroop()
        switch edge.field {
        case "db_of_hz": droop.dbOFHz = edge.value
        case "db_uf_hz": droop.dbUFHz = edge.value
        case "k_of": droop.kOF = edge.value
        case "k_uf": droop.kUF = edge.value
        case "nominal_hz": droop.nominalHz = edge.value
        default: droop.responseTimeS = edge.value
        }
        expectEdge(edge) { () throws(CurveError) in try droop.validate() }
    }

    @Test("defaults of Volt-Watt, charging Volt-Watt and droop are valid")
    func otherDefaultsValid() {
        #expect(throws: Never.self) { try VoltWattCurve.ieee1547Default.validate() }
        #expect(throws: Never.self) { try ChargingVoltWattCurve.defaults.validate() }
        #expect(throws: Never.self) { try FrequencyDroop().validate() }
        #expect(throws: Never.self) { try FrequencyDroop(nominalHz: 50).validate() }
    }
}
