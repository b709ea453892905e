import AggregatorKit
import AggregatorServer
import Foundation
import Hummingbird
import Logging
import Telemetry
import Testing

/// The server as `v2g-aggregator serve` runs it: AggregatorKit's pipeline and a real SQLite file behind mutual TLS.
@Suite("Telemetry routes on the SQLite store")
struct StoredTelemetryTests {
    @Test("a frame posted over mutual TLS is stored in SQLite once, and reads back exactly as CSV")
    func storedOnce() async throws {
        let pki = PKIFixture.shared
        let directory = NSTemporaryDirectory() + "agg-sqlite-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try SQLiteTelemetryStore(path: directory + "/telemetry.sqlite")
        let telemetry = StoredTelemetry(store: store, limits: IngestLimits(maxBodyBytes: 4_096))
        let config = AggregatorConfig(
            listen: .init(host: "127.0.0.1", port: 0),
            tls: .init(caFile: pki.caFile, certFile: pki.serverCert, keyFile: pki.serverKey, crlFile: pki.crlFile),
            limits: .init(maxBodyBytes: 4_096))
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        var logger = Logger(label: "stored-telemetry-tests")
        logger.logLevel = .warning
        let server = try AggregatorApplication(config: config, ingest: telemetry, fleet: telemetry, logger: logger) { channel in
            continuation.yield(channel.localAddress?.port ?? 0)
            continuation.finish()
        }
        try await withTaskExecutorPreference(ServerExecutor.shared) { try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.application.run() }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next(), port > 0 else { throw CocoaError(.featureUnsupported) }
            let client = CurlClient(port: port, pki: pki)
            let frame = try makeFrame(agentID: "a1", sequence: 3)
            let first = try await client.request("/v1/agents/a1/telemetry", method: "POST", body: frame)
            #expect(first.httpStatus == 200)
            #expect(first.text.contains(#""duplicate":false"#))
            let again = try await client.request("/v1/agents/a1/telemetry", method: "POST", body: frame)
            #expect(again.text.contains(#""duplicate":true"#))
            #expect(store.counters().total.samples == 5, "5 non-empty cells, stored once")
            #expect(store.counters().total.duplicates == 1)
            let csv = try await client.request("/v1/agents/a1/telemetry?from=0&to=9999999999999&format=csv")
            #expect(csv.httpStatus == 200)
            #expect(csv.text.contains("230.1"))
            #expect(csv.text.contains("12.50"))
            let mismatch = try await client.request("/v1/agents/a2/telemetry", method: "POST", agent: "a1", body: frame)
            #expect(mismatch.httpStatus == 403)
            group.cancelAll()
        } }
    }
}
