import AgentKit
import AggregatorKit
import AggregatorServer
import AggregatorTesting
import Foundation
import Logging
import GridCore
import MeshPlanner
import PolicyTrust
import Testing

/// Reports, envelopes and clocks for the live state tests.
enum StateFixtures {
    /// The wall clock in whole seconds, so that a time survives its RFC 3339 text exactly.
    static func wallNow() -> Timestamp { Timestamp(secondsSinceEpoch: Date().timeIntervalSince1970.rounded(.down)) }

    /// A plannable report of `agentID` at `at`: one EV on phase A that may discharge.
    static func document(agentID: String = "a1", sequence: Int = 1, at: Timestamp = wallNow()) -> StateReportDocument {
        StateReportDocument(
            agentID: agentID, sequence: sequence, at: at, mode: .regulating, policyVersion: 3, ratedKVA: 100,
            phases: PerPhase(repeating: .init(activePowerKW: 12, reactivePowerKvar: 1, voltageV: 230, currentA: 52)),
            thermal: .init(topOilC: 40, hotSpotC: 52, forecastHotSpotC: 60, ambientC: 20),
            chargers: [
                .init(
                    id: "c1", connection: .single(.a), activePowerKW: 7, setpointKW: 7, ratedChargeKW: 11, ratedDischargeKW: 11,
                    ratedKVA: 11,
                    ev: .init(socPercent: 60, energyAvailableKWh: 24, energyToFullKWh: 24, energyNeededKWh: 8, dischargeAllowed: true)),
                .init(id: "c2", connection: .single(.b), online: false, ratedChargeKW: 7.4, ratedKVA: 7.4),
            ])
    }

    /// A signed envelope for `agentID`, valid from `issuedAt` for `validityS`, put up as the planner would.
    static func envelope(agentID: String = "a1", sequence: Int, issuedAt: Timestamp, validityS: Double = 120) throws -> EnvelopeBoard.Posted {
        let document = EnvelopeDocument(
            agentID: agentID, sequence: sequence, issuedAt: issuedAt, validUntil: issuedAt + validityS, phaseKW: PerPhase(repeating: -5...5))
        let bytes = try document.signed(by: [SignedPolicyFixture.key(21)], root: policyFixture.root, now: issuedAt + 1)
        return EnvelopeBoard.Posted(agentID: agentID, sequence: sequence, validUntil: document.validUntil, bytes: bytes)
    }

    static func json(_ result: CurlResult) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(result.body)) as? [String: Any])
    }
}

@Suite("Live state routes over mutual TLS")
struct StateRouteTests {
    typealias F = StateFixtures

    @Test("a report is put on the board and answered 204 with no envelope; operators read the board, agents may not")
    func reportAndBoard() async throws {
        let neighborhood = NeighborhoodState()
        try await withTestServer(neighborhood: neighborhood) { client, _, server in
            let sent = F.document(at: F.wallNow() + -1)
            let posted = try await client.request("/v1/agents/a1/state", method: "POST", body: sent.encoded())
            #expect(posted.httpStatus == 204 && posted.body.isEmpty, "\(posted.text)")
            let entry = try #require(neighborhood.fleet.entry(for: "a1"))
            #expect(entry.report == (try sent.transformerReport()) && entry.sequence == 1 && entry.mode == .regulating)
            #expect(entry.receivedAt.secondsSinceEpoch >= sent.at.secondsSinceEpoch)

            let view = try await client.request("/v1/fleet/state", identity: client.pki.operatorIdentity("ops"))
            #expect(view.httpStatus == 200, "\(view.text)")
            let agents = try #require(try F.json(view)["agents"] as? [[String: Any]])
            let a1 = try #require(agents.first)
            #expect(agents.count == 1 && a1["agent_id"] as? String == "a1" && a1["sequence"] as? Int == 1)
            #expect(a1["mode"] as? String == "regulating" && a1["report_time"] as? String == sent.at.rfc3339)
            #expect((a1["age_s"] as? Double).map { $0 >= 1 && $0 < 60 } == true)
            #expect(a1["p_kw"] as? [String: Double] == ["A": 12, "B": 12, "C": 12])
            #expect(a1["hot_spot_c"] as? Double == 52 && a1["hot_spot_limit_c"] as? Double == 98)
            #expect(a1["chargers"] as? Int == 2 && a1["chargers_online"] as? Int == 1 && a1["evs"] as? Int == 1)
            #expect(a1["ev_energy_available_kwh"] as? Double == 24 && a1["ev_energy_needed_kwh"] as? Double == 8)

            let asAgent = try await client.request("/v1/fleet/state")
            #expect(asAgent.httpStatus == 403 && asAgent.text.contains("role.operator_only"))

            let metrics = String(decoding: server.metrics.render(), as: UTF8.self)
            #expect(metricValue(metrics, "v2g_state_reports_accepted_total") == 1)
            #expect(metricValue(metrics, "v2g_state_report_age_on_arrival_seconds_count") == 1)
            #expect((metricValue(metrics, "v2g_state_oldest_report_age_seconds") ?? 0) >= 1)
        }
    }

    @Test("refusals: an operator, another agent's path, an oversize body, a bad field named, another agent_id, no meter")
    func refusals() async throws {
        let neighborhood = NeighborhoodState()
        try await withTestServer(neighborhood: neighborhood) { client, _, server in
            let good = F.document().encoded()
            let byOperator = try await client.request(
                "/v1/agents/a1/state", method: "POST", body: good, identity: client.pki.operatorIdentity("ops"))
            #expect(byOperator.httpStatus == 403 && byOperator.text.contains("role.agent_only"))
            let asAnother = try await client.request("/v1/agents/a2/state", method: "POST", agent: "a1", body: good)
            #expect(asAnother.httpStatus == 403 && asAnother.text.contains("agent.mismatch"))
            let oversize = try await client.request("/v1/agents/a1/state", method: "POST", body: [UInt8](repeating: 32, count: 70_000))
            #expect(oversize.httpStatus == 413 && oversize.text.contains("body.too_large"))

            var badSoC = F.document()
            badSoC.chargers[0].ev?.socPercent = 160
            let invalid = try await client.request("/v1/agents/a1/state", method: "POST", body: badSoC.encoded())
            #expect(invalid.httpStatus == 400)
            let error = try F.json(invalid)
            #expect(error["error"] as? String == "state.invalid")
            #expect((error["message"] as? String)?.contains("chargers[0].ev.soc_pct: soc_pct = 160.0 is outside") == true, "\(invalid.text)")

            let unknownKey = Array(String(decoding: good, as: UTF8.self).replacing("\"mode\"", with: "\"colour\":1,\"mode\"").utf8)
            let unknown = try await client.request("/v1/agents/a1/state", method: "POST", body: unknownKey)
            #expect(unknown.httpStatus == 400 && unknown.text.contains("colour"), "\(unknown.text)")

            let otherID = try await client.request("/v1/agents/a1/state", method: "POST", body: F.document(agentID: "a2").encoded())
            #expect(otherID.httpStatus == 403 && otherID.text.contains("agent.mismatch"))

            var noMeter = F.document()
            noMeter.phases = nil
            let unplannable = try await client.request("/v1/agents/a1/state", method: "POST", body: noMeter.encoded())
            #expect(unplannable.httpStatus == 422 && unplannable.text.contains("state.unplannable"))
            #expect(unplannable.text.contains("phases: no meter reading this cycle"), "\(unplannable.text)")

            #expect(neighborhood.fleet.entries().isEmpty)
            let metrics = String(decoding: server.metrics.render(), as: UTF8.self)
            for (reason, count) in [("role.agent_only", 1.0), ("agent.mismatch", 2), ("body.too_large", 1), ("state.invalid", 2), ("state.unplannable", 1)] {
                #expect(metricValue(metrics, "v2g_state_reports_refused_total{reason=\"\(reason)\"}") == count, "\(reason)")
            }
        }
    }

    @Test("the newest valid envelope is the answer, byte for byte; an expired one is not; an older report is kept out")
    func envelopeAndSupersede() async throws {
        let neighborhood = NeighborhoodState()
        try await withTestServer(neighborhood: neighborhood) { client, _, server in
            let now = F.wallNow()
            let envelope = try F.envelope(sequence: 7, issuedAt: now + -1)
            neighborhood.envelopes.replace(with: [envelope, try F.envelope(agentID: "a2", sequence: 8, issuedAt: now + -1)])
            let answered = try await client.request("/v1/agents/a1/state", method: "POST", body: F.document(sequence: 5, at: now).encoded())
            #expect(answered.httpStatus == 200 && answered.body == envelope.bytes)

            // A report from before the one held (sent earlier, delivered late): dropped, the envelope still answered.
            let late = try await client.request("/v1/agents/a1/state", method: "POST", body: F.document(sequence: 4, at: now + -5).encoded())
            #expect(late.httpStatus == 200)
            #expect(neighborhood.fleet.entry(for: "a1")?.sequence == 5 && neighborhood.fleet.entry(for: "a1")?.report.reportTime == now)

            neighborhood.envelopes.replace(with: [try F.envelope(sequence: 9, issuedAt: now + -300)])
            let expired = try await client.request("/v1/agents/a1/state", method: "POST", body: F.document(sequence: 6, at: now + 1).encoded())
            #expect(expired.httpStatus == 204 && expired.body.isEmpty)

            let metrics = String(decoding: server.metrics.render(), as: UTF8.self)
            #expect(metricValue(metrics, "v2g_state_reports_accepted_total") == 2)
            #expect(metricValue(metrics, "v2g_state_reports_refused_total{reason=\"state.superseded\"}") == 1)
        }
    }

    @Test("the agent's own reporter, over its libcurl mutual TLS, receives the envelope in the answer, whole")
    func agentReporterGetsTheEnvelope() async throws {
        let neighborhood = NeighborhoodState()
        try await withTestServer(neighborhood: neighborhood) { client, _, _ in
            let now = F.wallNow()
            let envelope = try F.envelope(sequence: 11, issuedAt: now + -1)
            neighborhood.envelopes.replace(with: [envelope])
            let board = StateReportBoard(agentID: "a1")
            let service = try StateReportService(
                settings: StateFreshnessTests.settings(client), intervalS: 2, board: board, envelopes: nil, now: F.wallNow, logger: .init(label: "state-tests"))
            _ = StateFreshnessTests.recordCycle(board, state: CycleState(), step: 0, now: now)
            #expect(await service.postOnce() == .posted(envelopeBytes: envelope.bytes.count))
            #expect(neighborhood.fleet.entry(for: "a1")?.report.reportTime == now)
        }
    }
}
