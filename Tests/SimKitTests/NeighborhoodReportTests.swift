import FoundationEssentials
import GridCore
@testable import SimKit
import Testing

@Suite("Neighborhood reports")
struct NeighborhoodReportTests {
    /// The figures' JSON as a reader sees it.
    struct FiguresMirror: Decodable {
        struct NetPower: Decodable {
            struct One: Decodable { var net_import_kw: [Double]; var chargers_kw: [Double]; var imported_kwh: Double; var exported_kwh: Double }
            var interval_s: Double
            var from_s: [Double]
            var net_import_kw: [Double]
            var chargers_kw: [Double]
            var imported_kwh: Double
            var exported_kwh: Double
            var net_import_max_kw: Double?
            var net_import_min_kw: Double?
            var transformers: [String: One]
        }
        var transformers: [String: RehearsalTests.Figures]
        var neighborhood: RehearsalTests.Figures
        var net_power: NetPower
    }

    static func played(_ n: Neighborhood, seconds: Double, policy: ControlPolicy? = nil) async -> NeighborhoodLoop {
        var loop = NeighborhoodLoop(neighborhood: n, policy: policy)
        await loop.run(until: n.startTime + seconds)
        return loop
    }

    @Test("figures: each transformer's M, the neighborhood's M, and net power series that add up")
    func figuresShape() async throws {
        let n = try NeighborhoodFixtures.decode(NeighborhoodFixtures.json())
        let figures = await Self.played(n, seconds: 1830).figures
        let mirror = try JSONDecoder().decode(FiguresMirror.self, from: JSONEncoder().encode(figures))
        #expect(Set(mirror.transformers.keys) == ["tx-a", "tx-b"])
        #expect(mirror.transformers.values.allSatisfy { $0.elapsed_s == 1830 })
        let power = mirror.net_power
        #expect(power.interval_s == 60 && power.from_s == (0..<30).map { Double($0) * 60 })  // the last 30 s is not a window
        #expect(power.net_import_kw.count == 30 && power.chargers_kw.count == 30)
        let a = try #require(power.transformers["tx-a"]), b = try #require(power.transformers["tx-b"])
        for i in 0..<30 {
            #expect(abs(power.net_import_kw[i] - a.net_import_kw[i] - b.net_import_kw[i]) < 1e-9)
            #expect(abs(power.chargers_kw[i] - a.chargers_kw[i] - b.chargers_kw[i]) < 1e-9)
            // Households (10 + 5 + 3 and 4 + 8 + 6 kW at unity power factor) plus two EVs charging at 7.4 kW.
            #expect(abs(power.net_import_kw[i] - 18 - 18 - power.chargers_kw[i]) < 1e-6)
        }
        #expect(abs(power.chargers_kw[10] - 3 * 7.4) < 1e-6)
        #expect(power.net_import_max_kw == power.net_import_kw.max() && power.net_import_min_kw == power.net_import_kw.min())
        // The energy is the whole run's; the windows cover all of it but the last 30 s.
        let windowsKWh = power.net_import_kw.reduce(0, +) / 60
        #expect(abs(power.imported_kwh - windowsKWh - power.net_import_kw[29] / 120) < 0.05)
        #expect(power.exported_kwh == 0 && abs(power.imported_kwh - a.imported_kwh - b.imported_kwh) < 1e-9)
        #expect(mirror.neighborhood.evs.count == 3)
        #expect(Set(mirror.neighborhood.evs.compactMap { if case .text(let id) = $0["id"] { id } else { nil } })
            == ["tx-a/evse-01#0", "tx-a/evse-02#0", "tx-b/evse-01#0"])
    }

    @Test("the neighborhood's M: the worst transformer for quality, sums for what adds up")
    func aggregation() throws {
        func figures(_ neutral: Double, hotSpot: Double?, life: Double, lapses: Int, outside: Double, ev: Double) -> RunFigures {
            var sim = FeederSimulation(scenario: try! SimFieldFixtures.scenario())
            sim.advance(by: 1)
            var f = RunFigures(simulation: sim)
            (f.neutralMeanA, f.neutralMax1MinA, f.hotSpotMaxC, f.lossOfLifeHours) = (neutral, neutral * 2, hotSpot, life)
            (f.setpointLapses, f.voltageOutsideBandS, f.vufP95TenMinutePercent) = (lapses, outside, nil)
            f.evs = f.evs.map { var e = $0; e.neededKWh = ev; e.deliveredKWh = ev - 1; e.shortfallKWh = 1; return e }
            return f
        }
        let one = figures(30, hotSpot: 90, life: 0.5, lapses: 1, outside: 100, ev: 10)
        let two = figures(50, hotSpot: nil, life: 0.25, lapses: 2, outside: 40, ev: 20)
        let all = RunFigures(neighborhood: [("one", one), ("two", two)])
        #expect(all.neutralMeanA == 50 && all.neutralMax1MinA == 100 && all.hotSpotMaxC == 90)
        #expect(all.lossOfLifeHours == 0.75 && all.setpointLapses == 3 && all.voltageOutsideBandS == 100)
        #expect(all.vufP95TenMinutePercent == nil)
        #expect(all.evs.count == one.evs.count + two.evs.count && all.evs.first?.id.hasPrefix("one/") == true)
        #expect(all.evsNeededTotalKWh == one.evsNeededTotalKWh + two.evsNeededTotalKWh && all.evShortfallMaxKWh == 1)
    }

    @Test("the run report: each transformer's report with its agent, the ambient changes, the figures")
    func reportShape() throws {
        let n = try NeighborhoodFixtures.decode(NeighborhoodFixtures.json())
        var runner = try NeighborhoodRunner(neighborhood: n)
        runner.step(simulatedSeconds: 300)
        try runner.setAmbient(["tx-b": .rise(kelvin: 12)])
        try runner.setAmbient(["tx-b": .rise(kelvin: 12)])  // unchanged: not logged again
        runner.step(simulatedSeconds: 300)
        try runner.setAmbient([:])
        runner.step(simulatedSeconds: 60)
        struct Mirror: Decodable {
            struct One: Decodable {
                struct Report: Decodable { var scenario: String; var figures: RehearsalTests.Figures; var sessions: [SessionOutcome] }
                var agent_id: String
                var report: Report
            }
            struct Change: Decodable { var transformer: String; var at_s: Double; var rise_k: Double?; var ambient_c: Double? }
            var neighborhood: String
            var start_time: Double
            var end_time: Double
            var transformers: [String: One]
            var ambient_changes: [Change]
            var figures: FiguresMirror
        }
        let report = NeighborhoodReport(runner: runner)
        let mirror = try JSONDecoder().decode(Mirror.self, from: Data(report.json()))
        #expect(mirror.neighborhood == "pair" && mirror.end_time - mirror.start_time == 660)
        #expect(mirror.transformers.mapValues(\.agent_id) == ["tx-a": "agent-a", "tx-b": "agent-b"])
        #expect(mirror.transformers["tx-a"]?.report.sessions.count == 2)
        #expect(mirror.ambient_changes.map(\.transformer) == ["tx-b", "tx-b"])
        #expect(mirror.ambient_changes.map(\.at_s) == [300, 600])
        #expect(mirror.ambient_changes.map(\.rise_k) == [12, nil] && mirror.ambient_changes.allSatisfy { $0.ambient_c == nil })
        #expect(mirror.figures.net_power.net_import_kw.count == 11)
        #expect(report.text.contains("== transformer tx-b (agent agent-b)") && report.text.contains("neighborhood "))
        #expect(report.text.contains("control file: tx-b ambient +12.0 K from 300 s"))
    }

    @Test("rehearse --neighborhood's JSON: {baseline, agent}, each the neighborhood's figures")
    func rehearsalJSON() async throws {
        let n = try NeighborhoodFixtures.example("neighborhood-pair")
        var rehearsal = NeighborhoodRehearsal(neighborhood: n, policy: .builtInSafeDefaults, until: n.startTime + 1200)
        #expect(NeighborhoodRehearsal(neighborhood: n, policy: .builtInSafeDefaults).end == n.lastDeparture)
        await rehearsal.run()
        let both = try JSONDecoder().decode([String: FiguresMirror].self, from: Data(rehearsal.json()))
        #expect(Set(both.keys) == ["baseline", "agent"])
        for figures in both.values {
            #expect(Set(figures.transformers.keys) == ["tx-a", "tx-b"])
            #expect(figures.neighborhood.elapsed_s == 1200 && figures.net_power.net_import_kw.count == 20)
        }
        #expect(both["baseline"]?.neighborhood.setpoint_lapses == 0)
        #expect(rehearsal.agentModeSeconds["tx-a"]?[.regulating] == 1200)
        // The agents act: the neutral current is not the baseline's.
        #expect(both["agent"]?.transformers["tx-a"]?.neutral_current_a["mean"] != both["baseline"]?.transformers["tx-a"]?.neutral_current_a["mean"])
    }
}
