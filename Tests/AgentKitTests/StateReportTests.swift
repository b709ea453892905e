@testable import AgentKit
import Foundation
import GridCore
import MeshPlanner
import PolicyTrust
import StrictJSON
import Testing

@Suite("State report: built from the cycle, posted over mutual TLS, the envelope in the answer delivered")
struct StateReportTests {
    typealias E = EnvelopeFixtures

    /// One cycle of the scripted field (phase A heavy, two EVs at 60 % of 60 kWh), with departure data on a1.
    static func cycle(meter: Bool = true) -> (CycleInputs, CycleOutcome, ControlPolicy) {
        var inputs = ControlLoopTests.field().reading.inputs
        inputs.meter?.time = E.now
        if !meter { inputs.meter = nil }
        inputs.chargers[0].ev?.departure = E.now + 3_600
        inputs.chargers[0].ev?.energyNeededKWh = 12
        inputs.chargers[1].ev?.socPercent = .nan
        var policy = ControlPolicy()
        policy.ev.minimumSoCPercent = 20
        let outcome = ControlCycle(policy: policy).run(CycleState(), inputs: inputs, now: E.now)
        return (inputs, outcome, policy)
    }

    static func json(_ report: StateReportDocument) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(report.encoded())) as? [String: Any])
    }

    @Test("per phase P, Q, V, I; thermal state, limits and headroom; per charger ratings, power and the EV's energies")
    func fields() throws {
        let (inputs, outcome, policy) = Self.cycle()
        let report = StateReportDocument(agentID: "tx-017", sequence: 3, now: E.now, inputs: inputs, outcome: outcome, policy: policy)
        let json = try Self.json(report)
        #expect(json["agent_id"] as? String == "tx-017" && json["sequence"] as? Int == 3)
        #expect(json["at"] as? String == "2026-06-01T00:00:00Z" && json["mode"] as? String == "regulating")
        #expect(json["rated_kva"] as? Double == 100 && json["discharge_enabled"] as? Bool == true && json["phase_balance_limit_kw"] == nil)
        let a = try #require((json["phases"] as? [String: Any])?["A"] as? [String: Double])
        #expect(a == ["p_kw": 20, "q_kvar": 1, "v_v": 230, "i_a": 40])
        let thermal = try #require(json["thermal"] as? [String: Any])
        #expect(thermal["hot_spot_limit_c"] as? Double == 98 && thermal["margin_k"] as? Double == 1 && thermal["horizon_min"] as? Double == 15)
        // The sensor read 20 °C; the policy's parameters, without a simulation's starting point.
        #expect(thermal["ambient_c"] as? Double == 20)
        let parameters = try #require(thermal["parameters"] as? [String: Double])
        #expect(parameters["tau_o_min"] == 180 && parameters.count == 10)
        let hotSpot = try #require(thermal["hot_spot_c"] as? Double), topOil = try #require(thermal["top_oil_c"] as? Double)
        #expect(hotSpot > topOil)
        // Readings go to the thousandth.
        func near(_ sent: Any?, _ value: Double?) -> Bool { abs((sent as? Double ?? .nan) - (value ?? .nan)) <= 0.0005 }
        #expect(near(thermal["forecast_hot_spot_c"], outcome.figures.forecastHotSpotC))
        let allowed = try #require(thermal["allowed_kva"] as? Double), load = try #require(thermal["load_kva"] as? Double)
        #expect(abs(try #require(thermal["headroom_kva"] as? Double) - (allowed - load)) <= 0.0015)
        let chargers = try #require(json["chargers"] as? [[String: Any]])
        #expect(chargers.map { $0["id"] as? String } == ["a1", "b1"])
        let a1 = chargers[0]
        #expect(a1["phase"] as? String == "A" && a1["rated_charge_kw"] as? Double == 7.4 && a1["rated_discharge_kw"] as? Double == 7.4)
        #expect(a1["rated_kva"] as? Double == 7.4 && near(a1["setpoint_kw"], outcome.setpoints[0].activePowerKW))
        let ev = try #require(a1["ev"] as? [String: Any])
        #expect(ev["soc_pct"] as? Double == 60 && ev["discharge_allowed"] as? Bool == true && ev["charge_past_target"] as? Bool == false)
        // (60 − 20) % of 60 kWh above the minimum SoC, (100 − 60) % of it to full.
        #expect(abs((ev["energy_available_kwh"] as? Double ?? 0) - 24) < 1e-9 && abs((ev["energy_to_full_kwh"] as? Double ?? 0) - 24) < 1e-9)
        #expect(ev["energy_needed_kwh"] as? Double == 12 && ev["departure"] as? String == "2026-06-01T01:00:00Z")
        // An implausible SoC is left out, and so are the energies computed from it: nothing is guessed.
        let b1 = try #require(chargers[1]["ev"] as? [String: Any])
        #expect(b1["soc_pct"] == nil && b1["energy_available_kwh"] == nil && b1["energy_to_full_kwh"] == nil)
        #expect(json["envelope_sequence"] == nil)
        // A dozen chargers, every one with an EV and every field known (the largest a dozen make), stay within 5 KB.
        var dozen = inputs
        dozen.chargers = (0..<12).map { i in var c = inputs.chargers[0]; c.id = "charger-\(i)"; return c }
        let size = StateReportDocument(agentID: "tx-017", sequence: 3, now: E.now, inputs: dozen, outcome: outcome, policy: policy).encoded().count
        #expect(size < 5_000, "\(size) bytes")
    }

    @Test("what the agent encodes, the aggregator's strict reader takes; converted, the planner plans on it")
    func roundTripToThePlanner() throws {
        let (cycleInputs, outcome, policy) = Self.cycle()
        // a1 leaves in 8 h: no departure floor within the planner's horizon, so it may discharge.
        var inputs = cycleInputs
        inputs.chargers[0].ev?.departure = E.now + 8 * 3_600
        let report = StateReportDocument(agentID: "tx-017", sequence: 3, now: E.now, inputs: inputs, outcome: outcome, policy: policy)
        let decoded = try StrictJSON.decodeExactly(StateReportDocument.self, from: report.encoded())
        #expect(decoded == report)
        let transformer = try decoded.transformerReport()
        #expect(transformer.id == "tx-017" && transformer.reportTime == E.now && transformer.ratedKVA == 100)
        #expect(transformer.phases.a.activePowerKW == 20 && transformer.thermal.ambientC == 20)
        #expect(transformer.chargers.map(\.ratedChargeKW) == [7.4, 7.4] && transformer.chargers.allSatisfy(\.online))
        // b1's SoC is unknown: it is never planned to discharge; a1 may.
        #expect(transformer.chargers.map { $0.ev?.v2gAgreed } == [true, false])
        let goal = NeighborhoodGoal(id: "peak", start: E.now + -60, end: E.now + 3_600, action: .discharge(kilowatts: 4))
        let plan = MeshPlanner.plan(NeighborhoodSnapshot(transformers: [transformer]), goals: [goal], now: E.now + 2)
        #expect(plan.leftOut.isEmpty)
        #expect(plan.transformers.first?.plannedKW.map { abs($0 + 4) < 1e-6 } == true, "\(plan.transformers)")
    }

    @Test("no meter reading: no phases in the report, the rest still sent; the aggregator refuses to plan on it")
    func noMeter() throws {
        let (inputs, outcome, policy) = Self.cycle(meter: false)
        let report = StateReportDocument(agentID: "tx-017", sequence: 1, now: E.now, inputs: inputs, outcome: outcome, policy: policy)
        let json = try Self.json(report)
        #expect(json["phases"] == nil)
        #expect((json["chargers"] as? [Any])?.count == 2)
        let decoded = try StrictJSON.decodeExactly(StateReportDocument.self, from: report.encoded())
        #expect(throws: StateReportRefusal.self) { try decoded.transformerReport() }
    }

    @Test("a garbage register is left out rather than sent as a value the aggregator refuses")
    func garbageLeftOut() throws {
        let (cycleInputs, outcome, policy) = Self.cycle()
        var inputs = cycleInputs
        inputs.meter?.currentA.b = -5
        inputs.chargers[0].ratedChargeKW = .nan
        inputs.chargers[0].ev?.capacityKWh = 1e9
        let report = StateReportDocument(agentID: "tx-017", sequence: 1, now: E.now, inputs: inputs, outcome: outcome, policy: policy)
        #expect(report.phases?.b.currentA == nil && report.chargers[0].ratedChargeKW == 0)
        #expect(report.chargers[0].ev?.energyAvailableKWh == nil && report.chargers[0].ev?.socPercent == 60)
        _ = try StrictJSON.decodeExactly(StateReportDocument.self, from: report.encoded())
    }

    @Test("the board keeps only the newest report, and nothing once it was taken")
    func boardSupersedes() {
        let (inputs, outcome, policy) = Self.cycle()
        let board = StateReportBoard(agentID: "tx-017")
        #expect(board.take() == nil)
        board.record(inputs: inputs, outcome: outcome, policy: policy, now: E.now)
        board.record(inputs: inputs, outcome: outcome, policy: policy, now: E.now + 1)
        #expect(board.take()?.sequence == 2)
        #expect(board.take() == nil)
    }

    @Test("mutual TLS: reports reach the aggregator, its envelope reaches the inbox, and the cycle applies it")
    func overMutualTLS() async throws {
        let directory = try TemporaryDirectory()
        let ca = try await UplinkFixtures.pki(in: directory)
        let (server, port) = try await UplinkFixtures.scriptedServer(in: directory, tlsCA: ca)
        let inbox = E.inbox(root: try E.root())
        let board = StateReportBoard(agentID: E.agentID)
        let service = try StateReportService(
            settings: UplinkFixtures.settings(port: port, agentID: E.agentID, tls: UplinkFixtures.agentTLS(ca)), intervalS: 2,
            board: board, envelopes: inbox, now: { E.now }, logger: UplinkFixtures.logger)
        let (inputs, outcome, policy) = Self.cycle()

        #expect(await service.postOnce() == .nothingToSend)
        // No envelope planned yet: 204.
        board.record(inputs: inputs, outcome: outcome, policy: policy, now: E.now)
        #expect(await service.postOnce() == .posted(envelopeBytes: 0))
        let first = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: directory.file("state-1.json")))) as? [String: Any]
        #expect(first?["agent_id"] as? String == E.agentID)
        #expect((first?["chargers"] as? [Any])?.count == 2)

        let envelope = try E.signed(E.document(sequence: 9, validityS: 120, phaseKW: PerPhase(repeating: 0...1)))
        try Data(envelope).write(to: URL(fileURLWithPath: directory.file("envelope.dsse")))
        board.record(inputs: inputs, outcome: outcome, policy: policy, now: E.now + 2)
        #expect(await service.postOnce() == .posted(envelopeBytes: envelope.count))
        let (cycleEnvelope, events) = inbox.envelopeForCycle(chargers: inputs.chargers, now: E.now + 2)
        #expect(cycleEnvelope?.sequence == 9 && cycleEnvelope?.phaseKW == PerPhase(repeating: 0...1))
        #expect(events.map(\.code) == ["ENVELOPE_ADOPTED"])
        withExtendedLifetime(server) {}
    }

    @Test("the link down: the post fails, nothing is delivered, the next report supersedes the lost one")
    func linkDown() async throws {
        var port = 0
        let directory = try TemporaryDirectory()
        do {
            let (server, bound) = try await UplinkFixtures.scriptedServer(in: directory)
            port = bound
            withExtendedLifetime(server) {}
        }
        let inbox = E.inbox(root: try E.root())
        let board = StateReportBoard(agentID: E.agentID)
        let service = try StateReportService(
            settings: UplinkFixtures.settings(port: port, agentID: E.agentID), intervalS: 2, board: board, envelopes: inbox,
            now: { E.now }, logger: UplinkFixtures.logger)
        let (inputs, outcome, policy) = Self.cycle()
        board.record(inputs: inputs, outcome: outcome, policy: policy, now: E.now)
        #expect(await service.postOnce() == .failed("network_connect"))
        #expect(await service.postOnce() == .nothingToSend)
        #expect(inbox.envelopeForCycle(chargers: inputs.chargers, now: E.now).envelope == nil)
    }

    @Test("the state endpoint sits beside the telemetry one, the agent id encoded")
    func stateURL() {
        #expect(UplinkSettings(baseURL: "https://agg.example:8443/", agentID: "tx 1", tls: nil).stateURL
            == "https://agg.example:8443/v1/agents/tx%201/state")
    }
}
