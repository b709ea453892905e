import AggregatorKit
import EdgeSQLite
import Telemetry
import Testing

/// The write queue under a flood: a bounded wait, `storage.busy` past it, answers only after COMMIT.
@Suite struct StoreWriterTests {
    @Test("a flood past the queue is refused at once as storage.busy; what was answered stored is stored, nothing else is")
    func floodPastTheQueue() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir + "/telemetry.sqlite"
            let store = try SQLiteTelemetryStore(path: path, queueCapacity: 4, batchesPerTransaction: 2, busyTimeoutMilliseconds: 60_000)
            // Another connection holds the write lock: the writer's BEGIN waits (busy timeout), the queue fills.
            let blocker = try SQLiteDatabase(path: path)
            try blocker.execute("BEGIN IMMEDIATE")
            let batches = try (1...20).map { try Batches.make(sequence: UInt64($0), rows: 10) }
            var busy = 0
            var maxQueued = 0
            try await withThrowingTaskGroup(of: (UInt64, IngestResult?).self) { group in
                for batch in batches {
                    group.addTask {
                        do throws(TelemetryStoreError) {
                            return (batch.sequence, try await store.ingest(batch: batch, frameBytes: 1, receivedAtMs: 1).result)
                        } catch {
                            #expect(error.isBusy, "\(error)")
                            return (batch.sequence, nil)
                        }
                    }
                }
                var stored: [UInt64] = []
                var refused: [UInt64] = []
                // The refusals come at once, while the lock is still held.
                // Generous: on a loaded machine the tasks may wait long for a pool thread; the bound only stops a hang.
                let deadline = ContinuousClock.now + .seconds(600)
                while refused.count < 14, ContinuousClock.now < deadline, let (sequence, result) = try await group.next() {
                    maxQueued = max(maxQueued, store.queuedBatches)
                    if result == nil { refused.append(sequence) } else { stored.append(sequence) }
                }
                #expect(stored.isEmpty, "nothing is answered before its commit")
                // 20 batches: 4 queued, and 0 to 2 already taken into the blocked transaction (the writer's thread may
                // start before or after the queue fills), so 14 to 16 refused.
                #expect((14...16).contains(refused.count), "\(refused.count) refused")
                #expect((2...4).contains(store.queuedBatches))
                try blocker.execute("COMMIT")
                for try await (sequence, result) in group {
                    if case .stored? = result { stored.append(sequence) } else { refused.append(sequence) }
                }
                busy = refused.count
                #expect(stored.count == 20 - refused.count)
                // Every batch answered as stored is in the file, and no refused one is.
                let heldCells = Batches.cells(of: try await store.all())
                for batch in batches {
                    let cells = Batches.cells(of: batch)
                    #expect(cells.isSubset(of: heldCells) == stored.contains(batch.sequence), "batch \(batch.sequence)")
                }
                #expect(try await store.fleet().first?.batches == Int64(stored.count))
            }
            #expect((14...16).contains(busy))
            #expect(maxQueued <= 4)
        }
    }

    @Test("batches committed together are answered each; a full file refuses them all and keeps none")
    func groupCommitAndFullFile() async throws {
        try await withTemporaryDirectory { dir in
            let store = try SQLiteTelemetryStore(path: dir + "/ok.sqlite", batchesPerTransaction: 8)
            let results = try await withThrowingTaskGroup(of: IngestReceipt.self) { group in
                for sequence in 1...24 {
                    group.addTask { try await store.ingest(batch: try Batches.make(sequence: UInt64(sequence), rows: 5), frameBytes: 1, receivedAtMs: 1) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.count == 24 && results.allSatisfy { if case .stored = $0.result { true } else { false } })
            #expect(try await store.acknowledgedThrough(agent: "tx-1") == 24)

            let capped = try SQLiteTelemetryStore(path: dir + "/full.sqlite", maximumPageCount: 40, batchesPerTransaction: 8)
            var firstFull: UInt64?
            for sequence in 1...400 where firstFull == nil {
                let batch = try Batches.make(sequence: UInt64(sequence), rows: 60)
                do throws(TelemetryStoreError) {
                    _ = try await capped.ingest(batch: batch, frameBytes: 1, receivedAtMs: 1)
                } catch {
                    #expect(error.isFull, "\(error)")
                    firstFull = UInt64(sequence)
                }
            }
            let full = try #require(firstFull)
            #expect(try await capped.acknowledgedThrough(agent: "tx-1") == full - 1, "the refused batch left nothing behind")
        }
    }
}
