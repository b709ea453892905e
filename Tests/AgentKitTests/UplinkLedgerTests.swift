@testable import AgentKit
import EdgeSQLite
import Telemetry
import Testing

/// The produced and dropped ledgers of the telemetry queue.
@Suite("Telemetry queue ledger")
struct UplinkLedgerTests {
    static func time(_ row: Int, stepMs: Int64 = 1000) -> Int64 { UplinkFixtures.startMs + Int64(row) * stepMs }

    /// The ledger of `rows`, computed cell by cell from the fixture's samples.
    static func expected(_ rows: Range<Int>, stepMs: Int64 = 1000) -> TelemetryLedger {
        var ledger = TelemetryLedger()
        let names = UplinkFixtures.channels.specs.map(\.name)
        for row in rows {
            let time = time(row, stepMs: stepMs)
            for (channel, cell) in UplinkFixtures.sample(row: row, timeMs: time).quanta.enumerated() {
                if let cell { ledger.add(timeMs: time, channel: names[channel], quanta: cell) }
            }
        }
        return ledger
    }

    /// The ledger of the raw cells that the pending frames carry (what the aggregator would store).
    static func framesLedger(_ queue: TelemetryQueue) throws -> TelemetryLedger {
        var ledger = TelemetryLedger()
        for frame in try queue.pendingFrames(limit: 1000) where frame.kind == .raw {
            let batch = try TelemetryDecoder().decode(frame.bytes)
            for row in 0..<batch.rowCount {
                for (column, channel) in batch.channels.enumerated() {
                    if let cell = batch.columns[column][row] {
                        ledger.add(timeMs: batch.timeMs(ofRow: row), channel: channel.name, quanta: cell)
                    }
                }
            }
        }
        return ledger
    }

    @Test("the produced ledger equals one computed from the samples, and survives reopening the file")
    func producedPersists() throws {
        let directory = try TemporaryDirectory()
        do {
            let queue = try UplinkFixtures.queue(directory)
            #expect(try queue.status().produced == TelemetryLedger())
            for r in 0..<7 { try queue.append(UplinkFixtures.sample(row: r, timeMs: Self.time(r))) }
            let produced = try queue.status().produced
            #expect(produced == Self.expected(0..<7))
            // Every 7th cell is missing in the fixture, so fewer values than cells.
            #expect(produced.values > 0 && produced.values < Int64(7 * UplinkFixtures.channels.specs.count))
            try queue.seal()
            #expect(try Self.framesLedger(queue) == produced)
        }
        let reopened = try UplinkFixtures.queue(directory)
        #expect(try reopened.status().produced == Self.expected(0..<7))
        try reopened.append(UplinkFixtures.sample(row: 7, timeMs: Self.time(7)))
        #expect(try reopened.status().produced == Self.expected(0..<8))
        // Acknowledging frames does not change what was produced.
        #expect(try reopened.acknowledge(sequence: 1))
        #expect(try reopened.status().produced == Self.expected(0..<8))
    }

    @Test("the checksum is stored as INTEGER by bit pattern, so a checksum above Int64.max reads back whole")
    func checksumBitPattern() throws {
        let directory = try TemporaryDirectory()
        var row = 0
        do {
            let queue = try UplinkFixtures.queue(directory)
            // Half of all checksums have the top bit set; stop at the first one.
            while row < 64 {
                try queue.append(UplinkFixtures.sample(row: row, timeMs: Self.time(row)))
                row += 1
                if try queue.status().produced.checksum > UInt64(Int64.max) { break }
            }
        }
        let reopened = try UplinkFixtures.queue(directory)
        let produced = try reopened.status().produced
        #expect(produced.checksum > UInt64(Int64.max))
        #expect(produced == Self.expected(0..<row))
    }

    @Test("unsealed samples dropped over the cap are counted in the dropped ledger; produced minus dropped is what the frames carry")
    func droppedSamples() throws {
        let directory = try TemporaryDirectory()
        let queue = try UplinkFixtures.queue(directory, maxRawRows: 10)
        for r in 0..<25 { try queue.append(UplinkFixtures.sample(row: r, timeMs: Self.time(r, stepMs: 10_000))) }
        let status = try queue.status()
        #expect(status.droppedSamples == 15)
        #expect(status.dropped == Self.expected(0..<15, stepMs: 10_000))
        #expect(status.droppedValues == Self.expected(0..<15, stepMs: 10_000).values)
        #expect(status.produced == Self.expected(0..<25, stepMs: 10_000))
        try queue.seal()
        var kept = try Self.framesLedger(queue)
        kept.add(status.dropped)
        #expect(kept == status.produced)
    }

    @Test("a pending raw frame dropped over the cap is counted cell by cell from the frame")
    func droppedFrame() throws {
        let directory = try TemporaryDirectory()
        do {
            let queue = try UplinkFixtures.queue(directory, maxRawRows: 10)
            for r in 0..<8 { try queue.append(UplinkFixtures.sample(row: r, timeMs: Self.time(r))) }
            try queue.seal()
            for r in 8..<11 { try queue.append(UplinkFixtures.sample(row: r, timeMs: Self.time(r))) }
        }
        let status = try UplinkFixtures.queue(directory, maxRawRows: 10).status()
        #expect(status.droppedSamples == 8 && status.dropped == Self.expected(0..<8))
        #expect(status.produced == Self.expected(0..<11))
    }

    @Test("a sample the full file refused is not in the ledger, in memory or on disk")
    func refusedSampleNotCounted() throws {
        let directory = try TemporaryDirectory()
        do {
            let queue = try UplinkFixtures.queue(directory)
            try queue.append(UplinkFixtures.sample(row: 0, timeMs: Self.time(0)))
        }
        let pageCount = try SQLiteDatabase(path: directory.file("telemetry.sqlite")).prepare("PRAGMA page_count").rows { $0.int64(at: 0) }.first ?? 0
        var stored = 1
        do {
            let queue = try UplinkFixtures.queue(directory, maximumPageCount: Int(pageCount) + 1)
            var refused = false
            for r in 1..<2000 where !refused {
                do {
                    try queue.append(UplinkFixtures.sample(row: r, timeMs: Self.time(r)))
                    stored += 1
                } catch {
                    #expect(error.isFull)
                    refused = true
                }
            }
            #expect(refused)
            #expect(try queue.status().produced == Self.expected(0..<stored))
        }
        #expect(try UplinkFixtures.queue(directory).status().produced == Self.expected(0..<stored))
    }

    @Test("a queue file from before the ledger gains it at zero and counts from then on")
    func upgradeFromFirstSchema() throws {
        let directory = try TemporaryDirectory()
        do {
            let queue = try UplinkFixtures.queue(directory)
            try queue.append(UplinkFixtures.sample(row: 0, timeMs: Self.time(0)))
        }
        do {
            // Turn the file back into a schema-1 file.
            let db = try SQLiteDatabase(path: directory.file("telemetry.sqlite"))
            for column in ["produced_values", "produced_checksum", "dropped_values", "dropped_checksum"] {
                try db.execute("ALTER TABLE queue_state DROP COLUMN \(column)")
            }
            try db.execute("DELETE FROM edge_migrations WHERE name LIKE 'telemetry-queue-2%'")
        }
        let queue = try UplinkFixtures.queue(directory)
        #expect(try queue.status().produced == TelemetryLedger())
        #expect(try queue.status().unsealedSamples == 1)
        try queue.append(UplinkFixtures.sample(row: 1, timeMs: Self.time(1)))
        #expect(try queue.status().produced == Self.expected(1..<2))
    }
}
