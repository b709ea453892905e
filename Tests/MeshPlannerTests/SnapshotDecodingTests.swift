import FoundationEssentials
import GridCore
import Testing
@testable import MeshPlanner

/// Bad input is refused with the field named, through any decoder (a service decoding live reports would bring its own).
@Suite struct SnapshotDecodingTests {
    static let transformer = """
        {"id": "tx-1", "report_time": "2027-01-15T17:59:58Z", "rated_kva": 100,
         "phases": {"A": {"p_kw": 10, "q_kvar": 1, "v_v": 230, "i_a": 43},
                    "B": {"p_kw": 10, "q_kvar": 1, "v_v": 230, "i_a": 43},
                    "C": {"p_kw": 10, "q_kvar": 1, "v_v": 230, "i_a": 43}},
         "thermal": {"top_oil_c": 40, "hot_spot_c": 50, "ambient_c": 10},
         "chargers": [{"id": "c1", "phase": "ABC", "power_kw": 3, "rated_charge_kw": 11, "rated_discharge_kw": 11,
                       "ev": {"soc_pct": 60, "energy_available_kwh": 24, "energy_needed_kwh": 10,
                              "departure": 1800000000, "v2g_agreed": true}}]}
        """

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(text.utf8))
    }

    static func failure(_ text: String) -> String {
        do {
            _ = try decode(NeighborhoodSnapshot.self, text)
            return "decoded"
        } catch let DecodingError.dataCorrupted(context) {
            return context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? "." + $0.stringValue }.joined() + ": " + context.debugDescription
        } catch {
            return "\(error)"
        }
    }

    @Test func aGoodSnapshotDecodesWithDefaults() throws {
        let snapshot = try Self.decode(NeighborhoodSnapshot.self, "{\"transformers\": [\(Self.transformer)]}")
        let t = snapshot.transformers[0]
        #expect(t.reportTime == Timestamp(rfc3339: "2027-01-15T17:59:58Z"))
        #expect(t.thermal.hotSpotLimitC == 98 && t.thermal.parameters == .onanDistribution && t.phaseBalanceLimitKW == nil)
        #expect(t.chargers[0].connection == .threePhase && t.chargers[0].ev?.departure?.secondsSinceEpoch == 1_800_000_000)
        #expect(t.chargers[0].ev?.energyRoomKWh == nil && t.chargers[0].online)
    }

    @Test(arguments: [
        ("\"rated_kva\": 100", "\"rated_kva\": -5", ".transformers[0].rated_kva: rated_kva = -5.0 is outside the allowed range 1.0…100000.0 kVA"),
        ("\"hot_spot_c\": 50", "\"hot_spot_c\": 30", ".transformers[0].thermal.hot_spot_c: hot_spot_c = 30.0 is below top_oil_c = 40.0"),
        ("\"soc_pct\": 60", "\"soc_pct\": 160", ".transformers[0].chargers[0].ev.soc_pct: soc_pct = 160.0 is outside"),
        ("\"report_time\": \"2027-01-15T17:59:58Z\"", "\"report_time\": \"yesterday\"", ".transformers[0].report_time: report_time must be RFC 3339"),
        ("\"thermal\": {", "\"thermal\": {\"parameters\": {\"tau_o_min\": 0}, ", ".transformers[0].thermal.parameters: tau_o_min = 0.0 is outside"),
        ("\"power_kw\": 3", "\"power_kw\": 3, \"colour\": \"red\"", ".transformers[0].chargers[0].colour: unknown key \"colour\""),
    ])
    func aBadValueNamesItsField(good: String, bad: String, expected: String) {
        let text = "{\"transformers\": [\(Self.transformer.replacing(good, with: bad))]}"
        let message = Self.failure(text)
        #expect(message.hasPrefix(expected), "\(message)")
    }

    @Test func aRepeatedTransformerIDIsNamed() {
        let message = Self.failure("{\"transformers\": [\(Self.transformer), \(Self.transformer)]}")
        #expect(message.hasPrefix(".transformers[1].id: id \"tx-1\" appears twice"), "\(message)")
    }

    @Test(arguments: [
        ("{\"id\": \"g\", \"kind\": \"discharge\", \"power_kw\": -5, \"start\": 0, \"end\": 60}", "power_kw = -5.0 is outside"),
        ("{\"id\": \"g\", \"kind\": \"shed\", \"power_kw\": 5, \"start\": 0, \"end\": 60}", "kind must be one of discharge, absorb, import_cap, schedule"),
        ("{\"id\": \"g\", \"kind\": \"absorb\", \"power_kw\": 5, \"start\": 60, \"end\": 60}", "end 1970-01-01T00:01:00Z must be after start"),
        ("{\"id\": \"g\", \"kind\": \"import_cap\", \"power_kw\": 5, \"start\": 0, \"end\": 60}", "power_kw does not apply to a import_cap goal"),
        ("{\"id\": \"g\", \"kind\": \"schedule\", \"start\": 0, \"end\": 60, \"steps\": [{\"at\": 10, \"power_kw\": 1}]}", "the first step must be at the goal's start"),
        ("{\"id\": \"g\", \"kind\": \"schedule\", \"start\": 0, \"end\": 60, \"steps\": [{\"at\": 0, \"power_kw\": 1}, {\"at\": 0, \"power_kw\": 2}]}", "strictly increasing"),
    ])
    func aBadGoalNamesItsField(text: String, expected: String) {
        do {
            _ = try Self.decode(GoalSet.self, "{\"goals\": [\(text)]}")
            Issue.record("decoded \(text)")
        } catch let DecodingError.dataCorrupted(context) {
            #expect(context.debugDescription.contains(expected), "\(context.debugDescription)")
        } catch {
            Issue.record("\(error)")
        }
    }

    @Test func aPlanRoundTripsThroughJSON() throws {
        let snapshot = try Self.decode(NeighborhoodSnapshot.self, "{\"transformers\": [\(Self.transformer)]}")
        let now = Timestamp(rfc3339: "2027-01-15T18:00:00Z")!
        let plan = MeshPlanner.plan(snapshot, goals: [Fixture.goal("g", .discharge(kilowatts: 4))], now: now)
        let again = try JSONDecoder().decode(NeighborhoodPlan.self, from: try JSONEncoder().encode(plan))
        #expect(again == plan)
    }
}
