import AggregatorServer
import Foundation
import Testing

/// Handshake checks with real certificates from provisioning/v2g-pki and the curl CLI as the client.
@Suite("Mutual TLS")
struct MutualTLSTests {
    @Test("an agent of the deployment CA gets through; /healthz answers")
    func goodAgentHandshake() async throws {
        try await withTestServer { client, _, _ in
            let health = try await client.request("/healthz")
            #expect(health.exitStatus == 0)
            #expect(health.httpStatus == 200)
            #expect(health.text == "ok\n")
        }
    }

    @Test("no client certificate: the handshake is refused, no HTTP status")
    func noClientCertificate() async throws {
        try await withTestServer { client, _, _ in
            let result = try await client.request("/healthz", agent: nil)
            #expect(result.exitStatus != 0)
            #expect(result.httpStatus == 0)
        }
    }

    @Test("a certificate from another CA is refused")
    func otherCA() async throws {
        try await withTestServer { client, _, server in
            let result = try await client.request("/healthz", agent: "a1", otherCA: true)
            #expect(result.exitStatus != 0)
            #expect(result.httpStatus == 0)
            let metrics = String(decoding: server.metrics.render(), as: UTF8.self)
            #expect(metricValue(metrics, #"v2g_ingest_rejects_total{reason="tls.chain"}"#) == 1)
        }
    }

    @Test("the aggregator's own certificate (serverAuth only, no agent SAN) is refused as a client")
    func serverCertificateAsClient() async throws {
        try await withTestServer { client, _, server in
            let pki = PKIFixture.shared
            let result = try await client.request("/healthz", identity: (pki.serverCert, pki.serverKey))
            #expect(result.exitStatus != 0)
            #expect(result.httpStatus == 0)
            let metrics = String(decoding: server.metrics.render(), as: UTF8.self)
            #expect(metricValue(metrics, #"v2g_ingest_rejects_total{reason="tls.chain"}"#) == 1)
        }
    }

    @Test("a revoked agent is refused and counted as tls.revoked")
    func revokedAgent() async throws {
        try await withTestServer { client, _, server in
            let result = try await client.request("/healthz", agent: "gone")
            #expect(result.exitStatus != 0)
            #expect(result.httpStatus == 0)
            let metrics = String(decoding: server.metrics.render(), as: UTF8.self)
            #expect(metricValue(metrics, #"v2g_ingest_rejects_total{reason="tls.revoked"}"#) == 1)
        }
    }

    @Test("an expired CRL refuses every agent")
    func expiredCRL() async throws {
        try await withTestServer(crlFile: PKIFixture.shared.expiredCRLFile) { client, _, server in
            let result = try await client.request("/healthz", agent: "a1")
            #expect(result.exitStatus != 0)
            let metrics = String(decoding: server.metrics.render(), as: UTF8.self)
            #expect((metricValue(metrics, #"v2g_ingest_rejects_total{reason="tls.crl_expired"}"#) ?? 0) >= 1)
        }
    }

    @Test("a revocation takes effect on reload, without restarting the listener")
    func reloadRevokes() async throws {
        let pki = PKIFixture.shared
        // A private copy of the CRL so other tests keep the shared one.
        let path = NSTemporaryDirectory() + "crl-\(UUID().uuidString).pem"
        try FileManager.default.copyItem(atPath: pki.crlFile, toPath: path)
        defer { try? FileManager.default.removeItem(atPath: path) }
        try await withTestServer(crlFile: path) { client, _, server in
            #expect(try await client.request("/healthz", agent: "late").httpStatus == 200)
            pki.pki("revoke", "--dir", pki.dir, "--agent-id", "late")
            try FileManager.default.removeItem(atPath: path)
            try FileManager.default.copyItem(atPath: pki.crlFile, toPath: path)
            try server.trust.reload()
            let after = try await client.request("/healthz", agent: "late")
            #expect(after.exitStatus != 0)
            let metrics = String(decoding: server.metrics.render(), as: UTF8.self)
            #expect(metricValue(metrics, #"v2g_ingest_rejects_total{reason="tls.revoked"}"#) == 1)
            #expect(try await client.request("/healthz", agent: "a1").httpStatus == 200)
        }
    }
}
