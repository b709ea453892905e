import EdgeSQLite
import Synchronization
public import Telemetry

/// The telemetry store on SQLite: WAL, named migrations, one writer thread, read connections of its own
/// (docs/aggregator-storage.md).
///
/// Writes go through a bounded queue to one writer connection on its own thread (`StoreWriter`), which commits
/// several batches per transaction and answers each batch only after its commit. Reads (fleet view, exports,
/// audits) run on read-only connections, each on its own thread: in WAL mode a reader sees the last commit and never
/// waits for the writer, so a write burst does not hold up the fleet view. No SQLite call runs on the caller's task.
public final class SQLiteTelemetryStore: TelemetryStore {
    /// The database file.
    public let path: String
    /// Batches that may wait for the writer; past this, `ingest` throws `storage.busy` at once.
    public let queueCapacity: Int
    private let writer: StoreWriter
    private let readers: [SerializedDatabase<TelemetryReader, TelemetryStoreError>]
    private let nextReader = Atomic<Int>(0)

    /// Opens or creates the store, checks it (`quick_check`) and runs the migrations, then opens `readConnections`
    /// read-only connections.
    ///
    /// - `maximumPageCount` caps the file (`PRAGMA max_page_count`): the store then fails with `storage.full`
    ///   before the disk does.
    /// - `queueCapacity` bounds the batches waiting for the writer, `batchesPerTransaction` how many one commit takes.
    /// - `futureLimitMs`: latest values stamped after it (left by an agent whose clock ran ahead) are cleared at open.
    /// - `busyTimeoutMilliseconds`: how long a statement waits for another process's lock (a backup, a sqlite3
    ///   shell) before it fails as `storage.unavailable`.
    public init(
        path: String, maximumPageCount: Int? = nil, queueCapacity: Int = 512, batchesPerTransaction: Int = 64,
        readConnections: Int = 2, futureLimitMs: Int64? = nil, busyTimeoutMilliseconds: Int32 = 5_000
    ) throws(TelemetryStoreError) {
        self.path = path
        self.queueCapacity = max(1, queueCapacity)
        let database = try SerializedDatabase<TelemetryConnection, TelemetryStoreError>(
            path: path, busyTimeoutMilliseconds: busyTimeoutMilliseconds, label: "agg-store-write",
            describeFailure: { TelemetryStoreError.wrapping($0, doing: $1) }
        ) { db in
            let problems = try db.quickCheck()
            guard problems.isEmpty else {
                throw TelemetryStoreError.corrupt("quick_check of \(path) found: \(problems.prefix(3).joined(separator: "; "))")
            }
            try TelemetrySchema.migrator.migrate(db)
            if let maximumPageCount { try db.execute("PRAGMA max_page_count = \(maximumPageCount)") }
            let connection = try TelemetryConnection(db)
            if let futureLimitMs { _ = try connection.clearLatest(after: futureLimitMs) }
            return connection
        }
        writer = StoreWriter(
            database: database, capacity: self.queueCapacity, batchesPerTransaction: max(1, batchesPerTransaction))
        // Opened after the writer: the WAL file exists, so read-only connections can open it.
        var readers: [SerializedDatabase<TelemetryReader, TelemetryStoreError>] = []
        for index in 0..<max(1, readConnections) {
            readers.append(try SerializedDatabase(
                path: path, readOnly: true, busyTimeoutMilliseconds: busyTimeoutMilliseconds, label: "agg-store-read\(index)",
                describeFailure: { TelemetryStoreError.wrapping($0, doing: $1) }
            ) { TelemetryReader($0) })
        }
        self.readers = readers
    }

    /// Closes every connection once the work already queued has run; later calls fail with `storage.unavailable`.
    public func close() {
        writer.close()
        for reader in readers { reader.close() }
    }

    /// The next read connection, round robin: two long exports do not queue behind each other.
    private var reader: SerializedDatabase<TelemetryReader, TelemetryStoreError> {
        readers[nextReader.wrappingAdd(1, ordering: .relaxed).oldValue % readers.count]
    }

    public func ingest(batch: TelemetryBatch, frameBytes: Int, receivedAtMs: Int64) async throws(TelemetryStoreError) -> IngestReceipt {
        try await writer.store(PendingBatch(batch: batch, frameBytes: frameBytes, receivedAtMs: receivedAtMs))
    }

    public func acknowledgedThrough(agent: String) async throws(TelemetryStoreError) -> UInt64? {
        try await reader.run("read the acknowledgement of \(agent)") { try $0.acknowledgedThrough(agent: agent) }
    }

    /// Each chunk is one job on the writer's thread, so batches waiting to be stored go between two chunks.
    public func prune(
        rawOlderThanMs: Int64, aggregatesOlderThanMs: Int64, chunkRows: Int = 10_000
    ) async throws(TelemetryStoreError) -> PruneResult {
        let chunk = max(1, chunkRows)
        let database = writer.database
        try await database.run("record the retention marks") {
            try $0.recordRetention(rawOlderThanMs: rawOlderThanMs, aggregatesOlderThanMs: aggregatesOlderThanMs)
        }
        var result = PruneResult()
        let agents = try await database.run("list the agents") { try $0.agentIDs() }
        // Raw frames: whole ones ending before the cutoff, then the few that straddle it lose their older cells.
        for agent in agents {
            var chunkDone = (frames: chunk, cells: 0)
            while chunkDone.frames == chunk {
                chunkDone = try await database.run("prune raw samples of \(agent)") {
                    try $0.deleteFrameChunk(of: agent, olderThanMs: rawOlderThanMs, chunkRows: chunk)
                }
                result.rawSamples += chunkDone.cells
            }
            chunkDone = (chunk, 0)
            while chunkDone.frames == chunk {
                chunkDone = try await database.run("trim raw samples of \(agent)") {
                    try $0.trimFrameChunk(of: agent, olderThanMs: rawOlderThanMs, chunkRows: chunk)
                }
                result.rawSamples += chunkDone.cells
            }
        }
        for agent in agents {
            var deleted = chunk
            while deleted == chunk {
                deleted = try await database.run("prune minute aggregates of \(agent)") {
                    try $0.deleteMinuteChunk(of: agent, olderThanMs: aggregatesOlderThanMs, chunkRows: chunk)
                }
                result.minuteAggregates += deleted
            }
        }
        var deleted = chunk
        while deleted == chunk {
            deleted = try await database.run("prune the batch ledger") {
                try $0.deleteLedgerChunk(olderThanMs: aggregatesOlderThanMs, chunkRows: chunk)
            }
            result.ledgerBatches += deleted
        }
        return result
    }

    public func fleet() async throws(TelemetryStoreError) -> [AgentFleetState] {
        try await reader.run("read the fleet") { try $0.fleet() }
    }

    public func samples(_ query: SampleQuery) async throws(TelemetryStoreError) -> SampleSeries {
        try await reader.run("read samples of \(query.agentID)") { try $0.samples(query) }
    }

    public func ledger(agent: String) async throws(TelemetryStoreError) -> TelemetryLedger {
        try await reader.run("audit the samples of \(agent)") { try $0.ledger(agent: agent) }
    }

    public func counters() -> StoreCounters {
        writer.counters
    }

    /// Batches waiting for the writer now (for metrics and tests).
    public var queuedBatches: Int { writer.queuedBatches }
}

extension TelemetryStoreError {
    /// Classifies any failure below the store (SQLite) as full, corrupt, overflow or unavailable.
    static func wrapping(_ error: any Error, doing what: String, file: String = #fileID, line: Int = #line) -> Self {
        if let error = error as? TelemetryStoreError { return error }
        guard let error = error as? SQLiteError else { return .unavailable("cannot \(what): \(error)", file: file, line: line) }
        if error.isFull { return .full("cannot \(what): \(error)", file: file, line: line) }
        if error.isCorrupt { return .corrupt("cannot \(what): \(error)", file: file, line: line) }
        // The only CHECK in the schema: a minute sum that SQLite turned into REAL on overflow.
        if error.isConstraint, error.message.contains("sum_quanta") {
            return .aggregateOverflow("cannot \(what): \(error)", file: file, line: line)
        }
        return .unavailable("cannot \(what): \(error)", file: file, line: line)
    }
}
