import GridCore
import Testing

@Suite("Volt-Watt (discharge) and charging Volt-Watt")
struct CurveVoltWattTests {
    @Test("Table 10 defaults: full export to 1.06 pu, none from 1.10 pu")
    func voltWattPoints() {
        let curve = VoltWattCurve.ieee1547Default
        #expect(curve.v1PU == 1.06 && curve.v2PU == 1.10 && curve.responseTimeS == 10)
        for v in [0.9, 1.0, 1.06] { #expect(curve.maxDischargePU(atVoltagePU: v) == 1) }
        for v in [1.10, 1.15, 2.0] { #expect(curve.maxDischargePU(atVoltagePU: v) == 0) }
        #expect(abs(curve.maxDischargePU(atVoltagePU: 1.08) - 0.5) < 1e-9)
        #expect(abs(curve.maxDischargePU(atVoltagePU: 1.07) - 0.75) < 1e-9)
        #expect(curve.maxDischargePU(atVoltagePU: .nan).isNaN)
    }

    @Test("discharge limit stays in [0, 1] and never rises with voltage")
    func voltWattBounded() {
        let curve = VoltWattCurve(v1PU: 1.05, v2PU: 1.09, responseTimeS: 2)
        var last = 1.0
        for v in stride(from: 0.8, through: 1.3, by: 0.001) {
            let p = curve.maxDischargePU(atVoltagePU: v)
            #expect((0...1).contains(p) && p <= last)
            last = p
        }
    }

    @Test("charging: full from 0.92 pu, none at 0.88 pu and below, linear between")
    func chargingPoints() {
        let curve = ChargingVoltWattCurve.defaults
        #expect(curve.v1PU == 0.92 && curve.v2PU == 0.88 && curve.responseTimeS == 10)
        for v in [0.92, 1.0, 1.2] { #expect(curve.maxChargePU(atVoltagePU: v) == 1) }
        for v in [0.88, 0.8, 0.0] { #expect(curve.maxChargePU(atVoltagePU: v) == 0) }
        #expect(abs(curve.maxChargePU(atVoltagePU: 0.90) - 0.5) < 1e-9)
        #expect(abs(curve.maxChargePU(atVoltagePU: 0.89) - 0.25) < 1e-9)
        #expect(curve.maxChargePU(atVoltagePU: .nan).isNaN)
    }

    @Test("JSON keys are snake_case")
    func json() throws {
        let vw = try decodeJSON(VoltWattCurve.self, #"{"v1_pu":1.07,"v2_pu":1.09,"response_time_s":3}"#)
        #expect(vw == VoltWattCurve(v1PU: 1.07, v2PU: 1.09, responseTimeS: 3))
        let cvw = try decodeJSON(ChargingVoltWattCurve.self, #"{"v1_pu":0.93,"v2_pu":0.9,"response_time_s":5}"#)
        #expect(cvw == ChargingVoltWattCurve(v1PU: 0.93, v2PU: 0.9, responseTimeS: 5))
        let droop = try decodeJSON(FrequencyDroop.self, """
            {"nominal_hz":50,"db_of_hz":0.02,"db_uf_hz":0.03,"k_of":0.04,"k_uf":0.03,"response_time_s":2}
            """)
        #expect(droop == FrequencyDroop(nominalHz: 50, dbOFHz: 0.02, dbUFHz: 0.03, kOF: 0.04, kUF: 0.03, responseTimeS: 2))
    }
}
