import GridCore
import Testing

@Suite("Volt-VAR curve (IEEE 1547-2018 Table 8)")
struct CurveVoltVarTests {
    /// The Table 8 rows of IEEE 1547-2018 (docs/curves.md): (V, Q) corners.
    static let tableRows: [(category: PerformanceCategory, corners: [(v: Double, q: Double)], tr: Double)] = [
        (.a, [(0.90, 0.25), (1.00, 0), (1.00, 0), (1.10, -0.25)], 10),
        (.b, [(0.92, 0.44), (0.98, 0), (1.02, 0), (1.08, -0.44)], 5),
    ]

    @Test("each Table 8 corner", arguments: PerformanceCategory.allCases)
    func corners(category: PerformanceCategory) throws {
        let row = try #require(Self.tableRows.first { $0.category == category })
        let curve = VoltVarCurve.defaults(for: category)
        #expect(curve.vRefPU == 1.0)
        #expect(curve.responseTimeS == row.tr)
        for corner in row.corners {
            #expect(abs(curve.reactivePowerPU(atVoltagePU: corner.v) - corner.q) < 1e-12, "V = \(corner.v)")
        }
    }

    @Test("flat beyond V1 and V4", arguments: PerformanceCategory.allCases)
    func flatEnds(category: PerformanceCategory) throws {
        let row = try #require(Self.tableRows.first { $0.category == category })
        let curve = VoltVarCurve.defaults(for: category)
        let first = row.corners[0], last = row.corners[3]
        for v in [first.v - 0.01, first.v - 0.2, 0.0] {
            #expect(curve.reactivePowerPU(atVoltagePU: v) == first.q)
        }
        for v in [last.v + 0.01, last.v + 0.2, 2.0] {
            #expect(curve.reactivePowerPU(atVoltagePU: v) == last.q)
        }
    }

    @Test("linear between corners: midpoint is the mean", arguments: PerformanceCategory.allCases)
    func midpoints(category: PerformanceCategory) throws {
        let row = try #require(Self.tableRows.first { $0.category == category })
        let curve = VoltVarCurve.defaults(for: category)
        for (a, b) in zip(row.corners, row.corners.dropFirst()) where b.v > a.v {
            let q = curve.reactivePowerPU(atVoltagePU: (a.v + b.v) / 2)
            #expect(abs(q - (a.q + b.q) / 2) < 1e-12, "between \(a.v) and \(b.v)")
            let quarter = curve.reactivePowerPU(atVoltagePU: a.v + (b.v - a.v) / 4)
            #expect(abs(quarter - (a.q + (b.q - a.q) / 4)) < 1e-12)
        }
    }

    @Test("Q falls as V rises (+ = injection at low voltage)")
    func signConvention() {
        let curve = VoltVarCurve.categoryB
        #expect(curve.reactivePowerPU(atVoltagePU: 0.95) > 0)
        #expect(curve.reactivePowerPU(atVoltagePU: 1.05) < 0)
        #expect(curve.reactivePowerPU(atVoltagePU: .nan).isNaN)
    }

    @Test("a moved VRef moves every point with it", arguments: [0.96, 0.99, 1.02, 1.05])
    func vRefShift(vRef: Double) {
        let curve = VoltVarCurve.categoryB
        let offset = vRef - curve.vRefPU
        let shifted = curve.shifted(toVRefPU: vRef)
        #expect(shifted.vRefPU == vRef)
        #expect(abs(shifted.v1PU - (0.92 + offset)) < 1e-12)
        #expect(abs(shifted.v4PU - (1.08 + offset)) < 1e-12)
        #expect(shifted.q1PU == curve.q1PU && shifted.q4PU == curve.q4PU)
        // Corners land on the shifted voltages; the deadband is centred on the new VRef.
        #expect(abs(curve.reactivePowerPU(atVoltagePU: 0.92 + offset, vRefPU: vRef) - 0.44) < 1e-9)
        #expect(abs(curve.reactivePowerPU(atVoltagePU: 1.08 + offset, vRefPU: vRef) + 0.44) < 1e-9)
        #expect(curve.reactivePowerPU(atVoltagePU: vRef, vRefPU: vRef) == 0)
        for v in stride(from: 0.85, through: 1.15, by: 0.0125) {
            let viaShift = shifted.reactivePowerPU(atVoltagePU: v)
            #expect(abs(curve.reactivePowerPU(atVoltagePU: v, vRefPU: vRef) - viaShift) < 1e-12)
            #expect(abs(viaShift - curve.reactivePowerPU(atVoltagePU: v - offset)) < 1e-12)
        }
        #expect(throws: Never.self) { try shifted.validate() }
    }

    @Test("JSON uses snake_case keys; autonomous VRef keys are optional")
    func json() throws {
        let curve = try decodeJSON(VoltVarCurve.self, """
            {"v_ref_pu":1.0,"v1_pu":0.9,"q1_pu":0.3,"v2_pu":0.97,"q2_pu":0,"v3_pu":1.03,"q3_pu":0,
             "v4_pu":1.1,"q4_pu":-0.3,"response_time_s":10}
            """)
        #expect(curve.v1PU == 0.9 && curve.q4PU == -0.3 && curve.responseTimeS == 10)
        #expect(curve.autonomousVRefEnabled == false && curve.vRefTimeConstantS == 300)
        let roundTrip = try decodeJSON(VoltVarCurve.self, try encodeJSON(VoltVarCurve.categoryA))
        #expect(roundTrip == VoltVarCurve.categoryA)
    }
}
