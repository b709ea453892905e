import AggregatorKit
import Telemetry
import Testing

/// Batches of one agent that overlap in time under two sequences, and raw retention cutting through a batch:
/// both stores keep the first value stored at a (channel, time), and hold every cell at most once.
@Suite struct StoreOverlapTests {
    /// Cells of `batch` whose (channel, time) is not among `held`.
    func newCells(of batch: TelemetryBatch, beyond held: Set<Cell>) -> Set<Cell> {
        let keys = Set(held.map { "\($0.channel)@\($0.timeMs)" })
        return Batches.cells(of: batch).filter { !keys.contains("\($0.channel)@\($0.timeMs)") }
    }

    func minuteCount(_ series: SampleSeries) -> Int64 {
        series.rows.flatMap(\.cells).reduce(Int64(0)) {
            if case .minute(let aggregate)? = $1 { return $0 + aggregate.count } else { return $0 }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func overlappingBatchStoresOnlyNewCells(kind: StoreKind) async throws {
        try await withTemporaryDirectory { dir in
            let store = try kind.make(in: dir)
            let first = try Batches.make(sequence: 1)
            // Sequence 2 starts 30 s into sequence 1 (60 shared seconds, other values, other gaps).
            let second = try Batches.make(sequence: 2, startMs: Batches.t0 + 30_000)
            _ = try await store.ingestResult(batch: first, frameBytes: 1, receivedAtMs: 1)
            let expectedNew = newCells(of: second, beyond: Batches.cells(of: first))
            #expect(expectedNew.count < second.valueCount)
            #expect(try await store.ingestResult(batch: second, frameBytes: 1, receivedAtMs: 2) == .stored(samples: expectedNew.count))
            let held = Batches.cells(of: first).union(expectedNew)
            #expect(Batches.cells(of: try await store.all()) == held)
            #expect(minuteCount(try await store.all("tx-1", .minute)) == Int64(held.count))
            var ledger = TelemetryLedger()
            for cell in held { ledger.add(timeMs: cell.timeMs, channel: cell.channel, quanta: cell.quanta) }
            #expect(try await store.ledger(agent: "tx-1") == ledger)
            // A third batch inside both stores nothing new, but is still a stored batch.
            let inside = try Batches.make(sequence: 3, startMs: Batches.t0 + 40_000, rows: 10)
            #expect(try await store.ingestResult(batch: inside, frameBytes: 1, receivedAtMs: 3)
                == .stored(samples: newCells(of: inside, beyond: held).count))
            #expect(try await store.acknowledgedThrough(agent: "tx-1") == 3)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func rawRetentionCutsThroughABatchExactly(kind: StoreKind) async throws {
        try await withTemporaryDirectory { dir in
            let store = try kind.make(in: dir)
            let batches = try (1...3).map { try Batches.make(sequence: $0) }
            for batch in batches { _ = try await store.ingestResult(batch: batch, frameBytes: 1, receivedAtMs: 1) }
            let all = batches.reduce(into: Set<Cell>()) { $0.formUnion(Batches.cells(of: $1)) }
            let cutoff = Batches.t0 + 135_500  // inside sequence 2, between two rows
            let pruned = try await store.prune(rawOlderThanMs: cutoff, aggregatesOlderThanMs: 0, chunkRows: 1)
            let kept = all.filter { $0.timeMs >= cutoff }
            #expect(pruned.rawSamples == all.count - kept.count)
            #expect(Batches.cells(of: try await store.all()) == kept)
            var ledger = TelemetryLedger()
            for cell in kept { ledger.add(timeMs: cell.timeMs, channel: cell.channel, quanta: cell.quanta) }
            #expect(try await store.ledger(agent: "tx-1") == ledger)
            // A second prune at the same mark finds nothing; a late batch over the pruned span is stored again
            // where the cells were pruned, and skipped where they are still held.
            #expect(try await store.prune(rawOlderThanMs: cutoff, aggregatesOlderThanMs: 0, chunkRows: 5).rawSamples == 0)
            let late = try Batches.make(sequence: 9, startMs: Batches.t0 + 120_000, rows: 30)
            #expect(try await store.ingestResult(batch: late, frameBytes: 1, receivedAtMs: 2) == .stored(samples: newCells(of: late, beyond: kept).count))
        }
    }

    @Test(arguments: StoreKind.allCases)
    func rowLimitOverManyBatches(kind: StoreKind) async throws {
        try await withTemporaryDirectory { dir in
            let store = try kind.make(in: dir)
            // Arrival out of time order, so the frames are not stored in time order.
            for sequence in [3, 1, 4, 2] { _ = try await store.ingestResult(batch: try Batches.make(sequence: UInt64(sequence)), frameBytes: 1, receivedAtMs: 1) }
            for limit in [1, 89, 90, 91, 200, 359, 360] {
                let series = try await store.samples(SampleQuery(
                    agentID: "tx-1", fromMs: Batches.t0 + 1_000, toMs: Batches.t0 + 86_400_000, resolution: .raw, rowLimit: limit))
                #expect(series.rows.map(\.timeMs) == (1...min(limit, 359)).map { Batches.t0 + Int64($0) * 1_000 })
                #expect(series.truncated == (limit < 359))
            }
            // Six minutes from t0; one channel or all of them.
            for limit in [1, 5, 6, 7] {
                for channels in [[], ["freq_hz"]] {
                    let series = try await store.samples(SampleQuery(
                        agentID: "tx-1", fromMs: Batches.t0 + 1_000, toMs: Batches.t0 + 86_400_000, channels: channels,
                        resolution: .minute, rowLimit: limit))
                    #expect(series.rows.map(\.timeMs) == (0..<min(limit, 6)).map { Batches.t0 + Int64($0) * 60_000 })
                    #expect(series.truncated == (limit < 6))
                    #expect(series.rows.allSatisfy { $0.cells.allSatisfy { $0 != nil } })
                }
            }
        }
    }

    /// `rows` cells of one channel at 1 ms steps, each just under 2^53 quanta: their minute sum leaves Int64 past ~1,024.
    func huge(sequence: UInt64, startMs: Int64, rows: Int) throws -> TelemetryBatch {
        try TelemetryBatch(
            agentID: "tx-1", sequence: sequence, startTimeMs: startMs, timing: .regular(intervalMs: 1),
            channels: [try ChannelSpec(name: "total_kw")], columns: [Array(repeating: (1 << 53) - 1, count: rows)], rowCount: rows)
    }

    @Test(arguments: StoreKind.allCases)
    func minuteSumOverflowRefusesTheWholeBatch(kind: StoreKind) async throws {
        try await withTemporaryDirectory { dir in
            let store = try kind.make(in: dir)
            // Within one batch (summed in Swift), then across two batches (summed by the upsert).
            for refused in [try huge(sequence: 1, startMs: Batches.t0, rows: 1_100), try huge(sequence: 2, startMs: Batches.t0 + 600, rows: 600)] {
                do throws(TelemetryStoreError) {
                    _ = try await store.ingestResult(batch: refused, frameBytes: 1, receivedAtMs: 1)
                    Issue.record("a minute sum beyond Int64 was stored")
                } catch {
                    #expect(error.label == "storage.aggregate_overflow")
                }
                if refused.sequence == 1 {
                    #expect(try await store.ingestResult(batch: try huge(sequence: 1, startMs: Batches.t0, rows: 600), frameBytes: 1, receivedAtMs: 1)
                        == .stored(samples: 600))
                }
            }
            // Nothing of the refused batches: raw, aggregates, ledger and acknowledgement are those of the stored one.
            #expect(Batches.cells(of: try await store.all()).count == 600)
            #expect(minuteCount(try await store.all("tx-1", .minute)) == 600)
            #expect(try await store.ledger(agent: "tx-1").values == 600)
            #expect(try await store.acknowledgedThrough(agent: "tx-1") == 1)
        }
    }
}
