import FoundationEssentials
import GridCore
@testable import SimKit
import Testing

@Suite("Scenario decoding")
struct ScenarioDecodingTests {
    @Test("every shipped example decodes", arguments: ["evening-unbalanced", "overload-evening", "sag", "faults", "pv-noon", "depot-overnight", "pv-afternoon"])
    func examplesDecode(name: String) throws {
        let scenario = try Fixtures.example(name)
        #expect(scenario.name == name)
        #expect(!scenario.chargers.isEmpty)
        #expect(scenario.timeAcceleration == 720)
    }

    @Test("the evening scenario puts 7 chargers on A, 3 on B, 2 on C")
    func eveningLayout() throws {
        let scenario = try Fixtures.example("evening-unbalanced")
        let counts = PerPhase<Int> { (phase: Phase) in scenario.chargers.filter { $0.connection == .single(phase) }.count }
        #expect(counts == PerPhase(a: 7, b: 3, c: 2))
        #expect(scenario.transformer.ratedKVA == 100)
    }

    /// Each broken variant of a valid feeder must be refused with an error naming the field.
    @Test(
        "errors name the field",
        arguments: [
            ("\"rated_kva\": 100", "\"rated_kva\": -5", "transformer.rated_kva"),
            ("\"impedance_pct\": 4", "\"impedance_pct\": 4, \"impedence\": 1", "transformer.impedence"),
            ("\"phase\": \"B\"", "\"phase\": \"D\"", "chargers[1].phase"),
            ("\"arrival_soc_pct\": 30", "\"arrival_soc_pct\": 130", "chargers[0].sessions[0].arrival_soc_pct"),
            ("\"battery_kwh\": 60.0", "\"battery_kwh\": \"sixty\"", "chargers[0].sessions[0].battery_kwh"),
            ("\"seed\": 1,", "", "seed"),
            ("\"noise_pct\": 0", "\"noise_pct\": 0, \"extra\": true", "base_load.extra"),
            ("\"hour\": 0, \"value\": 1.0", "\"hour\": 0, \"value\": 2.0", "upstream_voltage_pu[0].value"),
            ("\"id\": \"evse-02\"", "\"id\": \"evse-01\"", "chargers[1].id"),
            ("\"charger\": \"evse-01\"", "\"charger\": \"evse-09\"", "events[0].charger"),
            ("\"duration_s\": 60, \"charger\"", "\"duration_s\": 60, \"pu\": 0.9, \"charger\"", "events[0].pu"),
        ]
    )
    func errorsNameTheField(valid: String, broken: String, field: String) throws {
        let json = Fixtures.feederJSON(
            chargers: [Fixtures.charger("evse-01"), Fixtures.charger("evse-02", phase: "B")],
            events: ["{\"kind\": \"charger_offline\", \"start\": \(Fixtures.start), \"duration_s\": 60, \"charger\": \"evse-01\"}"]
        )
        #expect(json.contains(valid), "fixture drifted: \(valid)")
        _ = try Scenario.decode(from: Array(json.utf8))
        let bad = json.replacing(valid, with: broken, maxReplacements: 1)
        let error = #expect(throws: ScenarioError.self) { try Scenario.decode(from: Array(bad.utf8)) }
        #expect(error?.field == field, "\(error?.message ?? "no error")")
        #expect(error?.message.contains(field) == true)
    }

    @Test("a sag event needs its phase")
    func sagNeedsPhase() {
        let json = Fixtures.feederJSON(
            chargers: [], events: ["{\"kind\": \"voltage_sag\", \"start\": \(Fixtures.start), \"duration_s\": 60, \"pu\": 0.9}"]
        )
        let error = #expect(throws: ScenarioError.self) { try Scenario.decode(from: Array(json.utf8)) }
        #expect(error?.field == "events[0].phase")
        #expect(error?.description == "scenario_missing_field")
    }

    @Test("text that is not JSON is refused as malformed")
    func malformed() {
        let error = #expect(throws: ScenarioError.self) { try Scenario.decode(from: Array("{\"seed\": ".utf8)) }
        #expect(error?.description == "scenario_malformed_json")
    }

    @Test("daily profiles wrap across midnight")
    func dailyWrap() {
        let hours = [6.0, 18.0]
        let values = [1.0, 2.0]
        #expect(dailyValue(hours: hours, values: values, at: 12) == 1.5)
        #expect(dailyValue(hours: hours, values: values, at: 0) == 1.5)  // halfway from 18:00 to 06:00
        #expect(dailyValue(hours: hours, values: values, at: 21) == 1.75)
    }

    @Test("a scenario encodes back to JSON that decodes to the same scenario", arguments: ["evening-unbalanced", "faults", "pv-noon"])
    func roundTrip(name: String) throws {
        let scenario = try Fixtures.example(name)
        let bytes = [UInt8](try JSONEncoder().encode(scenario))
        #expect(try Scenario.decode(from: bytes) == scenario)
    }
}
