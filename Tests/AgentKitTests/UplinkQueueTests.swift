@testable import AgentKit
import EdgeSQLite
import Telemetry
import Testing

@Suite("Telemetry queue")
struct UplinkQueueTests {
    @Test("append, seal, acknowledge: the frame decodes to the rows appended, and goes only on its ack")
    func appendSealAcknowledge() throws {
        let directory = try TemporaryDirectory()
        let queue = try UplinkFixtures.queue(directory)
        let rows = (0..<5).map { UplinkFixtures.sample(row: $0, timeMs: UplinkFixtures.startMs + Int64($0) * 1000) }
        for row in rows { try queue.append(row) }
        #expect(try queue.seal() == [1])
        let frames = try queue.pendingFrames(limit: 10)
        try #require(frames.count == 1)
        #expect(frames[0].kind == .raw && frames[0].rowCount == 5 && frames[0].firstTimeMs == UplinkFixtures.startMs)
        let batch = try TelemetryDecoder().decode(frames[0].bytes)
        #expect(batch.agentID == "tx-017" && batch.sequence == 1 && batch.timing == .regular(intervalMs: 1000))
        #expect(batch.channels == UplinkFixtures.channels.specs)
        for (r, row) in rows.enumerated() {
            #expect(batch.channels.indices.map { batch.columns[$0][r] } == row.quanta)
        }
        #expect(try queue.acknowledge(sequence: 2) == false)
        #expect(try queue.pendingFrames(limit: 10).count == 1)
        #expect(try queue.acknowledge(sequence: 1))
        #expect(try queue.pendingFrames(limit: 10).isEmpty)
        #expect(try queue.seal().isEmpty)
    }

    @Test("the channel list: units in the names, per-charger channels in config order, quantized at meter resolution")
    func channelList() throws {
        let names = UplinkFixtures.channels.specs.map(\.name)
        #expect(names.count == 12 + 7 + 2 * 3)
        #expect(names.prefix(3) == ["phase_a_v", "phase_b_v", "phase_c_v"])
        #expect(names.suffix(3) == ["charger_2_kw", "charger_2_kvar", "charger_2_soc_pct"])
        #expect(names.contains("vuf_pct") && names.contains("neutral_a") && names.contains("hot_spot_c"))
        var values = [Double?](repeating: nil, count: names.count)
        values[0] = 230.15
        values[12] = 50.0004
        let quanta = UplinkFixtures.channels.quantize(values)
        #expect(quanta[0] == 2302 && quanta[12] == 50_000 && quanta[1] == nil)
    }

    @Test("restart: pending frames, unsealed samples and the sequence counter survive reopening the file")
    func restartKeepsFramesAndSequence() throws {
        let directory = try TemporaryDirectory()
        do {
            let queue = try UplinkFixtures.queue(directory)
            for r in 0..<3 { try queue.append(UplinkFixtures.sample(row: r, timeMs: UplinkFixtures.startMs + Int64(r) * 1000)) }
            #expect(try queue.seal() == [1])
            for r in 3..<5 { try queue.append(UplinkFixtures.sample(row: r, timeMs: UplinkFixtures.startMs + Int64(r) * 1000)) }
            #expect(try queue.seal() == [2])
            #expect(try queue.acknowledge(sequence: 1))
            try queue.append(UplinkFixtures.sample(row: 5, timeMs: UplinkFixtures.startMs + 5000))
        }
        let reopened = try UplinkFixtures.queue(directory)
        #expect(try reopened.pendingFrames(limit: 10).map(\.sequence) == [2])
        #expect(try reopened.status().unsealedSamples == 1)
        #expect(throws: TelemetryQueueError.self) {
            try reopened.append(UplinkFixtures.sample(row: 6, timeMs: UplinkFixtures.startMs + 5000))
        }
        #expect(try reopened.seal() == [3])
        #expect(try reopened.status().nextSequence == 4)
    }

    @Test("over the cap the oldest samples become minute means, counted as dropped; closed minutes are sealed")
    func capKeepsMinuteMeans() throws {
        let directory = try TemporaryDirectory()
        let queue = try UplinkFixtures.queue(directory, maxRawRows: 10)
        // 25 samples 10 s apart over four minutes: the 15 oldest (0…140 s) are dropped.
        for r in 0..<25 { try queue.append(UplinkFixtures.sample(row: r, timeMs: UplinkFixtures.startMs + Int64(r) * 10_000)) }
        var status = try queue.status()
        #expect(status.droppedSamples == 15 && status.heldRawRows == 10 && status.unsealedSamples == 10)
        #expect(try queue.seal() == [1, 2])
        let frames = try queue.pendingFrames(limit: 10)
        #expect(frames.map(\.kind) == [.raw, .aggregate])
        #expect(frames[0].rowCount == 10 && frames[0].firstTimeMs == UplinkFixtures.startMs + 150_000)
        // Minute 2 (120…140 s) stays open: rows held from 150 s may still be dropped into it.
        let means = try TelemetryDecoder().decode(frames[1].bytes)
        #expect(means.rowCount == 2 && means.timeMs(ofRow: 1) == UplinkFixtures.startMs + 60_000)
        #expect(means.channels.map(\.name) == UplinkFixtures.channels.specs.map { "avg1m_" + $0.name })
        for minute in 0..<2 {
            for channel in means.channels.indices {
                let cells = (minute * 6..<minute * 6 + 6).compactMap { UplinkFixtures.sample(row: $0, timeMs: 0).quanta[channel] }
                let expected = cells.isEmpty ? nil : QueueConnection.mean(sum: cells.reduce(0, +), count: Int64(cells.count))
                #expect(means.columns[channel][minute] == expected, "channel \(channel) minute \(minute)")
            }
        }
        status = try queue.status()
        #expect(status.pendingFrames == 2 && status.droppedSamples == 15)
    }

    @Test("over the cap a whole pending raw frame is dropped into minute means, oldest first")
    func capDropsOldestFrame() throws {
        let directory = try TemporaryDirectory()
        let queue = try UplinkFixtures.queue(directory, maxRawRows: 10)
        for r in 0..<8 { try queue.append(UplinkFixtures.sample(row: r, timeMs: UplinkFixtures.startMs + Int64(r) * 1000)) }
        #expect(try queue.seal() == [1])
        for r in 8..<11 { try queue.append(UplinkFixtures.sample(row: r, timeMs: UplinkFixtures.startMs + Int64(r) * 1000)) }
        let status = try queue.status()
        #expect(status.droppedSamples == 8 && status.heldRawRows == 3 && status.pendingFrames == 0)
        #expect(try queue.acknowledge(sequence: 1) == false)
        // All three held rows are in the minute of the dropped ones, so the minute is not closed yet.
        #expect(try queue.seal() == [2])
        #expect(try queue.pendingFrames(limit: 10).map(\.kind) == [.raw])
    }

    @Test("a permanent refusal moves the frame to rejected with its reason; it is not sent again")
    func rejectSetsAside() throws {
        let directory = try TemporaryDirectory()
        let queue = try UplinkFixtures.queue(directory)
        try queue.append(UplinkFixtures.sample(row: 0, timeMs: UplinkFixtures.startMs))
        try queue.seal()
        #expect(try queue.reject(sequence: 1, reason: "frame.bad_crc: CRC mismatch", atMs: 42))
        #expect(try queue.pendingFrames(limit: 10).isEmpty)
        #expect(try queue.rejectedFrames() == [RejectedFrame(sequence: 1, reason: "frame.bad_crc: CRC mismatch", rejectedAtMs: 42, rowCount: 1)])
        #expect(try queue.status().rejectedFrames == 1)
    }

    @Test("a full file (PRAGMA max_page_count) is a typed error; pending frames stay and the queue goes on")
    func fullDisk() throws {
        let directory = try TemporaryDirectory()
        do {
            let queue = try UplinkFixtures.queue(directory)
            try queue.append(UplinkFixtures.sample(row: 0, timeMs: UplinkFixtures.startMs))
            try queue.seal()
        }
        let pageCount = try SQLiteDatabase(path: directory.file("telemetry.sqlite")).prepare("PRAGMA page_count").rows { $0.int64(at: 0) }.first ?? 0
        let queue = try UplinkFixtures.queue(directory, maximumPageCount: Int(pageCount) + 2)
        var failure: TelemetryQueueError?
        for r in 1..<5_000 where failure == nil {
            do {
                try queue.append(UplinkFixtures.sample(row: r, timeMs: UplinkFixtures.startMs + Int64(r) * 1000))
            } catch {
                failure = error
            }
        }
        let error = try #require(failure)
        #expect(error.isFull && error.label == "telemetry_queue_full")
        #expect(try queue.pendingFrames(limit: 10).map(\.sequence) == [1])
        #expect(try queue.acknowledge(sequence: 1))
    }
}
