import AggregatorKit
import AggregatorServer
import EdgeZstd
import Foundation
import Testing

/// Clients that should not get anywhere: expired certificates, zstd bombs, connections that never speak.
@Suite("Hostile clients")
struct HostileClientTests {
    @Test("an expired agent certificate of the deployment CA is refused, counted as tls.chain")
    func expiredCertificate() async throws {
        try await withTestServer { client, _, server in
            let result = try await client.request("/healthz", agent: "old")
            #expect(result.exitStatus != 0)
            #expect(result.httpStatus == 0)
            let metrics = String(decoding: server.metrics.render(), as: UTF8.self)
            #expect(metricValue(metrics, #"v2g_ingest_rejects_total{reason="tls.chain"}"#) == 1)
            #expect(try await client.request("/healthz", agent: "a1").httpStatus == 200)
        }
    }

    @Test("a zstd bomb (a few KiB inflating to 64 MiB) gets 413 frame.bomb and stores nothing")
    func zstdBomb() async throws {
        // Frame layout (docs/telemetry.md): version, dictionary varint, CRC-32 LE, zstd body.
        let bomb: [UInt8] = [1, 0, 0, 0, 0, 0] + (try Zstd.compress([UInt8](repeating: 0, count: 64 << 20), level: 1))
        #expect(bomb.count < 4_096)
        try await withTestServer { client, store, server in
            let result = try await client.request("/v1/agents/a1/telemetry", method: "POST", body: bomb)
            #expect(result.httpStatus == 413)
            #expect(result.text.contains("frame.bomb"))
            #expect(try await store.batchCount(of: "a1") == 0)
            let metrics = String(decoding: server.metrics.render(), as: UTF8.self)
            #expect(metricValue(metrics, #"v2g_ingest_rejects_total{reason="frame.bomb"}"#) == 1)
        }
    }

    @Test("a connection that never completes its handshake is closed after the idle timeout and counted; others are served meanwhile")
    func silentConnection() async throws {
        try await withTestServer(limits: .init(maxBodyBytes: 4_096, requestTimeoutS: 3)) { client, _, server in  // 3 s: a loaded machine may take 1 s to finish a good handshake
            let silent = try SilentConnection(port: client.port)
            #expect(try await client.request("/healthz").httpStatus == 200)
            // Blocks until the server closes it; the 20 s receive timeout only bounds a failing run.
            #expect(silent.waitForClose(timeoutS: 20) == .closedByServer)
            let metrics = String(decoding: server.metrics.render(), as: UTF8.self)
            #expect((metricValue(metrics, "v2g_connections_closed_idle_total") ?? 0) >= 1)
        }
    }
}

/// A TCP connection to the server that sends nothing.
struct SilentConnection {
    enum Outcome { case closedByServer, stillOpen }
    let fd: Int32

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { close(fd); throw CocoaError(.fileReadUnknown) }
    }

    /// Closes it from this side.
    func abandon() { close(fd) }

    /// Blocks up to `timeoutS` (at least 1) for the server to close it, then closes it from this side.
    func waitForClose(timeoutS: Int) -> Outcome {
        defer { close(fd) }
        var timeout = timeval(tv_sec: max(1, timeoutS), tv_usec: 0)  // 0 would mean no timeout at all
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var byte: UInt8 = 0
        let count = recv(fd, &byte, 1, 0)
        // 0: orderly close; ECONNRESET: the server reset it. A timeout (EAGAIN) means it stayed open.
        return count == 0 || (count < 0 && errno == ECONNRESET) ? .closedByServer : .stillOpen
    }
}
