import AggregatorKit
import Telemetry
import Testing

/// Behaviour only the file store has: surviving a restart, and a full disk.
@Suite struct SQLiteStoreFileTests {
    @Test func restartKeepsEverything() throws {
        try withTemporaryDirectory { dir in
            let path = "\(dir)/telemetry.sqlite"
            var store: SQLiteTelemetryStore? = try SQLiteTelemetryStore(path: path)
            for sequence in [1, 2, 4] {
                _ = try store?.ingest(batch: try Batches.make(sequence: UInt64(sequence)), frameBytes: 10, receivedAtMs: Int64(sequence))
            }
            _ = try store?.prune(rawOlderThanMs: Batches.t0 + 60_000, aggregatesOlderThanMs: 0, chunkRows: 100)
            let before = (try store?.fleet(), try store?.all(), try store?.all("tx-1", .minute), try store?.all("tx-1", nil))
            store?.close()
            store = nil
            let reopened = try SQLiteTelemetryStore(path: path)
            #expect(try reopened.fleet() == before.0)
            #expect(try reopened.all() == before.1)
            #expect(try reopened.all("tx-1", .minute) == before.2)
            #expect(try reopened.all("tx-1", nil).resolution == .minute)  // the retention mark survived too
            #expect(try reopened.all("tx-1", nil) == before.3)
            // Deduplication survives: the ledger is on disk.
            #expect(try reopened.ingest(batch: try Batches.make(sequence: 2), frameBytes: 10, receivedAtMs: 9) == .duplicate)
            let third = try Batches.make(sequence: 3)
            #expect(try reopened.ingest(batch: third, frameBytes: 10, receivedAtMs: 9) == .stored(samples: third.valueCount))
            #expect(try reopened.acknowledgedThrough(agent: "tx-1") == 4)
        }
    }

    @Test func closedStoreIsUnavailable() throws {
        try withTemporaryDirectory { dir in
            let store = try SQLiteTelemetryStore(path: "\(dir)/t.sqlite")
            store.close()
            let decision = IngestPipeline(store: store).ingest(
                certificateAgentID: "tx-1", pathAgentID: "tx-1", body: try Batches.frame(try Batches.make(sequence: 1)), receivedAtMs: 1)
            #expect(decision.status == 503 && decision.label == "storage.unavailable" && !decision.isAcknowledged)
        }
    }

    @Test func fullDiskRefusesWith507AndKeepsNoPartialBatch() throws {
        try withTemporaryDirectory { dir in
            let path = "\(dir)/telemetry.sqlite"
            let capped = try SQLiteTelemetryStore(path: path, maximumPageCount: 40)
            let pipeline = IngestPipeline(store: capped)
            var stored: [TelemetryBatch] = []
            var refused: (TelemetryBatch, IngestDecision)?
            for sequence in 1...200 {
                let batch = try Batches.make(sequence: UInt64(sequence), rows: 300)
                let decision = pipeline.ingest(
                    certificateAgentID: "tx-1", pathAgentID: "tx-1", body: try Batches.frame(batch), receivedAtMs: Int64(sequence))
                if decision.status != 200 { refused = (batch, decision); break }
                stored.append(batch)
            }
            let (full, decision) = try #require(refused)
            #expect(!stored.isEmpty)
            #expect(decision.status == 507 && decision.label == "storage.full" && decision.ack == nil)
            // Nothing of the refused batch: raw, aggregates and fleet are those of the stored batches only.
            let expected = stored.reduce(into: Set<Cell>()) { $0.formUnion(Batches.cells(of: $1)) }
            #expect(Batches.cells(of: try capped.all()) == expected)
            let minutes = try capped.all("tx-1", .minute)
            let counted = minutes.rows.flatMap(\.cells).reduce(Int64(0)) {
                if case .minute(let aggregate)? = $1 { return $0 + aggregate.count } else { return $0 }
            }
            #expect(counted == Int64(expected.count))
            #expect(try capped.acknowledgedThrough(agent: "tx-1") == UInt64(stored.count))
            #expect(capped.counters().total.batches == Int64(stored.count))
            capped.close()
            // Once there is room, the same batch is stored (not taken for a duplicate).
            let roomy = try SQLiteTelemetryStore(path: path)
            #expect(try roomy.ingest(batch: full, frameBytes: 1, receivedAtMs: 1) == .stored(samples: full.valueCount))
        }
    }
}
