import FoundationEssentials
import GridCore
@testable import SimKit
import SunSpec
import Testing

/// The runner closes the loop through the servers; the clock, report and agent configuration files it writes.
@Suite struct SimFieldRunnerTests {
    @Test func stepAppliesWhatTheAgentWrote() throws {
        let scenario = try SimFieldFixtures.scenario()
        var runner = SimulationRunner(simulation: FeederSimulation(scenario: scenario), field: try SimulatedField(scenario: scenario))
        runner.step(simulatedSeconds: 60)
        var port = try ClientPort(runner.field, "evse-a")
        let map = try SunSpecDevice.discover(reader: &port)
        let writer = try DERControlWriter(device: map, reader: &port)
        try writer.activePower(watts: 2000, maxInjectW: 7400, maxAbsorbW: 7400, reversionS: 60).apply(to: &port)
        try port.sync()
        runner.step(simulatedSeconds: 20)
        #expect(runner.appliedSetpoints == 1)
        #expect(runner.refusedSetpoints == 0)
        #expect(abs(try #require(runner.simulation.observe().charger("evse-a")).measuredKW + 2) < 1e-3)
        // Published after the step: the agent reads its own setpoint back as measured power.
        #expect(abs(try #require(try map.readDER(reader: &port).activePowerKW) - 2) <= 0.001)
        runner.step(simulatedSeconds: 1)
        #expect(runner.appliedSetpoints == 1)  // nothing new was written
    }

    @Test func clockFileRoundTripsAndMapsWallToSimulatedTime() throws {
        let clock = SimulationClock(wallStartS: 1_000, simStartS: Fixtures.start, scale: 720)
        #expect(clock.simulatedTime(atWallS: 1_010) == Timestamp(secondsSinceEpoch: Fixtures.start + 7_200))
        let path = "/tmp/v2g-sim-clock-\(UInt64.random(in: 0...UInt64.max)).json"
        defer { _ = try? FileManager.default.removeItem(atPath: path) }
        try clock.write(to: path)
        #expect(try SimulationClock.read(from: path) == clock)
        let text = String(decoding: try Data(contentsOf: URL(filePath: path)), as: UTF8.self)
        #expect(text.contains("\"wall_start_s\":1000") && text.contains("\"sim_start_s\":") && text.contains("\"scale\":720"))
    }

    private struct ReportMirror: Decodable {
        struct Metrics: Decodable {
            struct Pair: Decodable { var average: Double; var peak: Double; var peak_at_s: Double? }
            struct VUF: Decodable { var average: Double; var max: Double; var intervals: Int; var intervals_within_limit: Int }
            var neutral_current_a: Pair
            var vuf_pct: VUF
            var hot_spot_peak_c: Double?
            struct Band: Decodable { var seconds_outside: [String: Double]; var excursions: [String: Int] }
            var voltage_band: Band
        }
        struct Count: Decodable { var ended: Int; var met: Int }
        var scenario: String
        var metrics: Metrics
        var sessions: [SessionOutcome]
        var targets: Count
    }

    @Test func reportJSONCarriesTheMetricsAndSessions() throws {
        let scenario = try SimFieldFixtures.scenario(aSessions: [Fixtures.session(departS: 1_800, kwh: 10, soc: 80, target: 90)])
        var sim = FeederSimulation(scenario: scenario)
        sim.advance(by: 3_600)
        let report = ScenarioReport(simulation: sim)
        let decoded = try JSONDecoder().decode(ReportMirror.self, from: Data(report.json()))
        #expect(decoded.metrics.neutral_current_a.peak == sim.metrics.neutralCurrentPeakA)
        #expect(decoded.metrics.neutral_current_a.peak_at_s == sim.metrics.neutralCurrentPeakAtS)
        #expect(decoded.metrics.vuf_pct.intervals == 6)
        #expect(decoded.metrics.hot_spot_peak_c == sim.metrics.hotSpotPeakC)
        #expect(decoded.metrics.voltage_band.seconds_outside["A"] == sim.metrics.secondsOutsideBand.a)
        #expect(decoded.sessions == sim.sessions)
        #expect(decoded.targets.ended == 1 && decoded.targets.met == 1)  // 1 kWh in 30 min at 7.4 kW
        #expect(report.text.contains("evse-a#0") && report.text.contains(": met"))
    }

    @Test(arguments: [(107.234, 1, "107.2"), (1.25, 1, "1.3"), (-0.04, 1, "0.0"), (-2.5, 2, "-2.50"), (3.0, 0, "3"), (0.05, 2, "0.05")])
    func fixedFormatsDecimals(value: Double, digits: Int, expected: String) {
        #expect(ScenarioReport.fixed(value, digits) == expected)
    }

    private struct ConfigMirror: Decodable {
        struct Transport: Decodable {
            struct TCP: Decodable { var host: String; var port: Int; var unit_id: Int }
            var tcp: TCP
        }
        struct Device: Decodable { var transport: Transport }
        struct Charger: Decodable {
            var id: String; var phase: String; var transport: Transport
            var rated_charge_kw: Double; var rated_discharge_kw: Double; var rated_kva: Double
        }
        var agent_id: String
        var state_directory: String
        var status_file: String
        var meter: Device
        var temperature: Device
        var chargers: [Charger]
    }

    @Test func agentConfigNamesEveryServedDevice() throws {
        let field = try SimulatedField(scenario: try SimFieldFixtures.scenario())
        let bytes = try AgentConfigFile(stateDirectory: "/tmp/sim/").json(for: field)
        let config = try JSONDecoder().decode(ConfigMirror.self, from: Data(bytes))
        #expect(config.meter.transport.tcp.port == field.port(of: "meter"))
        #expect(config.temperature.transport.tcp.port == field.port(of: "transformer"))
        #expect(config.chargers.map(\.id) == ["evse-a", "evse-3p"])
        #expect(config.chargers.map(\.phase) == ["A", "ABC"])
        #expect(config.chargers.map(\.transport.tcp.port) == [field.port(of: "evse-a"), field.port(of: "evse-3p")])
        #expect(config.chargers.allSatisfy { $0.rated_charge_kw == 7.4 && $0.rated_discharge_kw == 7.4 && $0.transport.tcp.unit_id == 1 })
        #expect(config.state_directory == "/tmp/sim" && config.status_file == "/tmp/sim/status.json")
    }
}
