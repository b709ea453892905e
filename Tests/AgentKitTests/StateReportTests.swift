@testable import AgentKit
import Foundation
import GridCore
import PolicyTrust
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

    static func json(_ report: StateReport) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(report.encoded())) as? [String: Any])
    }

    @Test("per phase P, Q, V, I; thermal state and headroom; per charger power, SoC, energy and departure")
    func fields() throws {
        let (inputs, outcome, policy) = Self.cycle()
        let report = StateReport(agentID: "tx-017", sequence: 3, now: E.now, inputs: inputs, outcome: outcome, policy: policy)
        let json = try Self.json(report)
        #expect(json["agent_id"] as? String == "tx-017" && json["sequence"] as? Int == 3)
        #expect(json["at"] as? String == "2026-06-01T00:00:00Z" && json["mode"] as? String == "regulating")
        let a = try #require((json["phases"] as? [String: Any])?["A"] as? [String: Double])
        #expect(a == ["p_kw": 20, "q_kvar": 1, "v_v": 230, "i_a": 40])
        let thermal = try #require(json["thermal"] as? [String: Double])
        #expect(thermal["hot_spot_limit_c"] == 98)
        let hotSpot = try #require(thermal["hot_spot_c"]), topOil = try #require(thermal["top_oil_c"])
        #expect(hotSpot > topOil)
        #expect(thermal["forecast_hot_spot_c"] == outcome.figures.forecastHotSpotC)
        let allowed = try #require(thermal["allowed_kva"]), load = try #require(thermal["load_kva"])
        #expect(abs(try #require(thermal["headroom_kva"]) - (allowed - load)) < 1e-9)
        let chargers = try #require(json["chargers"] as? [[String: Any]])
        #expect(chargers.map { $0["id"] as? String } == ["a1", "b1"])
        let a1 = chargers[0]
        #expect(a1["phase"] as? String == "A" && a1["soc_pct"] as? Double == 60)
        // (60 − 20) % of 60 kWh above the minimum SoC.
        #expect(abs((a1["energy_available_kwh"] as? Double ?? 0) - 24) < 1e-9)
        #expect(a1["energy_needed_kwh"] as? Double == 12 && a1["departure"] as? String == "2026-06-01T01:00:00Z")
        #expect(a1["setpoint_kw"] as? Double == outcome.setpoints[0].activePowerKW)
        // An implausible SoC is left out, and so is the energy computed from it: nothing is guessed.
        #expect(chargers[1]["soc_pct"] == nil && chargers[1]["energy_available_kwh"] == nil)
        #expect(json["envelope_sequence"] == nil)
    }

    @Test("no meter reading: no phases in the report, the rest still sent")
    func noMeter() throws {
        let (inputs, outcome, policy) = Self.cycle(meter: false)
        let json = try Self.json(StateReport(agentID: "tx-017", sequence: 1, now: E.now, inputs: inputs, outcome: outcome, policy: policy))
        #expect(json["phases"] == nil)
        #expect((json["chargers"] as? [Any])?.count == 2)
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
