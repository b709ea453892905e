import AggregatorKit
import AggregatorServer
import AggregatorTesting
import Foundation
import GridCore
import PolicyTrust
import Testing

/// The signed-policy routes over real mutual TLS: curl as the client, certificates from provisioning/v2g-pki.
@Suite("Policy routes")
struct PolicyRouteTests {
    static var pki: PKIFixture { PKIFixture.shared }
    static var operatorIdentity: (cert: String, key: String) { pki.operatorIdentity("ops") }
    static var now: Timestamp { Timestamp(secondsSinceEpoch: Date().timeIntervalSince1970) }

    /// `POST /v1/rollouts` for `bundle` to agents a1 (canary) and a2.
    static func startBody(_ bundle: [UInt8], soakS: Int = 0) -> [UInt8] {
        RolloutRequest(bundle: bundle, canary: 1, waves: 1, soakS: soakS, maxFailures: 0, agents: ["a1", "a2"]).encoded()
    }

    static func json(_ result: CurlResult) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(result.body)) as? [String: Any])
    }

    static func report(_ result: String, version: Int = 7, code: String? = nil) -> [UInt8] {
        let code = code.map { #", "code": "\#($0)""# } ?? ""
        return Array(#"{"version": \#(version), "result": "\#(result)"\#(code), "health": {"trips": 0, "safe_state_s": 0, "alarms": []}}"#.utf8)
    }

    @Test("operator routes answer 403 to an agent's certificate; nothing is started")
    func agentsOnOperatorRoutes() async throws {
        try await withPolicyTestServer { client, _, _, coordinator in
            let bundle = try policyFixture.bundle(version: 7, now: Self.now)
            for (path, method, body) in [
                ("/v1/rollouts", "POST", Self.startBody(bundle)), ("/v1/rollouts", "GET", nil), ("/v1/rollouts/1", "GET", nil),
                ("/v1/rollouts/1/pause", "POST", [UInt8]()), ("/v1/rollouts/1/abort", "POST", [UInt8]()), ("/v1/audit", "GET", nil),
                ("/v1/roots", "POST", policyFixture.nextRoot()),
            ] as [(String, String, [UInt8]?)] {
                let result = try await client.request(path, method: method, agent: "a1", body: body)
                #expect(result.httpStatus == 403, "\(method) \(path)")
                #expect(result.text.contains("role.operator_only"), "\(method) \(path): \(result.text)")
            }
            #expect(coordinator.rollouts.isEmpty && coordinator.rootVersions == [1])
        }
    }

    @Test("agent routes answer 403 to an operator (it cannot pose as an agent) and to another agent")
    func operatorsAndStrangersOnAgentRoutes() async throws {
        try await withPolicyTestServer { client, _, _, _ in
            for (path, method, body) in [
                ("/v1/agents/a1/bundle", "GET", nil), ("/v1/agents/a1/policy-report", "POST", Self.report("applied")),
                ("/v1/agents/ops/bundle", "GET", nil), ("/v1/agents/a1/telemetry", "POST", try makeFrame(agentID: "a1", sequence: 1)),
            ] as [(String, String, [UInt8]?)] {
                let result = try await client.request(path, method: method, body: body, identity: Self.operatorIdentity)
                #expect(result.httpStatus == 403 && result.text.contains("role.agent_only"), "\(method) \(path): \(result.text)")
            }
            let other = try await client.request("/v1/agents/a2/bundle", agent: "a1")
            #expect(other.httpStatus == 403 && other.text.contains("agent.mismatch"))
            let otherReport = try await client.request("/v1/agents/a2/policy-report", method: "POST", agent: "a1", body: Self.report("applied"))
            #expect(otherReport.httpStatus == 403 && otherReport.text.contains("agent.mismatch"))
        }
    }

    @Test("a certificate naming an agent and an operator at once, or a revoked operator, gets no handshake")
    func twoFacedAndRevoked() async throws {
        try await withPolicyTestServer { client, _, server, _ in
            let janus = try await client.request("/healthz", agent: "janus")
            #expect(janus.exitStatus != 0 && janus.httpStatus == 0)
            let metrics = String(decoding: server.metrics.render(), as: UTF8.self)
            #expect(metricValue(metrics, #"v2g_ingest_rejects_total{reason="tls.no_identity"}"#) == 1)
            let revoked = try await client.request("/v1/audit", identity: Self.pki.operatorIdentity("ex-ops"))
            #expect(revoked.exitStatus != 0 && revoked.httpStatus == 0)
        }
    }

    @Test("a rollout over HTTPS: 201, the canary's bundle with its ETag, 304, 404 for a wave not reached, reports, done, audit")
    func rolloutFlow() async throws {
        try await withPolicyTestServer { client, _, _, coordinator in
            #expect(try await client.request("/v1/agents/a1/bundle").httpStatus == 404)
            let bundle = try policyFixture.bundle(version: 7, now: Self.now)
            let started = try await client.request("/v1/rollouts", method: "POST", body: Self.startBody(bundle), identity: Self.operatorIdentity)
            #expect(started.httpStatus == 201, "\(started.text)")
            let view = try Self.json(started)
            #expect(view["id"] as? Int == 1 && view["state"] as? String == "running" && view["stage"] as? String == "canary")
            #expect(view["created_by"] as? String == "ops" && view["stage_sizes"] as? [Int] == [1, 1])

            let fetched = try await client.request("/v1/agents/a1/bundle")
            #expect(fetched.httpStatus == 200 && fetched.body == bundle)
            #expect(fetched.headers.lowercased().contains("etag: \"7\""), "\(fetched.headers)")
            let again = try await client.request("/v1/agents/a1/bundle", headers: [#"If-None-Match: "7""#])
            #expect(again.httpStatus == 304 && again.body.isEmpty)
            #expect(try await client.request("/v1/agents/a2/bundle", agent: "a2").httpStatus == 404)

            let reported = try await client.request("/v1/agents/a1/policy-report", method: "POST", body: Self.report("applied"))
            #expect(reported.httpStatus == 200 && reported.text.contains(#""status":"applied""#), "\(reported.text)")
            // Soak 0: the report passed the canary, wave 1 (a2) is open.
            let second = try await client.request("/v1/agents/a2/bundle", agent: "a2")
            #expect(second.httpStatus == 200)
            _ = try await client.request("/v1/agents/a2/policy-report", method: "POST", agent: "a2", body: Self.report("applied"))
            #expect(coordinator.rollout(id: 1)?.state == .done)

            let status = try Self.json(try await client.request("/v1/rollouts/1", identity: Self.operatorIdentity))
            #expect(status["state"] as? String == "done")
            let agents = try #require(status["agents"] as? [[String: Any]])
            #expect(agents.map { $0["status"] as? String } == ["applied", "applied"])
            let list = try Self.json(try await client.request("/v1/rollouts", identity: Self.operatorIdentity))
            #expect((list["rollouts"] as? [[String: Any]])?.count == 1)

            let audit = try Self.json(try await client.request("/v1/audit", identity: Self.operatorIdentity))
            let entries = try #require(audit["entries"] as? [[String: Any]])
            #expect(entries.count == 1)
            #expect(entries[0]["operator"] as? String == "ops" && entries[0]["action"] as? String == "rollout.start")
            #expect(entries[0]["outcome"] as? String == "ok" && entries[0]["target"] as? String == "rollout 1 (bundle version 7)")
        }
    }

    @Test("an invalid bundle is refused with 400 naming its code and reason, and audited")
    func invalidBundle() async throws {
        try await withPolicyTestServer { client, _, _, coordinator in
            let expires = Timestamp(secondsSinceEpoch: Date().timeIntervalSince1970 + 86_400).rfc3339
            let hot = try SignedPolicyFixture.handSigned(version: 7, expires: expires, policy: #"{"thermal": {"hot_spot_limit_c": 130}}"#)
            let refused = try await client.request("/v1/rollouts", method: "POST", body: Self.startBody(hot), identity: Self.operatorIdentity)
            #expect(refused.httpStatus == 400)
            let body = try Self.json(refused)
            #expect(body["error"] as? String == "OUT_OF_RANGE")
            #expect((body["message"] as? String)?.contains("thermal.hot_spot_limit_c") == true, "\(refused.text)")
            let garbage = try await client.request("/v1/rollouts", method: "POST", body: Array(#"{"bundle": "not base64!"}"#.utf8), identity: Self.operatorIdentity)
            #expect(garbage.httpStatus == 400 && garbage.text.contains("request.invalid"))
            #expect(coordinator.rollouts.isEmpty)
            let audit = try Self.json(try await client.request("/v1/audit", identity: Self.operatorIdentity))
            let entries = try #require(audit["entries"] as? [[String: Any]])
            #expect(entries.first?["outcome"] as? String == "refused 400 OUT_OF_RANGE")
            #expect(entries.first?["target"] as? String == "bundle version 7")
        }
    }

    @Test("roots: served to anyone by version (404 when unknown); an operator publishes the next one")
    func roots() async throws {
        try await withPolicyTestServer { client, _, _, coordinator in
            let first = try await client.request("/v1/roots/1", agent: "a2")
            #expect(first.httpStatus == 200 && first.body == policyFixture.root.signedBytes)
            #expect(try await client.request("/v1/roots/2").httpStatus == 404)
            let next = policyFixture.nextRoot()
            let published = try await client.request("/v1/roots", method: "POST", body: next, identity: Self.operatorIdentity)
            #expect(published.httpStatus == 201 && published.text.contains(#""version":2"#), "\(published.text)")
            let put = try await client.request("/v1/roots", method: "PUT", body: next, identity: Self.operatorIdentity)
            #expect(put.httpStatus == 200 && put.text.contains("already_known"))
            #expect(try await client.request("/v1/roots/2").body == next)
            let listed = try Self.json(try await client.request("/v1/roots"))
            #expect(listed["versions"] as? [Int] == [1, 2] && listed["trusted"] as? Int == 2)
            let skipped = try await client.request(
                "/v1/roots", method: "POST", body: try SignedPolicyFixture.document(version: 4, policy: [13], expires: policyFixture.expires).signed(by: [SignedPolicyFixture.key(1)]),
                identity: Self.operatorIdentity)
            #expect(skipped.httpStatus == 400 && skipped.text.contains("ROLLBACK"))
            #expect(coordinator.trustRoot?.version == 2)
        }
    }
}
