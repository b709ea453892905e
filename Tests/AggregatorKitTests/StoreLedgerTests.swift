import AggregatorKit
import Telemetry
import Testing

@Suite("Store ledger: the audit figure the agent's produced ledger is compared with")
struct StoreLedgerTests {
    func expected(_ batches: [TelemetryBatch]) -> TelemetryLedger {
        var ledger = TelemetryLedger()
        for batch in batches {
            for cell in Batches.cells(of: batch) { ledger.add(timeMs: cell.timeMs, channel: cell.channel, quanta: cell.quanta) }
        }
        return ledger
    }

    @Test("equals the cells ingested, once, whatever the duplicates; other agents stay out", arguments: StoreKind.allCases)
    func equalsIngestedCells(kind: StoreKind) async throws {
        try await withTemporaryDirectory { directory in
            let store = try kind.make(in: directory)
            let batches = try (1...4).map { try Batches.make(sequence: $0) }
            for batch in batches + [batches[1]] {
                _ = try await store.ingestResult(batch: batch, frameBytes: 100, receivedAtMs: 0)
            }
            _ = try await store.ingestResult(batch: try Batches.make(agent: "tx-2", sequence: 1), frameBytes: 100, receivedAtMs: 0)
            let ledger = try await store.ledger(agent: "tx-1")
            #expect(ledger == expected(batches))
            #expect(ledger.values == Int64(batches.map { Batches.cells(of: $0).count }.reduce(0, +)))
            #expect(try await store.ledger(agent: "tx-3") == TelemetryLedger())
            #expect(try await store.ledger(agent: "tx-1") != expected(Array(batches.prefix(3))))
        }
    }
}
