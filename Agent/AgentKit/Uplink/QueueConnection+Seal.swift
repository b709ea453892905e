import EdgeSQLite
import Telemetry

extension QueueConnection {
    /// Seals every unsealed sample into raw frames and the closed aggregate minutes into aggregate frames.
    ///
    /// A minute is closed when no held raw row can still be dropped into it (all held rows are later), or when
    /// `closingEveryMinute` (the channel list is changing). Runs inside the caller's transaction.
    func sealAll(closingEveryMinute: Bool = false) throws -> [UInt64] {
        var sealed: [UInt64] = []
        // Rows per frame within both caps (rows, and rows × channels), so no frame is refused as too large.
        let maxRows = encoder.limits.maxRows(channels: specs.count)
        let select = try db.prepare("SELECT id, time_ms, cells FROM samples ORDER BY id LIMIT ?")
        while true {
            try select.bind(.integer(Int64(maxRows)))
            let rows = try select.rows { ($0.int64(at: 0), $0.int64(at: 1), SampleCells.decode($0.blob(at: 2))) }
            guard let lastID = rows.last?.0 else { break }
            let sequence = try insertFrame(.raw, specs: specs, rows: rows.map { ($0.1, $0.2) })
            try db.execute("DELETE FROM samples WHERE id <= \(lastID)")
            unsealedRows -= rows.count
            sealed.append(sequence)
        }
        let oldestHeldMs = try db.prepare("SELECT min(first_time_ms) FROM frames WHERE kind = 'raw'").rows {
            $0.isNull(at: 0) ? Int64.max : $0.int64(at: 0)
        }.first ?? Int64.max
        let minutes = try db.prepare("SELECT minute_ms, sums, counts FROM aggregates ORDER BY minute_ms").rows {
            ($0.int64(at: 0), SampleCells.decode($0.blob(at: 1)), SampleCells.decode($0.blob(at: 2)))
        }.filter { closingEveryMinute || oldestHeldMs == Int64.max || $0.0 <= oldestHeldMs - Self.minuteMs }
        let aggregateSpecs = try specs.map { try ChannelSpec(name: Self.aggregatePrefix + $0.name) }
        for start in stride(from: 0, to: minutes.count, by: maxRows) {
            let chunk = minutes[start..<min(start + maxRows, minutes.count)]
            let rows = chunk.map { minute, sums, counts in
                (minute, zip(sums, counts).map { sum, count in Self.mean(sum: sum ?? 0, count: count ?? 0) })
            }
            sealed.append(try insertFrame(.aggregate, specs: aggregateSpecs, rows: rows))
            if let last = chunk.last?.0 { try db.execute("DELETE FROM aggregates WHERE minute_ms <= \(last)") }
        }
        return sealed
    }

    /// The mean in quanta, rounded half away from zero; nil for a channel with no sample in the minute.
    static func mean(sum: Int64, count: Int64) -> Int64? {
        guard count > 0 else { return nil }
        let half = count / 2
        return sum >= 0 ? (sum + half) / count : -((-sum + half) / count)
    }

    /// Encodes `rows` under the next sequence and stores the frame; returns the sequence.
    private func insertFrame(_ kind: FrameKind, specs: [ChannelSpec], rows: [(Int64, [Int64?])]) throws -> UInt64 {
        let next = try db.prepare("SELECT next_sequence FROM queue_state WHERE id = 1").rows { $0.int64(at: 0) }.first ?? 1
        let sequence = UInt64(next)
        let firstMs = rows.first?.0 ?? 0
        let offsets = rows.map { $0.0 - firstMs }
        let steps = Set(zip(offsets.dropFirst(), offsets).map { $0 - $1 })
        // A steady cycle costs one interval; a jittered or gappy one, a varint per row.
        let timing: RowTiming = steps.count == 1 && steps.first! >= 1 ? .regular(intervalMs: steps.first!) : .explicit(offsetsMs: offsets)
        let columns = specs.indices.map { channel in rows.map { channel < $0.1.count ? $0.1[channel] : nil } }
        let bytes: [UInt8]
        do {
            let batch = try TelemetryBatch(
                agentID: agentID, sequence: sequence, startTimeMs: firstMs, timing: timing,
                channels: specs, columns: columns, rowCount: rows.count)
            bytes = try encoder.encode(batch)
        } catch {
            throw TelemetryQueueError.encode("batch \(sequence) (\(kind.rawValue), \(rows.count) rows): \(error)")
        }
        let insert = try db.prepare(
            "INSERT INTO frames (sequence, kind, row_count, first_time_ms, frame) VALUES (?, ?, ?, ?, ?)")
        try insert.bind(.integer(next), .text(kind.rawValue), .integer(Int64(rows.count)), .integer(firstMs), .blob(bytes))
        _ = try insert.step()
        try db.execute("UPDATE queue_state SET next_sequence = \(next + 1) WHERE id = 1")
        return sequence
    }
}
