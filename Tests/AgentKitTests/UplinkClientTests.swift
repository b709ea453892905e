@testable import AgentKit
import Testing

/// The libcurl client against real local servers: a scripted aggregator (plain HTTP and HTTPS with a required
/// client certificate) and `openssl s_server`, with certificates from provisioning/v2g-pki.
@Suite("Uplink client")
struct UplinkClientTests {
    static let frame: [UInt8] = Array(repeating: 0xA5, count: 2_000)

    static let scripted: [(agent: String, expected: String)] = [
        ("ack", "acknowledged 7"), ("dup", "duplicate 7"), ("mismatch", "retryable ack_mismatch"),
        ("html", "retryable ack_missing"), ("conflict", "permanent sequence_conflict"),
        ("too-large", "permanent frame_too_large"), ("bad-frame", "permanent frame.bad_crc"),
        ("forbidden", "permanent forbidden"), ("unavailable", "retryable http_503"), ("throttled", "retryable http_429"),
        // 200 KB of JSON cut at the 64 KiB response cap is no ack.
        ("huge", "retryable ack_missing"),
    ]

    @Test("HTTP statuses and bodies are classified", arguments: scripted)
    func classification(agent: String, expected: String) async throws {
        let directory = try TemporaryDirectory()
        let (server, port) = try await UplinkFixtures.scriptedServer(in: directory)
        let client = try UplinkClient(settings: UplinkFixtures.settings(port: port, agentID: agent))
        #expect(Self.summary(client.post(frame: Self.frame, sequence: 7)) == expected)
        withExtendedLifetime(server) {}
    }

    @Test("a slow answer is a timeout: retryable")
    func timeout() async throws {
        let directory = try TemporaryDirectory()
        let (server, port) = try await UplinkFixtures.scriptedServer(in: directory)
        let client = try UplinkClient(settings: UplinkFixtures.settings(port: port, agentID: "slow", totalTimeoutS: 0.5))
        #expect(Self.summary(client.post(frame: Self.frame, sequence: 1)) == "retryable network_timeout")
        withExtendedLifetime(server) {}
    }

    @Test("a server that is down is retryable")
    func serverDown() async throws {
        let directory = try TemporaryDirectory()
        var port = 0
        do {
            let (server, bound) = try await UplinkFixtures.scriptedServer(in: directory)
            port = bound
            withExtendedLifetime(server) {}
        }
        let client = try UplinkClient(settings: UplinkFixtures.settings(port: port, agentID: "ack"))
        #expect(Self.summary(client.post(frame: Self.frame, sequence: 1)) == "retryable network_connect")
    }

    @Test("a frame above the limit is refused before any connection")
    func frameTooLarge() async throws {
        var settings = UplinkFixtures.settings(port: 9, agentID: "ack")
        settings.maxFrameBytes = 1_000
        let client = try UplinkClient(settings: settings)
        #expect(Self.summary(client.post(frame: Self.frame, sequence: 1)) == "permanent frame_too_large")
    }

    @Test("mutual TLS: the agent's certificate is accepted and the ack read over HTTPS")
    func mutualTLS() async throws {
        let directory = try TemporaryDirectory()
        let ca = try await UplinkFixtures.pki(in: directory)
        let (server, port) = try await UplinkFixtures.scriptedServer(in: directory, tlsCA: ca)
        let client = try UplinkClient(settings: UplinkFixtures.settings(port: port, agentID: "ack", tls: UplinkFixtures.agentTLS(ca)))
        #expect(Self.summary(client.post(frame: Self.frame, sequence: 9)) == "acknowledged 9")
        withExtendedLifetime(server) {}
    }

    @Test("openssl s_server with -Verify: the handshake passes with the agent's certificate, fails with a stranger's")
    func sServerHandshake() async throws {
        let directory = try TemporaryDirectory()
        let ca = try await UplinkFixtures.pki(in: directory)
        let other = try await UplinkFixtures.pki(in: directory, name: "other")
        let (server, port) = try await UplinkFixtures.sServer(ca)
        // s_server -www answers GET only: a POST after a good handshake gets an empty reply, never a TLS error.
        let good = try UplinkClient(settings: UplinkFixtures.settings(port: port, agentID: "tx-017", tls: UplinkFixtures.agentTLS(ca)))
        let goodResult = Self.summary(good.post(frame: Self.frame, sequence: 1))
        #expect(goodResult.hasPrefix("retryable") && !goodResult.contains("tls_"), "\(goodResult)")
        // An agent certificate from another CA: refused by the server (-verify_return_error).
        let stranger = try UplinkClient(settings: UplinkFixtures.settings(
            port: port, agentID: "tx-017", tls: UplinkFixtures.agentTLS(other, trusting: ca)))
        let strangerResult = stranger.post(frame: Self.frame, sequence: 1)
        guard case .retryable(let refused) = strangerResult else { Issue.record("\(strangerResult)"); return }
        #expect(refused.label != "network_connect")
        // The server's certificate under a CA the agent does not trust: peer verification fails.
        let untrusting = try UplinkClient(settings: UplinkFixtures.settings(
            port: port, agentID: "tx-017", tls: UplinkFixtures.agentTLS(ca, trusting: other)))
        #expect(Self.summary(untrusting.post(frame: Self.frame, sequence: 1)) == "retryable tls_peer_verification")
        withExtendedLifetime(server) {}
    }

    static func summary(_ result: UplinkResult) -> String {
        switch result {
        case .acknowledged(let sequence, let duplicate): duplicate ? "duplicate \(sequence)" : "acknowledged \(sequence)"
        case .retryable(let failure): "retryable \(failure.label)"
        case .permanent(let failure): "permanent \(failure.label)"
        }
    }
}
