import EdgeSQLite
import Synchronization
public import Telemetry

/// The agent's bounded telemetry queue on its own SQLite file (e.g. `<state_directory>/telemetry.sqlite`).
///
/// Every cycle appends one quantized row; `seal()` turns the rows since the last seal into one frame with the next
/// per-agent sequence; a frame leaves the file only when acknowledged (or is set aside in `rejected` on a permanent
/// refusal). Over `maxRawRows` held raw rows, the oldest raw rows become one-minute means (`avg1m_…` channels, sealed
/// as aggregate frames) and are counted in `droppedSamples`. Layout and rules: docs/uplink.md.
///
/// One connection, behind EdgeSQLite's `SerializedDatabase`. Every call runs on the calling thread and blocks while
/// SQLite works: in the agent both callers have threads of their own (the control loop appends, the uplink seals and
/// drains), so the cooperative pool never waits on the disk.
public final class TelemetryQueue: Sendable {
    public let path: String
    public let agentID: String
    public let channels: AgentChannels
    /// Raw rows held (unsealed samples plus rows in pending raw frames) before the oldest are aggregated and dropped.
    public var maxRawRows: Int { cap.load(ordering: .relaxed) }
    private let cap: Atomic<Int>
    private let database: SerializedDatabase<QueueConnection, TelemetryQueueError>

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
        PrivateFile.prepare(path)
        database = try SerializedDatabase(
            path: path, label: "telemetry queue",
            describeFailure: { error, doing in TelemetryQueueError.wrapping(error, doing: doing) }
        ) { db in
            let problems = try db.quickCheck()
            guard problems.isEmpty else {
                throw TelemetryQueueError.corrupt("quick_check of \(path) found: \(problems.prefix(3).joined(separator: "; "))")
            }
            try TelemetryQueueSchema.migrator.migrate(db)
            if let maximumPageCount { try db.execute("PRAGMA max_page_count = \(maximumPageCount)") }
            let connection = try QueueConnection(db, agentID: agentID, encoder: encoder)
            try connection.adopt(channels)
            return connection
        }
    }

    /// Changes the cap (a policy's `telemetry.queue_max_rows`); any thread. A lower cap drops the excess on the next append.
    public func setMaxRawRows(_ rows: Int) {
        cap.store(max(1, rows), ordering: .relaxed)
    }

    /// Appends one cycle's row; over the cap the oldest raw rows are aggregated and dropped first. The produced
    /// ledger is updated in the same transaction, so it always matches the rows, even after kill -9.
    public func append(_ sample: TelemetrySample) throws(TelemetryQueueError) {
        let limit = maxRawRows
        try database.sync("append the sample at \(sample.timeMs) ms") { try $0.append(sample, limit: limit) }
    }

    /// Seals the rows since the last seal into raw frames (≤ `TelemetryLimits.maxRows` rows each) and the closed
    /// minutes of aggregates into an aggregate frame; returns the new sequences, oldest first.
    @discardableResult
    public func seal() throws(TelemetryQueueError) -> [UInt64] {
        try database.sync("seal a batch") { c in try c.db.transaction { try c.sealAll() } }
    }


    /// Pending frames, oldest sequence first, at most `limit`.
    public func pendingFrames(limit: Int) throws(TelemetryQueueError) -> [PendingFrame] {
        try database.sync("read pending frames") { try $0.pendingFrames(limit: limit) }
    }


    /// Deletes the frame the aggregator acknowledged; false when it was not pending (already acknowledged or dropped).
    @discardableResult
    public func acknowledge(sequence: UInt64) throws(TelemetryQueueError) -> Bool {
        try database.sync("acknowledge frame \(sequence)") { try $0.removeFrame(sequence) }
    }


    /// Moves a permanently refused frame to `rejected` with the reason (kept for the operator, never uploaded again).
    @discardableResult
    public func reject(sequence: UInt64, reason: String, atMs: Int64) throws(TelemetryQueueError) -> Bool {
        try database.sync("set frame \(sequence) aside") { try $0.reject(sequence: sequence, reason: reason, atMs: atMs) }
    }


    /// Frames set aside, oldest first, with their reasons.
    public func rejectedFrames() throws(TelemetryQueueError) -> [RejectedFrame] {
        try database.sync("read rejected frames") { try $0.rejectedFrames() }
    }

    /// Counters for metrics and status.
    public func status() throws(TelemetryQueueError) -> TelemetryQueueStatus {
        try database.sync("read the queue status") { try $0.status() }
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
