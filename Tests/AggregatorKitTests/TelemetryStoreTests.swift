import AggregatorKit
import AggregatorTesting
import Telemetry
import Testing

@Suite struct TelemetryStoreTests {
    @Test(arguments: StoreKind.allCases)
    func ingestThenQueryBackExactly(kind: StoreKind) async throws {
        try await withTemporaryDirectory { dir in
            let store = try kind.make(in: dir)
            let batch = try Batches.make(sequence: 1)
            #expect(try await store.ingestResult(batch: batch, frameBytes: 500, receivedAtMs: 1) == .stored(samples: batch.valueCount))
            let series = try await store.all()
            #expect(series.resolution == .raw)
            #expect(series.channels.map(\.name) == Batches.channels.sorted())
            #expect(Batches.cells(of: series) == Batches.cells(of: batch))
            #expect(series.rows.count == batch.rowCount)
            #expect(!series.truncated)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func duplicateIsStoredOnce(kind: StoreKind) async throws {
        try await withTemporaryDirectory { dir in
            let store = try kind.make(in: dir)
            let batch = try Batches.make(sequence: 1)
            _ = try await store.ingestResult(batch: batch, frameBytes: 500, receivedAtMs: 1)
            let once = try await store.all(), onceMinutes = try await store.all("tx-1", .minute)
            #expect(try await store.ingestResult(batch: batch, frameBytes: 500, receivedAtMs: 2) == .duplicate)
            #expect(try await store.all() == once)
            #expect(try await store.all("tx-1", .minute) == onceMinutes)
            let counters = store.counters()
            #expect(counters.total.batches == 1 && counters.total.duplicates == 1)
            #expect(counters.perAgent["tx-1"]?.samples == Int64(batch.valueCount))
            #expect(counters.total.bytes == 500)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func sequenceReusedWithOtherContentsConflicts(kind: StoreKind) async throws {
        try await withTemporaryDirectory { dir in
            let store = try kind.make(in: dir)
            _ = try await store.ingestResult(batch: try Batches.make(sequence: 1), frameBytes: 1, receivedAtMs: 1)
            let other = try Batches.make(sequence: 1, startMs: Batches.t0 + 3_600_000)
            #expect(try await store.ingestResult(batch: other, frameBytes: 1, receivedAtMs: 2) == .conflict)
            #expect(Batches.cells(of: try await store.all()) == Batches.cells(of: try Batches.make(sequence: 1)))
        }
    }

    @Test(arguments: StoreKind.allCases)
    func outOfOrderSequences(kind: StoreKind) async throws {
        try await withTemporaryDirectory { dir in
            let store = try kind.make(in: dir)
            let batches = try (1...4).map { try Batches.make(sequence: UInt64($0)) }
            var acks: [UInt64?] = []
            for index in [0, 2, 3, 1] {
                _ = try await store.ingestResult(batch: batches[index], frameBytes: 100, receivedAtMs: Int64(10 + index))
                acks.append(try await store.acknowledgedThrough(agent: "tx-1"))
            }
            #expect(acks == [1, 1, 1, 4])
            #expect(Batches.cells(of: try await store.all()) == batches.reduce(into: Set<Cell>()) { $0.formUnion(Batches.cells(of: $1)) })
            let fleet = try #require(try await store.fleet().first)
            #expect(fleet.highestSequence == 4 && fleet.acknowledgedThrough == 4 && fleet.batches == 4)
            #expect(fleet.lastSeenMs == 13)
            // The latest value is the newest sample (batch 4), though batch 2 arrived last.
            let last = batches[3]
            for sample in fleet.latest {
                let column = try #require(last.channels.firstIndex(of: sample.channel))
                let row = try #require(last.columns[column].lastIndex { $0 != nil })
                #expect(sample.timeMs == last.timeMs(ofRow: row))
                #expect(sample.quanta == last.columns[column][row])
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func minuteAggregatesMatchRaw(kind: StoreKind) async throws {
        try await withTemporaryDirectory { dir in
            let store = try kind.make(in: dir)
            // 90 s batches straddle minutes, so aggregates are built across two batches.
            for sequence in 1...3 { _ = try await store.ingestResult(batch: try Batches.make(sequence: UInt64(sequence)), frameBytes: 1, receivedAtMs: 1) }
            var expected: [String: [Int64: MinuteAggregate]] = [:]
            for cell in Batches.cells(of: try await store.all()) {
                let minute = cell.timeMs - cell.timeMs % 60_000
                let one = MinuteAggregate(minQuanta: cell.quanta, maxQuanta: cell.quanta, sumQuanta: cell.quanta, count: 1)
                guard let old = expected[cell.channel]?[minute] else { expected[cell.channel, default: [:]][minute] = one; continue }
                expected[cell.channel]?[minute] = MinuteAggregate(
                    minQuanta: min(old.minQuanta, cell.quanta), maxQuanta: max(old.maxQuanta, cell.quanta),
                    sumQuanta: old.sumQuanta + cell.quanta, count: old.count + 1)
            }
            let minutes = try await store.all("tx-1", .minute)
            #expect(minutes.resolution == .minute)
            var actual: [String: [Int64: MinuteAggregate]] = [:]
            for row in minutes.rows {
                for (spec, cell) in zip(minutes.channels, row.cells) {
                    if case .minute(let aggregate)? = cell { actual[spec.name, default: [:]][row.timeMs] = aggregate }
                }
            }
            #expect(actual == expected)
            #expect(minutes.rows.count == 5)  // 270 s from a whole minute
        }
    }

    @Test(arguments: StoreKind.allCases)
    func retentionPrunesRawKeepsAggregatesAndFleet(kind: StoreKind) async throws {
        try await withTemporaryDirectory { dir in
            let store = try kind.make(in: dir)
            for sequence in 1...4 { _ = try await store.ingestResult(batch: try Batches.make(sequence: UInt64(sequence)), frameBytes: 1, receivedAtMs: 5) }
            let fleet = try await store.fleet(), minutes = try await store.all("tx-1", .minute), raw = try await store.all()
            let cutoff = Batches.t0 + 180_000
            let pruned = try await store.prune(rawOlderThanMs: cutoff, aggregatesOlderThanMs: 0, chunkRows: 7)
            let kept = Batches.cells(of: raw).filter { $0.timeMs >= cutoff }
            #expect(pruned.rawSamples == Batches.cells(of: raw).count - kept.count)
            #expect(pruned.minuteAggregates == 0 && pruned.ledgerBatches == 0)
            #expect(Batches.cells(of: try await store.all()) == kept)
            #expect(try await store.all("tx-1", .minute) == minutes)
            #expect(try await store.fleet() == fleet)
            // A window reaching before the raw mark is answered from the aggregates, and says so.
            let auto = try await store.samples(SampleQuery(agentID: "tx-1", fromMs: Batches.t0, toMs: cutoff + 60_000))
            #expect(auto.resolution == .minute && auto.rows.count == 4)
            let recent = try await store.samples(SampleQuery(agentID: "tx-1", fromMs: cutoff, toMs: cutoff + 60_000))
            #expect(recent.resolution == .raw && recent.rows.count == 60)
            // Aggregate retention then removes the minutes and the ledger, never the fleet view.
            let second = try await store.prune(rawOlderThanMs: cutoff, aggregatesOlderThanMs: Batches.t0 + 120_000, chunkRows: 3)
            #expect(second.minuteAggregates == 2 * Batches.channels.count && second.ledgerBatches == 4)
            #expect(try await store.fleet() == fleet)
        }
    }

    @Test(arguments: [1, 2, 50])
    func rowLimitTruncates(limit: Int) async throws {
        let store = InMemoryTelemetryStore()
        _ = try await store.ingestResult(batch: try Batches.make(sequence: 1), frameBytes: 1, receivedAtMs: 1)
        let series = try await store.samples(SampleQuery(agentID: "tx-1", fromMs: Batches.t0, toMs: Batches.t0 + 86_400_000, rowLimit: limit))
        #expect(series.rows.count == limit && series.truncated)
        #expect(series.rows.map(\.timeMs) == (0..<limit).map { Batches.t0 + Int64($0) * 1_000 })
    }

    @Test func badQueryIsRefused() async throws {
        let store = InMemoryTelemetryStore()
        await #expect(throws: TelemetryStoreError.self) { try await store.samples(SampleQuery(agentID: "a", fromMs: 5, toMs: 5)) }
        do {
            _ = try await store.samples(SampleQuery(agentID: "a", fromMs: 0, toMs: 5, channels: ["Volts"]))
            Issue.record("a bad channel name was accepted")
        } catch {
            #expect(error.label == "query.invalid")
        }
    }
}
