import AggregatorKit
import AggregatorServer
import EdgeSQLite
import Foundation
import Testing

/// Clients that hold a connection without finishing anything, and a store that cannot keep up.
@Suite("Slow clients and a full write queue")
struct SlowClientTests {
    @Test("a client with a valid certificate sending one body byte every 3 s is cut at the request deadline, and counted")
    func slowBody() async throws {
        try await withTestServer(limits: .init(maxBodyBytes: 4_096, requestTimeoutS: 4)) { client, store, server in
            let slow = try TLSClientProcess(port: client.port, pki: client.pki, agent: "a1")
            let start = ContinuousClock.now
            slow.send("POST /v1/agents/a1/telemetry HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1000\r\n\r\n")
            // Six bytes over 18 s: every gap is shorter than the 4 s idle timeout, so only the deadline can cut it.
            for _ in 0..<6 where slow.isRunning {
                try await Task.sleep(for: .seconds(3))
                slow.send("x")
            }
            let held = ContinuousClock.now - start
            #expect(!slow.isRunning, "still connected after \(held)")
            slow.stop()
            let metrics = String(decoding: server.metrics.render(), as: UTF8.self)
            #expect((metricValue(metrics, #"v2g_connections_closed_total{reason="request_deadline"}"#) ?? 0) >= 1)
            #expect(try await store.fleet().isEmpty)
        }
    }

    @Test("a connection that never starts its handshake is closed at the handshake budget, and counted")
    func handshakeBudget() async throws {
        try await withTestServer(limits: .init(maxBodyBytes: 4_096, requestTimeoutS: 60, handshakeTimeoutS: 1)) { client, _, server in
            let silent = try SilentConnection(port: client.port)
            #expect(silent.waitForClose(timeoutS: 20) == .closedByServer)
            let metrics = String(decoding: server.metrics.render(), as: UTF8.self)
            #expect((metricValue(metrics, #"v2g_connections_closed_total{reason="handshake_timeout"}"#) ?? 0) >= 1)
        }
    }

    @Test("clients stalled before the handshake do not keep a legitimate agent out under max_connections")
    func stalledClientsGiveWay() async throws {
        let limits = AggregatorConfig.Limits(maxBodyBytes: 4_096, maxConnections: 2, requestTimeoutS: 60, handshakeTimeoutS: 60)
        try await withTestServer(limits: limits) { client, _, server in
            let stalled = try (0..<2).map { _ in try SilentConnection(port: client.port) }
            try await Task.sleep(for: .milliseconds(300))  // both accepted and waiting in their handshake
            // Before, the agent waited in the accept queue until a stalled client timed out (60 s here; curl gives up at 20).
            let result = try await client.request("/healthz")
            #expect(result.httpStatus == 200)
            let metrics = String(decoding: server.metrics.render(), as: UTF8.self)
            #expect((metricValue(metrics, #"v2g_connections_closed_total{reason="handshake_evicted"}"#) ?? 0) >= 1)
            for connection in stalled { connection.abandon() }
        }
    }

    @Test("a flood past the write queue gets 503 with Retry-After; the batches answered 200 are stored, the others not")
    func floodGets503() async throws {
        let storage = AggregatorConfig.Storage(writeQueueBatches: 1, batchesPerTransaction: 1)
        try await withTestServer(storage: storage) { client, store, server in
            // Another connection holds the write lock, so the writer waits and the queue fills.
            let blocker = try SQLiteDatabase(path: store.path)
            try blocker.execute("BEGIN IMMEDIATE")
            var answers: [(UInt64, CurlResult)] = []
            try await withThrowingTaskGroup(of: (UInt64, CurlResult).self) { group in
                for sequence in UInt64(1)...4 {
                    group.addTask {
                        (sequence, try await client.request(
                            "/v1/agents/a1/telemetry", method: "POST", body: try makeFrame(agentID: "a1", sequence: sequence)))
                    }
                }
                // One batch in the waiting transaction, one queued: the other two are refused at once. On a loaded
                // machine the writer may not have taken the first yet, so three are refused: both are a full queue.
                while answers.count < 2, let answer = try await group.next() { answers.append(answer) }
                try blocker.execute("COMMIT")
                for try await answer in group { answers.append(answer) }
            }
            let refused = answers.filter { $0.1.httpStatus == 503 }
            let stored = answers.filter { $0.1.httpStatus == 200 }
            #expect((2...3).contains(refused.count) && stored.count == 4 - refused.count, "\(answers.map { ($0.0, $0.1.httpStatus) })")
            for (_, answer) in refused {
                #expect(answer.text.contains(#""error":"storage.busy""#))
                #expect(answer.headers.lowercased().contains("retry-after: 1"))
            }
            let fleet = try #require(try await store.fleet().first)
            #expect(fleet.batches == stored.count)
            let metrics = String(decoding: server.metrics.render(), as: UTF8.self)
            #expect(metricValue(metrics, #"v2g_ingest_rejects_total{reason="storage.busy"}"#) == Double(refused.count))
        }
    }
}

/// `openssl s_client` with an agent's certificate: a real TLS client whose bytes the test writes one by one.
final class TLSClientProcess: @unchecked Sendable {  // used from one test task only
    private let process = Process()
    private let input = Pipe()

    init(port: Int, pki: PKIFixture, agent: String) throws {
        // A write after the server closed must not kill the test process.
        signal(SIGPIPE, SIG_IGN)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = [
            "s_client", "-quiet", "-connect", "127.0.0.1:\(port)", "-CAfile", pki.caFile,
            "-cert", pki.agentCert(agent), "-key", pki.agentKey(agent),
        ]
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    var isRunning: Bool { process.isRunning }

    func send(_ text: String) {
        guard process.isRunning else { return }
        try? input.fileHandleForWriting.write(contentsOf: Data(text.utf8))
    }

    func stop() {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }
}
