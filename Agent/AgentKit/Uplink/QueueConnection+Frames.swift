import EdgeSQLite
import Telemetry

/// The queue's operations on its connection; `TelemetryQueue` runs each one on the caller's thread or the queue's own.
extension QueueConnection {
    /// Appends one row, first aggregating and dropping the oldest raw rows beyond `limit`; updates the produced
    /// ledger in the same transaction.
    func append(_ sample: TelemetrySample, limit: Int) throws {
        guard sample.quanta.count == channels.specs.count else {
            throw TelemetryQueueError.wrongShape(cells: sample.quanta.count, channels: channels.specs.count)
        }
        if let last = lastTimeMs, sample.timeMs <= last {
            throw TelemetryQueueError.outOfOrder(timeMs: sample.timeMs, lastMs: last)
        }
        var produced = self.produced
        produced.add(Self.ledger(timeMs: sample.timeMs, cells: sample.quanta, names: channelNames))
        try db.transaction {
            while heldRawRows >= limit { try dropOldest(excess: heldRawRows - limit + 1) }
            try insertSample.bind(.integer(sample.timeMs), .blob(SampleCells.encode(sample.quanta)))
            _ = try insertSample.step()
            try updateAfterAppend.bind(.integer(sample.timeMs), .integer(produced.values), .integer(Int64(bitPattern: produced.checksum)))
            _ = try updateAfterAppend.step()
        }
        heldRawRows += 1
        unsealedRows += 1
        lastTimeMs = sample.timeMs
        self.produced = produced
    }

    func pendingFrames(limit: Int) throws -> [PendingFrame] {
        let select = try db.prepare("SELECT sequence, kind, row_count, first_time_ms, frame FROM frames ORDER BY sequence LIMIT ?")
        try select.bind(.integer(Int64(max(0, limit))))
        return try select.rows {
            PendingFrame(
                sequence: UInt64($0.int64(at: 0)), kind: FrameKind(rawValue: $0.string(at: 1)) ?? .raw,
                rowCount: Int($0.int64(at: 2)), firstTimeMs: $0.int64(at: 3), bytes: $0.blob(at: 4))
        }
    }

    /// Copies the frame to `rejected` with its reason, then removes it; false when it was not pending.
    func reject(sequence: UInt64, reason: String, atMs: Int64) throws -> Bool {
        try db.transaction {
            let copy = try db.prepare("""
                INSERT OR REPLACE INTO rejected (sequence, kind, row_count, first_time_ms, frame, rejected_at_ms, reason)
                SELECT sequence, kind, row_count, first_time_ms, frame, ?, ? FROM frames WHERE sequence = ?
                """)
            try copy.bind(.integer(atMs), .text(reason), .integer(Int64(bitPattern: sequence)))
            _ = try copy.step()
            return try removeFrame(sequence)
        }
    }

    func rejectedFrames() throws -> [RejectedFrame] {
        try db.prepare("SELECT sequence, reason, rejected_at_ms, row_count FROM rejected ORDER BY sequence").rows {
            RejectedFrame(
                sequence: UInt64($0.int64(at: 0)), reason: $0.string(at: 1), rejectedAtMs: $0.int64(at: 2), rowCount: Int($0.int64(at: 3)))
        }
    }

    func status() throws -> TelemetryQueueStatus {
        let frames = try db.prepare("SELECT count(*) FROM frames").rows { Int($0.int64(at: 0)) }.first ?? 0
        let rejected = try db.prepare("SELECT count(*) FROM rejected").rows { Int($0.int64(at: 0)) }.first ?? 0
        let state = try db.prepare(
            "SELECT next_sequence, dropped_samples, dropped_values, dropped_checksum FROM queue_state WHERE id = 1"
        ).rows { row -> (UInt64, Int, TelemetryLedger) in
            let dropped = TelemetryLedger(values: row.int64(at: 2), checksum: UInt64(bitPattern: row.int64(at: 3)))
            return (UInt64(row.int64(at: 0)), Int(row.int64(at: 1)), dropped)
        }.first ?? (1, 0, TelemetryLedger())
        return TelemetryQueueStatus(
            pendingFrames: frames, unsealedSamples: unsealedRows, heldRawRows: heldRawRows, droppedSamples: state.1,
            rejectedFrames: rejected, nextSequence: state.0, produced: produced, dropped: state.2)
    }
}
