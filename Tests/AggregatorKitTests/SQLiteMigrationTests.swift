@testable import AggregatorKit
import EdgeSQLite
import Telemetry
import Testing

/// A store written by migration `aggregator-1` (one row per cell) opened by this version.
@Suite struct SQLiteMigrationTests {
    @Test func perCellSamplesMoveIntoFrames() async throws {
        try await withTemporaryDirectory { dir in
            let path = "\(dir)/telemetry.sqlite"
            let old = try (1...2).map { try Batches.make(sequence: $0) } + [try Batches.make(agent: "tx-2", sequence: 1)]
            do {
                let db = try SQLiteDatabase(path: path)
                try TelemetrySchema.migrator(count: 1).migrate(db)
                let insert = try db.prepare("INSERT INTO samples (agent_id, channel, time_ms, quanta) VALUES (?, ?, ?, ?)")
                for batch in old {
                    for cell in Batches.cells(of: batch) {
                        try insert.bind(.text(batch.agentID), .text(cell.channel), .integer(cell.timeMs), .integer(cell.quanta))
                        while try insert.step() {}
                    }
                }
                try db.execute("""
                    INSERT INTO latest SELECT agent_id, channel, max(time_ms), 0 FROM samples GROUP BY agent_id, channel;
                    INSERT INTO agents SELECT DISTINCT agent_id, 2, 2, 0, 2 FROM samples;
                    """)
                db.close()
            }
            let store = try SQLiteTelemetryStore(path: path)
            let expected = old.prefix(2).reduce(into: Set<Cell>()) { $0.formUnion(Batches.cells(of: $1)) }
            #expect(Batches.cells(of: try await store.all()) == expected)
            #expect(Batches.cells(of: try await store.all("tx-2")) == Batches.cells(of: old[2]))
            var ledger = TelemetryLedger()
            for cell in expected { ledger.add(timeMs: cell.timeMs, channel: cell.channel, quanta: cell.quanta) }
            #expect(try await store.ledger(agent: "tx-1") == ledger)
            // Migrated cells are held: a batch over them stores only its new ones.
            let overlapping = try Batches.make(sequence: 3, startMs: Batches.t0 + 150_000)
            let held = Set(expected.map { "\($0.channel)@\($0.timeMs)" })
            let fresh = Batches.cells(of: overlapping).filter { !held.contains("\($0.channel)@\($0.timeMs)") }
            #expect(fresh.count < overlapping.valueCount)
            #expect(try await store.ingestResult(batch: overlapping, frameBytes: 1, receivedAtMs: 1) == .stored(samples: fresh.count))
        }
    }
}
