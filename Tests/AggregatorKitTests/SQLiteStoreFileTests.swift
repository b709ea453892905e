import AggregatorKit
import Telemetry
import Testing

/// Behaviour only the file store has: surviving a restart, and a full disk.
@Suite struct SQLiteStoreFileTests {
    @Test func restartKeepsEverything() async throws {
        try await withTemporaryDirectory { dir in
            let path = "\(dir)/telemetry.sqlite"
            var store: SQLiteTelemetryStore? = try SQLiteTelemetryStore(path: path)
            for sequence in [1, 2, 4] {
                _ = try await store?.ingest(batch: try Batches.make(sequence: UInt64(sequence)), frameBytes: 10, receivedAtMs: Int64(sequence))
            }
            _ = try await store?.prune(rawOlderThanMs: Batches.t0 + 60_000, aggregatesOlderThanMs: 0, chunkRows: 100)
            let before = (try await store?.fleet(), try await store?.all(), try await store?.all("tx-1", .minute), try await store?.all("tx-1", nil))
            store?.close()
            store = nil
            let reopened = try SQLiteTelemetryStore(path: path)
            #expect(try await reopened.fleet() == before.0)
            #expect(try await reopened.all() == before.1)
            #expect(try await reopened.all("tx-1", .minute) == before.2)
            #expect(try await reopened.all("tx-1", nil).resolution == .minute)  // the retention mark survived too
            #expect(try await reopened.all("tx-1", nil) == before.3)
            // Deduplication survives: the ledger is on disk.
            #expect(try await reopened.ingestResult(batch: try Batches.make(sequence: 2), frameBytes: 10, receivedAtMs: 9) == .duplicate)
            let third = try Batches.make(sequence: 3)
            #expect(try await reopened.ingestResult(batch: third, frameBytes: 10, receivedAtMs: 9) == .stored(samples: third.valueCount))
            #expect(try await reopened.acknowledgedThrough(agent: "tx-1") == 4)
        }
    }

    @Test func closedStoreIsUnavailable() async throws {
        try await withTemporaryDirectory { dir in
            let store = try SQLiteTelemetryStore(path: "\(dir)/t.sqlite")
            store.close()
            let decision = await IngestPipeline(store: store).ingest(
                certificateAgentID: "tx-1", pathAgentID: "tx-1", body: try Batches.frame(try Batches.make(sequence: 1)),
                receivedAtMs: Batches.t0 + 86_400_000)
            #expect(decision.status == 503 && decision.label == "storage.unavailable" && !decision.isAcknowledged)
        }
    }

    @Test func fullDiskRefusesWith507AndKeepsNoPartialBatch() async throws {
        try await withTemporaryDirectory { dir in
            let path = "\(dir)/telemetry.sqlite"
            let capped = try SQLiteTelemetryStore(path: path, maximumPageCount: 40)
            let pipeline = IngestPipeline(store: capped)
            var stored: [TelemetryBatch] = []
            var refused: (TelemetryBatch, IngestDecision)?
            for sequence in 1...200 {
                let batch = try Batches.make(sequence: UInt64(sequence), rows: 300)
                let decision = await pipeline.ingest(
                    certificateAgentID: "tx-1", pathAgentID: "tx-1", body: try Batches.frame(batch), receivedAtMs: Batches.t0 + 86_400_000)
                if decision.status != 200 { refused = (batch, decision); break }
                stored.append(batch)
            }
            let (full, decision) = try #require(refused)
            #expect(!stored.isEmpty)
            #expect(decision.status == 507 && decision.label == "storage.full" && decision.ack == nil)
            // Nothing of the refused batch: raw, aggregates and fleet are those of the stored batches only.
            let expected = stored.reduce(into: Set<Cell>()) { $0.formUnion(Batches.cells(of: $1)) }
            #expect(Batches.cells(of: try await capped.all()) == expected)
            let minutes = try await capped.all("tx-1", .minute)
            let counted = minutes.rows.flatMap(\.cells).reduce(Int64(0)) {
                if case .minute(let aggregate)? = $1 { return $0 + aggregate.count } else { return $0 }
            }
            #expect(counted == Int64(expected.count))
            #expect(try await capped.acknowledgedThrough(agent: "tx-1") == UInt64(stored.count))
            #expect(capped.counters().total.batches == Int64(stored.count))
            capped.close()
            // Once there is room, the same batch is stored (not taken for a duplicate).
            let roomy = try SQLiteTelemetryStore(path: path)
            #expect(try await roomy.ingestResult(batch: full, frameBytes: 1, receivedAtMs: 1) == .stored(samples: full.valueCount))
        }
    }
}
