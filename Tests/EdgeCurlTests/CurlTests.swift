import EdgeCurl
import Foundation
import Testing

/// libcurl through EdgeCurl against real peers on loopback: conditional GET, POST, mutual TLS with the pinned CA,
/// timeouts, caps and cancellation.
@Suite("EdgeCurl: GET, conditional GET and POST over mutual TLS")
struct CurlTests {

    /// The client certificate of `ca`, trusting `trusting` (default: the same CA).
    static func tls(_ ca: String, trusting: String? = nil, key: String? = nil) -> MutualTLSFiles {
        MutualTLSFiles(
            caPath: "\(trusting ?? ca)/ca.crt", certificatePath: "\(ca)/agents/tx-017.crt", keyPath: key ?? "\(ca)/agents/tx-017.key")
    }

    static func settings(_ tls: MutualTLSFiles?, totalTimeoutS: Double = 10, maxResponseBytes: Int = 64 << 10) -> CurlSettings {
        CurlSettings(tls: tls, connectTimeoutS: 5, totalTimeoutS: totalTimeoutS, maxResponseBytes: maxResponseBytes)
    }

    @Test("conditional GET over mutual TLS: 200 with an ETag, then 304 for that ETag, 200 again for a stale one")
    func conditionalGet() async throws {
        let pki = try await Peers.pki()
        let (peer, port) = try await Peers.httpPeer(ca: pki.ca)
        let easy = try CurlEasy(settings: Self.settings(Self.tls(pki.ca)))
        let url = "https://127.0.0.1:\(port)/bundle"

        guard case .response(let first) = try easy.get(url) else { Issue.record("a first GET cannot be 304"); return }
        #expect(first.status == 200 && first.body == Array("bundle-v7".utf8))
        let etag = try #require(first.etag)
        #expect(etag == "\"v7\"")

        guard case .notModified(let unchanged) = try easy.get(url, ifNoneMatch: etag) else {
            Issue.record("the current ETag must give 304"); return
        }
        #expect(unchanged.status == 304 && unchanged.body.isEmpty && unchanged.etag == etag)

        guard case .response(let changed) = try easy.get(url, ifNoneMatch: "\"v6\"") else {
            Issue.record("a stale ETag must give the body"); return
        }
        #expect(changed.status == 200 && changed.body == Array("bundle-v7".utf8))
        withExtendedLifetime(peer) {}
    }

    @Test("the client certificate is presented: the server reads its CN")
    func clientCertificatePresented() async throws {
        let pki = try await Peers.pki()
        let (peer, port) = try await Peers.httpPeer(ca: pki.ca)
        let easy = try CurlEasy(settings: Self.settings(Self.tls(pki.ca)))
        guard case .response(let response) = try easy.get("https://127.0.0.1:\(port)/whoami") else { Issue.record("304?"); return }
        #expect(String(decoding: response.body, as: UTF8.self) == "tx-017")
        withExtendedLifetime(peer) {}
    }

    @Test("POST sends the body and the header lines; status, body and headers come back")
    func post() async throws {
        let pki = try await Peers.pki()
        let (peer, port) = try await Peers.httpPeer(ca: pki.ca)
        let easy = try CurlEasy(settings: Self.settings(Self.tls(pki.ca)))
        let body = (0..<5_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let response = try easy.post("https://127.0.0.1:\(port)/echo", body: body, headers: ["Content-Type: application/x-test"])
        #expect(response.status == 201 && response.body == body)
        #expect(response.header("x-content-type") == "application/x-test")
        // The same handle again: the kept connection serves a second request.
        let empty = try easy.post("https://127.0.0.1:\(port)/echo", body: [])
        #expect(empty.status == 201 && empty.body.isEmpty)
        withExtendedLifetime(peer) {}
    }

    @Test("response headers are read by name without case; a body above the cap is cut and says so")
    func headersAndCap() async throws {
        let (peer, port) = try await Peers.httpPeer()
        let easy = try CurlEasy(settings: Self.settings(nil, maxResponseBytes: 1_000))
        guard case .response(let headers) = try easy.get("http://127.0.0.1:\(port)/headers") else { Issue.record("304?"); return }
        #expect(headers.header("retry-after") == "30" && headers.header("X-PEER") == "edge-curl")
        #expect(!headers.bodyTruncated)
        guard case .response(let big) = try easy.get("http://127.0.0.1:\(port)/big") else { Issue.record("304?"); return }
        #expect(big.status == 200 && big.body.count == 1_000 && big.bodyTruncated)
        // The rest was read and dropped: the connection is still usable.
        guard case .response(let after) = try easy.get("http://127.0.0.1:\(port)/headers") else { Issue.record("304?"); return }
        #expect(after.status == 200)
        withExtendedLifetime(peer) {}
    }

    @Test("a server certificate from a CA other than the pinned one is refused")
    func untrustedServer() async throws {
        let pki = try await Peers.pki()
        let (peer, port) = try await Peers.httpPeer(ca: pki.ca)
        let easy = try CurlEasy(settings: Self.settings(Self.tls(pki.ca, trusting: pki.other)))
        let error = try #require(throws: CurlError.self) { try easy.get("https://127.0.0.1:\(port)/bundle") }
        #expect(error.isPeerVerification && error.label == "tls_peer_verification", "\(error)")
        withExtendedLifetime(peer) {}
    }

    @Test("openssl s_server refuses a client certificate from another CA, and accepts ours")
    func sServerClientCertificate() async throws {
        let pki = try await Peers.pki()
        let (peer, port) = try await Peers.sServer(ca: pki.ca)
        let url = "https://127.0.0.1:\(port)/"
        let ours = try CurlEasy(settings: Self.settings(Self.tls(pki.ca)))
        guard case .response(let page) = try ours.get(url) else { Issue.record("304?"); return }
        #expect(page.status == 200)
        let stranger = try CurlEasy(settings: Self.settings(Self.tls(pki.other, trusting: pki.ca)))
        let refused = try #require(throws: CurlError.self) { try stranger.get(url) }
        #expect(refused.label != "network_connect" && !refused.isPeerVerification, "\(refused)")
        withExtendedLifetime(peer) {}
    }

    @Test("a missing client key is a local certificate problem, named as such")
    func missingKey() async throws {
        let pki = try await Peers.pki()
        let (peer, port) = try await Peers.httpPeer(ca: pki.ca)
        let easy = try CurlEasy(settings: Self.settings(Self.tls(pki.ca, key: "/nonexistent/tx-017.key")))
        let error = try #require(throws: CurlError.self) { try easy.get("https://127.0.0.1:\(port)/bundle") }
        #expect(error.isClientCertificate, "\(error)")
        withExtendedLifetime(peer) {}
    }

    @Test("timeouts and a closed port are told apart")
    func timeoutAndRefused() async throws {
        let easy = try CurlEasy(settings: Self.settings(nil, totalTimeoutS: 0.5))
        var closedPort = 0
        do {
            let (peer, port) = try await Peers.httpPeer()
            closedPort = port
            let slow = try #require(throws: CurlError.self) { try easy.get("http://127.0.0.1:\(port)/slow") }
            #expect(slow.isTimeout, "\(slow)")
            withExtendedLifetime(peer) {}
        }
        // The peer was killed when it went out of scope: its port is closed now.
        let refused = try #require(throws: CurlError.self) { try easy.get("http://127.0.0.1:\(closedPort)/bundle") }
        #expect(refused.label == "network_connect", "\(refused)")
    }

    @Test("a client key that group or others may read is refused before any request, naming the file and its mode")
    func exposedKey() async throws {
        let pki = try await Peers.pki()
        let (peer, port) = try await Peers.httpPeer(ca: pki.ca)
        let scratch = try Peers.Scratch()
        let key = scratch.path + "/agent.key"
        try FileManager.default.copyItem(atPath: "\(pki.ca)/agents/tx-017.key", toPath: key)
        for mode: Int16 in [0o666, 0o644, 0o640, 0o604] {
            try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: key)
            let easy = try CurlEasy(settings: Self.settings(Self.tls(pki.ca, key: key)))
            let error = try #require(throws: CurlError.self) { try easy.get("https://127.0.0.1:\(port)/whoami") }
            #expect(error.isKeyExposed && error.label == "tls_key_exposed", "\(error)")
            #expect(error.message.contains(key) && error.message.contains("mode 0\(String(mode, radix: 8))"), "\(error)")
        }
        // The same key made private again is used.
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: key)
        let easy = try CurlEasy(settings: Self.settings(Self.tls(pki.ca, key: key)))
        guard case .response(let response) = try easy.get("https://127.0.0.1:\(port)/whoami") else { Issue.record("304?"); return }
        #expect(String(decoding: response.body, as: UTF8.self) == "tx-017")
        withExtendedLifetime(peer) {}
    }

    @Test("an entity tag or header with a line break is refused before anything is sent")
    func headerInjection() async throws {
        let easy = try CurlEasy(settings: Self.settings(nil))
        let etag = try #require(throws: CurlError.self) { try easy.get("http://127.0.0.1:9/x", ifNoneMatch: "\"v1\"\r\nX-Evil: 1") }
        #expect(etag.label == "curl_setup")
        let header = try #require(throws: CurlError.self) { try easy.post("http://127.0.0.1:9/x", body: [], headers: ["A: b\nC: d"]) }
        #expect(header.label == "curl_setup")
    }

    @Test("CurlClient: cancelling the task aborts a transfer in flight long before its timeout")
    func cancellation() async throws {
        let (peer, port) = try await Peers.httpPeer()
        let client = try CurlClient(settings: Self.settings(nil, totalTimeoutS: 30))
        let request = Task { try await client.get("http://127.0.0.1:\(port)/slow") }
        try await Task.sleep(for: .milliseconds(300))
        request.cancel()
        let result = await request.result
        // The peer answers "late" after 5 s: an error labelled cancelled means the transfer was cut before that.
        guard case .failure(let error) = result, let curl = error as? CurlError else { Issue.record("\(result)"); return }
        #expect(curl.isCancelled, "\(curl)")
        // The client still works afterwards.
        guard case .response(let after) = try await client.get("http://127.0.0.1:\(port)/headers") else { Issue.record("304?"); return }
        #expect(after.status == 200)
        withExtendedLifetime(peer) {}
    }
}
