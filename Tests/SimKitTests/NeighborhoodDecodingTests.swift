import FoundationEssentials
import GridCore
@testable import SimKit
import Testing

@Suite("Neighborhood files")
struct NeighborhoodDecodingTests {
    @Test("the demo's neighborhood: 4 transformers, 44 chargers on uneven phases, the sag everywhere, the heat at one")
    func demoNeighborhood() throws {
        let n = try NeighborhoodFixtures.example("neighborhood-evening")
        #expect(n.transformers.map(\.id) == ["tx-elm", "tx-oak", "tx-ash", "tx-birch"])
        #expect(n.transformers.map(\.agentID) == ["agent-elm", "agent-oak", "agent-ash", "agent-birch"])
        #expect(n.transformers.reduce(0) { $0 + $1.scenario.chargers.count } == 44)
        for transformer in n.transformers {
            let counts = Phase.allCases.map { phase in transformer.scenario.chargers.filter { $0.connection == .single(phase) }.count }
            #expect(Set(counts).count > 1, "\(transformer.id) has as many chargers on every phase: \(counts)")
            // The neighborhood's clock in every scenario.
            #expect(transformer.scenario.startTime == n.startTime && transformer.scenario.durationS == n.durationS)
            #expect(transformer.scenario.timeAcceleration == n.timeAcceleration && transformer.scenario.stepS == n.stepS)
            #expect(transformer.scenario.events.contains { $0.kind == .voltageSag })
            #expect(transformer.scenario.events.contains { $0.kind == .hotTransformer } == (transformer.id == "tx-ash"))
            #expect(transformer.scenario.events.contains { $0.kind == .chargerOffline } == (transformer.id == "tx-oak"))
        }
        #expect(Set(n.transformers.map(\.scenario.seed)).count == 4)
        #expect(n.timeAcceleration > 1 && n.durationS >= 4 * 3600)
        // Every EV leaves within the evening, so each is judged on the energy it left with.
        #expect(n.lastDeparture <= n.endTime)
        // tx-elm is a single-transformer scenario named by file: the same site, on the neighborhood's clock.
        let elm = try #require(n.transformer("tx-elm"))
        let alone = try Fixtures.example("elm-street")
        #expect(elm.scenarioFile == "elm-street.json")
        #expect(elm.scenario.chargers == alone.chargers && elm.scenario.transformer == alone.transformer)
        #expect(elm.scenario.seed != alone.seed && elm.scenario.durationS == n.durationS)
    }

    @Test("the pair example decodes; its hot transformer holds the ambient")
    func pairExample() throws {
        let n = try NeighborhoodFixtures.example("neighborhood-pair")
        #expect(n.transformers.map(\.id) == ["tx-a", "tx-b"])
        #expect(n.transformers.map(\.agentID) == ["tx-a", "tx-b"])  // agent_id defaults to the id
        let hot = try #require(n.transformer("tx-b")?.scenario.events.first { $0.kind == .hotTransformer })
        #expect(hot.ambientHeldC == 40 && hot.ambientRiseK == nil)
    }

    @Test("the same scenario file twice: different seeds, so different EVs from the session generator")
    func twoTransformersOneFile() throws {
        let n = try NeighborhoodFixtures.besideExamples("""
            {"seed": 9, "start_time": \(Fixtures.start), "duration_s": 3600,
             "transformers": [{"id": "one", "scenario_file": "overload-evening.json"}, {"id": "two", "scenario_file": "overload-evening.json"}]}
            """)
        let (one, two) = (n.transformers[0].scenario, n.transformers[1].scenario)
        #expect(one.chargers == two.chargers && one.seed != two.seed)
        #expect(one.sessions(forChargerAt: 0) != two.sessions(forChargerAt: 0))
    }

    /// (what to replace in the valid fixture, its replacement, the file at fault, the field named)
    static let broken: [(String, String, String, String)] = [
        ("\"report_interval_s\": 60", "\"report_interval_s\": 60, \"colour\": 1", NeighborhoodFixtures.path, "colour"),
        ("\"report_interval_s\": 60", "\"report_interval_s\": 0.5", NeighborhoodFixtures.path, "report_interval_s"),
        ("\"seed\": 42,", "", NeighborhoodFixtures.path, "seed"),
        ("\"phase\": \"C\"", "\"phase\": \"D\"", NeighborhoodFixtures.path, "transformers[1].scenario.chargers[0].phase"),
        ("\"scenario\": {", "\"scenario\": {\"seed\": 3, ", NeighborhoodFixtures.path, "transformers[1].scenario.seed"),
        ("\"scenario\": {", "\"scenario\": {\"start_time\": 0, ", NeighborhoodFixtures.path, "transformers[1].scenario.start_time"),
        ("\"id\": \"tx-b\"", "\"id\": \"tx-a\"", NeighborhoodFixtures.path, "transformers[1].id"),
        ("\"agent_id\": \"agent-b\"", "\"agent_id\": \"agent-a\"", NeighborhoodFixtures.path, "transformers[1].agent_id"),
        ("\"agent_id\": \"agent-a\"", "\"agent_id\": \"../etc\"", NeighborhoodFixtures.path, "transformers[0].agent_id"),
        ("\"scenario_file\": \"a.json\"", "\"scenario_file\": \"a.json\", \"scenario\": {}", NeighborhoodFixtures.path, "transformers[0].scenario"),
        ("\"scenario_file\": \"a.json\"", "\"scenario_file\": \"missing.json\"", "/n/missing.json", ""),
        ("\"transformers\": [", "\"transformers\": [], \"old\": [", NeighborhoodFixtures.path, "old"),
    ]

    @Test("bad input: one line naming the file, the field and the reason", arguments: broken.indices)
    func errorsNameFileAndField(index: Int) throws {
        let (valid, replacement, file, field) = Self.broken[index]
        let json = NeighborhoodFixtures.json()
        #expect(json.contains(valid), "fixture drifted: \(valid)")
        _ = try NeighborhoodFixtures.decode(json)
        let bad = json.replacing(valid, with: replacement, maxReplacements: 1)
        let error = #expect(throws: NeighborhoodError.self) { try NeighborhoodFixtures.decode(bad) }
        #expect(error?.path == file, "\(error?.message ?? "no error")")
        #expect(error?.field == field, "\(error?.message ?? "no error")")
        #expect(error?.message.hasPrefix(file + ": ") == true)
        #expect(error?.message.contains(field) == true)
        #expect(error?.message.contains("\n") == false)
    }

    @Test("no transformers at all is refused")
    func emptyList() {
        let json = """
            {"seed": 1, "start_time": \(Fixtures.start), "duration_s": 60, "transformers": []}
            """
        let error = #expect(throws: NeighborhoodError.self) { try NeighborhoodFixtures.decode(json) }
        #expect(error?.field == "transformers" && error?.description == "neighborhood_invalid")
    }

    @Test("a named scenario file that is bad itself is named, with where the neighborhood names it")
    func badReferencedFile() {
        let files = ["/n/a.json": NeighborhoodFixtures.fileA.replacing("\"rated_kva\": 100", with: "\"rated_kva\": -1", maxReplacements: 1)]
        let error = #expect(throws: NeighborhoodError.self) { try NeighborhoodFixtures.decode(NeighborhoodFixtures.json(), files: files) }
        #expect(error?.path == "/n/a.json" && error?.field == "transformer.rated_kva")
        #expect(error?.description == "neighborhood_scenario_invalid")
        #expect(error?.message.hasSuffix("(transformers[0].scenario_file of /n/neighborhood.json)") == true, "\(error?.message ?? "")")
    }

    @Test("a named file must start when the neighborhood starts; its other clock keys are replaced")
    func referencedClock() throws {
        let moved = NeighborhoodFixtures.fileA.replacing("\"start_time\": \(Fixtures.start)", with: "\"start_time\": \(Fixtures.start + 60)")
        let error = #expect(throws: NeighborhoodError.self) {
            try NeighborhoodFixtures.decode(NeighborhoodFixtures.json(), files: ["/n/a.json": moved])
        }
        #expect(error?.path == "/n/a.json" && error?.field == "start_time")
        let shifted = NeighborhoodFixtures.fileA.replacing("\"seed\": 1,", with: "\"seed\": 1, \"utc_offset_s\": 3600,")
        let offset = #expect(throws: NeighborhoodError.self) {
            try NeighborhoodFixtures.decode(NeighborhoodFixtures.json(), files: ["/n/a.json": shifted])
        }
        #expect(offset?.field == "utc_offset_s")
        let n = try NeighborhoodFixtures.decode(NeighborhoodFixtures.json())
        #expect(n.transformers[0].scenario.durationS == 7200 && n.transformers[0].scenario.timeAcceleration == 600)
    }

    /// Neighborhood events: (the event, the field its error names; nil when it is valid).
    static let events: [(String, String?)] = [
        (NeighborhoodFixtures.event("voltage_sag", startS: 60, durationS: 60, "\"phase\": \"A\", \"pu\": 0.9"), nil),
        (NeighborhoodFixtures.event("hot_transformer", startS: 60, durationS: 60, "\"transformer\": \"tx-b\", \"rise_k\": 10"), nil),
        (NeighborhoodFixtures.event("hot_transformer", startS: 60, durationS: 60, "\"rise_k\": 10"), "events[0].transformer"),
        (NeighborhoodFixtures.event("hot_transformer", startS: 60, durationS: 60, "\"transformer\": \"tx-z\", \"rise_k\": 10"), "events[0].transformer"),
        (NeighborhoodFixtures.event("hot_transformer", startS: 60, durationS: 60, "\"transformer\": \"tx-b\", \"rise_k\": 10, \"ambient_c\": 30"), "events[0].rise_k"),
        (NeighborhoodFixtures.event("hot_transformer", startS: 60, durationS: 60, "\"transformer\": \"tx-b\""), "events[0].rise_k"),
        (NeighborhoodFixtures.event("hot_transformer", startS: 60, durationS: 60, "\"transformer\": \"tx-b\", \"rise_k\": 90"), "events[0].rise_k"),
        (NeighborhoodFixtures.event("charger_offline", startS: 60, durationS: 60, "\"transformer\": \"tx-a\", \"charger\": \"evse-02\""), nil),
        (NeighborhoodFixtures.event("charger_offline", startS: 60, durationS: 60, "\"transformer\": \"tx-b\", \"charger\": \"evse-02\""), "events[0].charger"),
        (NeighborhoodFixtures.event("garbage_registers", startS: 60, durationS: 60, "\"transformer\": \"tx-b\", \"device\": \"evse-02\", \"point\": \"W\""), "events[0].device"),
        (NeighborhoodFixtures.event("meter_frozen", startS: 60, durationS: 60, "\"transformer\": \"tx-a\", \"pu\": 0.9"), "events[0].pu"),
        (NeighborhoodFixtures.event("voltage_sag", startS: 60, durationS: 60, "\"phase\": \"A\", \"pu\": 0.9, \"feeder\": 1"), "events[0].feeder"),
    ]

    @Test("events: feeder-wide or at one transformer, checked against that transformer", arguments: events.indices)
    func neighborhoodEvents(index: Int) throws {
        let (event, field) = Self.events[index]
        let json = NeighborhoodFixtures.json(events: [event])
        guard let field else {
            _ = try NeighborhoodFixtures.decode(json)
            return
        }
        let error = #expect(throws: NeighborhoodError.self) { try NeighborhoodFixtures.decode(json) }
        #expect(error?.field == field, "\(error?.message ?? "no error")")
        #expect(error?.message.hasPrefix(NeighborhoodFixtures.path + ": \(field)") == true, "\(error?.message ?? "")")
    }

    @Test("a sag without a transformer reaches every one; an event at one transformer reaches only it")
    func eventDelivery() throws {
        let n = try NeighborhoodFixtures.decode(NeighborhoodFixtures.json(events: [
            NeighborhoodFixtures.event("voltage_sag", startS: 60, durationS: 60, "\"phase\": \"A\", \"pu\": 0.9"),
            NeighborhoodFixtures.event("hot_transformer", startS: 60, durationS: 60, "\"transformer\": \"tx-b\", \"ambient_c\": 35"),
        ]))
        #expect(n.transformers.map { $0.scenario.events.map(\.kind) } == [[.voltageSag], [.voltageSag, .hotTransformer]])
    }

    @Test("a single scenario's hot_transformer event: exactly one of rise_k and ambient_c, nothing else")
    func hotTransformerInAScenario() throws {
        func decode(_ keys: String) throws -> Scenario {
            let event = SimFieldFixtures.event("hot_transformer", startS: 0, durationS: 60, keys)
            return try Scenario.decode(from: Array(Fixtures.feederJSON(chargers: [], events: [event]).utf8))
        }
        #expect(try decode("\"rise_k\": 12").events[0].ambientRiseK == 12)
        #expect(try decode("\"ambient_c\": 41").events[0].ambientHeldC == 41)
        for (keys, field) in [("", "events[0].rise_k"), ("\"rise_k\": 1, \"ambient_c\": 2", "events[0].rise_k"),
                              ("\"rise_k\": 1, \"phase\": \"A\"", "events[0].phase"), ("\"ambient_c\": 99", "events[0].ambient_c")] {
            let error = #expect(throws: ScenarioError.self) { try decode(keys) }
            #expect(error?.field == field, "\(keys): \(error?.message ?? "no error")")
        }
    }
}
