import EdgeSQLite
import Synchronization
public import Telemetry

/// The telemetry store on SQLite: WAL, named migrations, one transaction per batch.
///
/// One connection, guarded by a `Mutex`: SQLite serializes writers anyway, and one connection keeps the
/// prepared statements and the counters in one place. Every call holds the lock for one transaction at most;
/// `prune` takes it per chunk, so ingest interleaves with a long prune.
public final class SQLiteTelemetryStore: TelemetryStore {
    /// The database file.
    public let path: String
    private let connection: Mutex<TelemetryConnection>

    /// Opens or creates the store, checks it (`quick_check`) and runs the migrations.
    ///
    /// `maximumPageCount` caps the file (`PRAGMA max_page_count`): the store then fails with `storage.full`
    /// before the disk does.
    public init(path: String, maximumPageCount: Int? = nil) throws(TelemetryStoreError) {
        self.path = path
        let opened: TelemetryConnection
        do {
            let db = try SQLiteDatabase(path: path)
            let problems = try db.quickCheck()
            guard problems.isEmpty else {
                throw TelemetryStoreError.corrupt("quick_check of \(path) found: \(problems.prefix(3).joined(separator: "; "))")
            }
            try TelemetrySchema.migrator.migrate(db)
            if let maximumPageCount { try db.execute("PRAGMA max_page_count = \(maximumPageCount)") }
            opened = try TelemetryConnection(db)
        } catch {
            throw TelemetryStoreError.wrapping(error, doing: "open the telemetry store \(path)")
        }
        connection = Mutex(opened)
    }

    /// Closes the connection; later calls fail with `storage.unavailable`.
    public func close() {
        connection.withLock { $0.db.close() }
    }

    /// Runs `body` on the connection under the lock, turning every failure into a `TelemetryStoreError`.
    private func run<T: Sendable>(_ what: String, _ body: (TelemetryConnection) throws -> T) throws(TelemetryStoreError) -> T {
        let result: Result<T, TelemetryStoreError> = connection.withLock { connection in
            do {
                return .success(try body(connection))
            } catch {
                return .failure(TelemetryStoreError.wrapping(error, doing: "\(what) in \(path)"))
            }
        }
        return try result.get()
    }

    public func ingest(batch: TelemetryBatch, frameBytes: Int, receivedAtMs: Int64) throws(TelemetryStoreError) -> IngestResult {
        try run("store batch \(batch.sequence) of \(batch.agentID)") { c in
            let result = try c.ingest(batch, frameBytes: frameBytes, receivedAtMs: receivedAtMs)
            c.counters.record(result, agent: batch.agentID, frameBytes: frameBytes)
            return result
        }
    }

    public func acknowledgedThrough(agent: String) throws(TelemetryStoreError) -> UInt64? {
        try run("read the acknowledgement of \(agent)") { try $0.acknowledgedThrough(agent: agent) }
    }

    public func prune(
        rawOlderThanMs: Int64, aggregatesOlderThanMs: Int64, chunkRows: Int = 10_000
    ) throws(TelemetryStoreError) -> PruneResult {
        let chunk = max(1, chunkRows)
        try run("record the retention marks") {
            try $0.recordRetention(rawOlderThanMs: rawOlderThanMs, aggregatesOlderThanMs: aggregatesOlderThanMs)
        }
        var result = PruneResult()
        let agents = try run("list the agents") { try $0.agentIDs() }
        // Raw frames: whole ones ending before the cutoff, then the few that straddle it lose their older cells.
        for agent in agents {
            var chunkDone = (frames: chunk, cells: 0)
            while chunkDone.frames == chunk {
                chunkDone = try run("prune raw samples of \(agent)") {
                    try $0.deleteFrameChunk(of: agent, olderThanMs: rawOlderThanMs, chunkRows: chunk)
                }
                result.rawSamples += chunkDone.cells
            }
            chunkDone = (chunk, 0)
            while chunkDone.frames == chunk {
                chunkDone = try run("trim raw samples of \(agent)") {
                    try $0.trimFrameChunk(of: agent, olderThanMs: rawOlderThanMs, chunkRows: chunk)
                }
                result.rawSamples += chunkDone.cells
            }
        }
        for agent in agents {
            var deleted = chunk
            while deleted == chunk {
                deleted = try run("prune minute aggregates of \(agent)") {
                    try $0.deleteMinuteChunk(of: agent, olderThanMs: aggregatesOlderThanMs, chunkRows: chunk)
                }
                result.minuteAggregates += deleted
            }
        }
        var deleted = chunk
        while deleted == chunk {
            deleted = try run("prune the batch ledger") { try $0.deleteLedgerChunk(olderThanMs: aggregatesOlderThanMs, chunkRows: chunk) }
            result.ledgerBatches += deleted
        }
        return result
    }

    public func fleet() throws(TelemetryStoreError) -> [AgentFleetState] {
        try run("read the fleet") { try $0.fleet() }
    }

    public func samples(_ query: SampleQuery) throws(TelemetryStoreError) -> SampleSeries {
        try run("read samples of \(query.agentID)") { try $0.samples(query) }
    }

    public func ledger(agent: String) throws(TelemetryStoreError) -> TelemetryLedger {
        try run("audit the samples of \(agent)") { try $0.ledger(agent: agent) }
    }

    public func counters() -> StoreCounters {
        connection.withLock { $0.counters }
    }
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
