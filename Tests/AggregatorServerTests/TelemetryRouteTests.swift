import AggregatorKit
import AggregatorServer
import Foundation
import Testing

/// The HTTP API over real mutual TLS.
@Suite("Telemetry routes")
struct TelemetryRouteTests {
    @Test("a good frame is stored and acknowledged; its duplicate is acknowledged again and stored once")
    func postAndDuplicate() async throws {
        try await withTestServer { client, store, server in
            let frame = try makeFrame(agentID: "a1", sequence: 7)
            let first = try await client.request("/v1/agents/a1/telemetry", method: "POST", body: frame)
            #expect(first.httpStatus == 200)
            #expect(first.text.contains(#""sequence":7"#))
            #expect(first.text.contains(#""duplicate":false"#))
            let again = try await client.request("/v1/agents/a1/telemetry", method: "POST", body: frame)
            #expect(again.httpStatus == 200)
            #expect(again.text.contains(#""duplicate":true"#))
            #expect(try await store.batchCount(of: "a1") == 1)

            // The fleet view's one shape, as the store answers it.
            let fleet = try await client.request("/v1/fleet")
            #expect(fleet.httpStatus == 200)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(fleet.body)) as? [String: Any])
            #expect(Set(object.keys) == ["agents"])
            let agents = try #require(object["agents"] as? [[String: Any]])
            let agent = try #require(agents.first)
            #expect(agents.count == 1)
            #expect(Set(agent.keys) == ["agent_id", "last_seen_ms", "highest_sequence", "acknowledged_through", "batches", "latest"])
            #expect(agent["agent_id"] as? String == "a1")
            #expect(agent["highest_sequence"] as? Int == 7 && agent["acknowledged_through"] as? Int == 7)
            #expect(agent["batches"] as? Int == 1)
            let latest = try #require(agent["latest"] as? [String: [String: Any]])
            #expect(Set(latest.keys) == ["phase_a_v", "total_kw"])
            #expect(latest["phase_a_v"]?["t_ms"] as? Int == Int(frameStartMs + 2_000))
            #expect(fleet.text.contains(#""phase_a_v":{"t_ms":\#(frameStartMs + 2_000),"value":229.9}"#))
            #expect(fleet.text.contains(#""total_kw":{"t_ms":\#(frameStartMs + 2_000),"value":13.1}"#))

            let metrics = try await client.request("/metrics")
            #expect(metrics.httpStatus == 200)
            #expect(metricValue(metrics.text, "v2g_ingest_batches_total") == 1)
            #expect(metricValue(metrics.text, "v2g_ingest_duplicates_total") == 1)
            #expect(metricValue(metrics.text, "v2g_ingest_samples_total") == 5)
            #expect(metricValue(metrics.text, "v2g_ingest_bytes_received_total") == Double(2 * frame.count))
            #expect(metricValue(metrics.text, "v2g_ingest_latency_seconds_count") == 2)
            _ = server
        }
    }

    @Test("an agent posting as another gets 403, counted as agent.mismatch")
    func postAsAnother() async throws {
        try await withTestServer { client, store, server in
            let frame = try makeFrame(agentID: "a2", sequence: 1)
            let result = try await client.request("/v1/agents/a2/telemetry", method: "POST", agent: "a1", body: frame)
            #expect(result.httpStatus == 403)
            #expect(result.text.contains("agent.mismatch"))
            #expect(try await store.batchCount(of: "a2") == 0)
            let metrics = String(decoding: server.metrics.render(), as: UTF8.self)
            #expect(metricValue(metrics, #"v2g_ingest_rejects_total{reason="agent.mismatch"}"#) == 1)
        }
    }

    @Test("a frame naming another agent on the agent's own path gets 403")
    func frameOfAnother() async throws {
        try await withTestServer { client, store, _ in
            let frame = try makeFrame(agentID: "a2", sequence: 1)
            let result = try await client.request("/v1/agents/a1/telemetry", method: "POST", agent: "a1", body: frame)
            #expect(result.httpStatus == 403)
            #expect(try await store.fleet().isEmpty)
        }
    }

    @Test("a body over max_body_bytes gets 413")
    func oversized() async throws {
        try await withTestServer(limits: .init(maxBodyBytes: 4_096)) { client, _, server in
            let result = try await client.request("/v1/agents/a1/telemetry", method: "POST", body: [UInt8](repeating: 1, count: 8_192))
            #expect(result.httpStatus == 413)
            let metrics = String(decoding: server.metrics.render(), as: UTF8.self)
            #expect(metricValue(metrics, #"v2g_ingest_rejects_total{reason="body.too_large"}"#) == 1)
        }
    }

    @Test("garbage gets 400 with the decoder's label, counted by reason", arguments: [
        ([UInt8]([9, 0, 0, 0, 0, 0, 1, 2, 3]), "frame.bad_version"),
        ([UInt8]([1]), "frame.truncated"),
    ])
    func garbage(body: [UInt8], label: String) async throws {
        try await withTestServer { client, _, server in
            let result = try await client.request("/v1/agents/a1/telemetry", method: "POST", body: body)
            #expect(result.httpStatus == 400)
            #expect(result.text.contains(label))
            let metrics = String(decoding: server.metrics.render(), as: UTF8.self)
            #expect(metricValue(metrics, #"v2g_ingest_rejects_total{reason="\#(label)"}"#) == 1)
        }
    }

    @Test("an agent reads back its own telemetry as CSV, not another's")
    func readBack() async throws {
        try await withTestServer { client, _, _ in
            _ = try await client.request("/v1/agents/a1/telemetry", method: "POST", body: try makeFrame(agentID: "a1", sequence: 1))
            let csv = try await client.request("/v1/agents/a1/telemetry?format=csv&channels=total_kw")
            #expect(csv.httpStatus == 200)
            #expect(csv.text == "t_ms,total_kw\n\(frameStartMs),12.50\n\(frameStartMs + 2_000),13.10\n")
            let other = try await client.request("/v1/agents/a2/telemetry", agent: "a1")
            #expect(other.httpStatus == 403)
        }
    }
}
