import EdgeSQLite
import Synchronization
public import Telemetry

/// The agent's bounded telemetry queue on its own SQLite file (e.g. `<state_directory>/telemetry.sqlite`).
///
/// Every cycle appends one quantized row; `seal()` turns the rows since the last seal into one frame with the next
/// per-agent sequence; a frame leaves the file only when acknowledged (or is set aside in `rejected` on a permanent
/// refusal). Over `maxRawRows` held raw rows, the oldest raw rows become one-minute means (`avg1m_…` channels, sealed
/// as aggregate frames) and are counted in `droppedSamples`. Layout and rules: docs/uplink.md.
public final class TelemetryQueue: Sendable {
    public let path: String
    public let agentID: String
    public let channels: AgentChannels
    /// Raw rows held (unsealed samples plus rows in pending raw frames) before the oldest are aggregated and dropped.
    public var maxRawRows: Int { cap.load(ordering: .relaxed) }
    private let cap: Atomic<Int>
    private let connection: Mutex<QueueConnection>

    /// Opens or creates the queue. Rows left under a different channel list (a charger added) are sealed at once
    /// under their own list, so no row is ever read with the wrong layout.
    ///
    /// `maximumPageCount` caps the file (`PRAGMA max_page_count`), so a full queue fails alone, before the disk does.
    public init(
        path: String, agentID: String, channels: AgentChannels, maxRawRows: Int = 86_400,
        encoder: TelemetryEncoder = .init(), maximumPageCount: Int? = nil
    ) throws(TelemetryQueueError) {
        self.path = path
        self.agentID = agentID
        self.channels = channels
        cap = Atomic(max(1, maxRawRows))
        let opened: QueueConnection
        do {
            let db = try SQLiteDatabase(path: path)
            let problems = try db.quickCheck()
            guard problems.isEmpty else {
                throw TelemetryQueueError.corrupt("quick_check of \(path) found: \(problems.prefix(3).joined(separator: "; "))")
            }
            try TelemetryQueueSchema.migrator.migrate(db)
            if let maximumPageCount { try db.execute("PRAGMA max_page_count = \(maximumPageCount)") }
            opened = try QueueConnection(db, agentID: agentID, encoder: encoder)
            try opened.adopt(channels)
        } catch {
            throw TelemetryQueueError.wrapping(error, doing: "open the telemetry queue \(path)")
        }
        connection = Mutex(opened)
    }

    /// Runs `body` under the lock, turning every failure into a `TelemetryQueueError`.
    private func run<T: Sendable>(_ what: String, _ body: (QueueConnection) throws -> T) throws(TelemetryQueueError) -> T {
        let result: Result<T, TelemetryQueueError> = connection.withLock { connection in
            do {
                return .success(try body(connection))
            } catch {
                return .failure(TelemetryQueueError.wrapping(error, doing: "\(what) in \(path)"))
            }
        }
        return try result.get()
    }

    /// Changes the cap (a policy's `telemetry.queue_max_rows`); any thread. A lower cap drops the excess on the next append.
    public func setMaxRawRows(_ rows: Int) {
        cap.store(max(1, rows), ordering: .relaxed)
    }

    /// Appends one cycle's row; over the cap the oldest raw rows are aggregated and dropped first. The produced
    /// ledger is updated in the same transaction, so it always matches the rows, even after kill -9.
    public func append(_ sample: TelemetrySample) throws(TelemetryQueueError) {
        let limit = maxRawRows
        try run("append the sample at \(sample.timeMs) ms") { c in
            guard sample.quanta.count == c.channels.specs.count else {
                throw TelemetryQueueError.wrongShape(cells: sample.quanta.count, channels: c.channels.specs.count)
            }
            if let last = c.lastTimeMs, sample.timeMs <= last {
                throw TelemetryQueueError.outOfOrder(timeMs: sample.timeMs, lastMs: last)
            }
            var produced = c.produced
            produced.add(QueueConnection.ledger(timeMs: sample.timeMs, cells: sample.quanta, names: c.channelNames))
            try c.db.transaction {
                while c.heldRawRows >= limit { try c.dropOldest(excess: c.heldRawRows - limit + 1) }
                try c.insertSample.bind(.integer(sample.timeMs), .blob(SampleCells.encode(sample.quanta)))
                _ = try c.insertSample.step()
                try c.updateAfterAppend.bind(
                    .integer(sample.timeMs), .integer(produced.values), .integer(Int64(bitPattern: produced.checksum)))
                _ = try c.updateAfterAppend.step()
            }
            c.heldRawRows += 1
            c.unsealedRows += 1
            c.lastTimeMs = sample.timeMs
            c.produced = produced
        }
    }

    /// Seals the rows since the last seal into raw frames (≤ `TelemetryLimits.maxRows` rows each) and the closed
    /// minutes of aggregates into an aggregate frame; returns the new sequences, oldest first.
    @discardableResult
    public func seal() throws(TelemetryQueueError) -> [UInt64] {
        try run("seal a batch") { c in try c.db.transaction { try c.sealAll() } }
    }

    /// Pending frames, oldest sequence first, at most `limit`.
    public func pendingFrames(limit: Int) throws(TelemetryQueueError) -> [PendingFrame] {
        try run("read pending frames") { c in
            let select = try c.db.prepare(
                "SELECT sequence, kind, row_count, first_time_ms, frame FROM frames ORDER BY sequence LIMIT ?")
            try select.bind(.integer(Int64(max(0, limit))))
            return try select.rows {
                PendingFrame(
                    sequence: UInt64($0.int64(at: 0)), kind: FrameKind(rawValue: $0.string(at: 1)) ?? .raw,
                    rowCount: Int($0.int64(at: 2)), firstTimeMs: $0.int64(at: 3), bytes: $0.blob(at: 4))
            }
        }
    }

    /// Deletes the frame the aggregator acknowledged; false when it was not pending (already acknowledged or dropped).
    @discardableResult
    public func acknowledge(sequence: UInt64) throws(TelemetryQueueError) -> Bool {
        try run("acknowledge frame \(sequence)") { c in try c.removeFrame(sequence) }
    }

    /// Moves a permanently refused frame to `rejected` with the reason (kept for the operator, never uploaded again).
    @discardableResult
    public func reject(sequence: UInt64, reason: String, atMs: Int64) throws(TelemetryQueueError) -> Bool {
        try run("set frame \(sequence) aside") { c in
            try c.db.transaction {
                let copy = try c.db.prepare("""
                    INSERT OR REPLACE INTO rejected (sequence, kind, row_count, first_time_ms, frame, rejected_at_ms, reason)
                    SELECT sequence, kind, row_count, first_time_ms, frame, ?, ? FROM frames WHERE sequence = ?
                    """)
                try copy.bind(.integer(atMs), .text(reason), .integer(Int64(bitPattern: sequence)))
                _ = try copy.step()
                return try c.removeFrame(sequence)
            }
        }
    }

    /// Frames set aside, oldest first, with their reasons.
    public func rejectedFrames() throws(TelemetryQueueError) -> [RejectedFrame] {
        try run("read rejected frames") { c in
            try c.db.prepare("SELECT sequence, reason, rejected_at_ms, row_count FROM rejected ORDER BY sequence").rows {
                RejectedFrame(
                    sequence: UInt64($0.int64(at: 0)), reason: $0.string(at: 1), rejectedAtMs: $0.int64(at: 2),
                    rowCount: Int($0.int64(at: 3)))
            }
        }
    }

    /// Counters for metrics and status.
    public func status() throws(TelemetryQueueError) -> TelemetryQueueStatus {
        try run("read the queue status") { c in
            let frames = try c.db.prepare("SELECT count(*) FROM frames").rows { Int($0.int64(at: 0)) }.first ?? 0
            let rejected = try c.db.prepare("SELECT count(*) FROM rejected").rows { Int($0.int64(at: 0)) }.first ?? 0
            let state = try c.db.prepare(
                "SELECT next_sequence, dropped_samples, dropped_values, dropped_checksum FROM queue_state WHERE id = 1"
            ).rows { row -> (UInt64, Int, TelemetryLedger) in
                let dropped = TelemetryLedger(values: row.int64(at: 2), checksum: UInt64(bitPattern: row.int64(at: 3)))
                return (UInt64(row.int64(at: 0)), Int(row.int64(at: 1)), dropped)
            }.first ?? (1, 0, TelemetryLedger())
            return TelemetryQueueStatus(
                pendingFrames: frames, unsealedSamples: c.unsealedRows, heldRawRows: c.heldRawRows,
                droppedSamples: state.1, rejectedFrames: rejected, nextSequence: state.0,
                produced: c.produced, dropped: state.2)
        }
    }
}

/// What a frame holds.
public enum FrameKind: String, Sendable, Hashable {
    /// Cycle rows as sampled.
    case raw
    /// One-minute means of rows dropped on overflow (`avg1m_` channels).
    case aggregate
}

/// One encoded frame waiting for its acknowledgement.
public struct PendingFrame: Sendable, Hashable {
    public var sequence: UInt64
    public var kind: FrameKind
    public var rowCount: Int
    public var firstTimeMs: Int64
    public var bytes: [UInt8]
}

/// A frame the aggregator refused for good, kept for the operator.
public struct RejectedFrame: Sendable, Hashable {
    public var sequence: UInt64
    public var reason: String
    public var rejectedAtMs: Int64
    public var rowCount: Int
}

/// Queue counters (for the Prometheus textfile and the status file).
public struct TelemetryQueueStatus: Sendable, Hashable {
    public var pendingFrames: Int
    public var unsealedSamples: Int
    public var heldRawRows: Int
    /// Raw samples dropped on overflow since the file was created (their minute means are kept).
    public var droppedSamples: Int
    public var rejectedFrames: Int
    public var nextSequence: UInt64
    /// Every non-empty cell appended (time, channel name, quanta), dropped ones included.
    public var produced: TelemetryLedger
    /// The cells of raw samples dropped on overflow (their minute means are kept, in `avg1m_` channels).
    public var dropped: TelemetryLedger

    /// Cells dropped on overflow.
    public var droppedValues: Int64 { dropped.values }

    public init(
        pendingFrames: Int, unsealedSamples: Int, heldRawRows: Int, droppedSamples: Int, rejectedFrames: Int,
        nextSequence: UInt64, produced: TelemetryLedger = .init(), dropped: TelemetryLedger = .init()
    ) {
        self.pendingFrames = pendingFrames
        self.unsealedSamples = unsealedSamples
        self.heldRawRows = heldRawRows
        self.droppedSamples = droppedSamples
        self.rejectedFrames = rejectedFrames
        self.nextSequence = nextSequence
        self.produced = produced
        self.dropped = dropped
    }
}
