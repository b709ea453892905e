internal import CSQLite

/// One SQLite connection: WAL journal, `synchronous=NORMAL`, foreign keys on, a busy timeout.
///
/// Thread confinement: the connection is opened with `SQLITE_OPEN_NOMUTEX` and the class is deliberately
/// not `Sendable`, so the compiler keeps it (and its statements) inside one isolation domain, such as an actor.
public final class SQLiteDatabase {
    /// The path given at open time.
    public let path: String
    /// Whether the connection was opened read-only.
    public let isReadOnly: Bool
    /// The connection; nil once `close()` has run.
    private var handle: OpaquePointer?

    /// Opens (or creates, unless `readOnly`) the database at `path`.
    ///
    /// `busyTimeoutMilliseconds` bounds how long a statement waits for another connection's lock.
    public init(path: String, readOnly: Bool = false, busyTimeoutMilliseconds: Int32 = 5_000) throws {
        self.path = path
        self.isReadOnly = readOnly
        var flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        flags |= readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
        var db: OpaquePointer?
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            // sqlite3_open_v2 may hand back a handle even on failure; it must still be closed.
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(rc))
            sqlite3_close_v2(db)
            throw SQLiteError.result(rc, message: message, sql: nil, path: path)
        }
        handle = db
        sqlite3_extended_result_codes(db, 1)
        try check(sqlite3_busy_timeout(db, busyTimeoutMilliseconds), sql: nil)
        // The first statement reads the file header, so a garbage file fails here with SQLITE_NOTADB.
        if !readOnly {
            let mode = try prepare("PRAGMA journal_mode=WAL").rows { $0.string(at: 0) }.first ?? ""
            if mode.lowercased() != "wal" && path != ":memory:" && !path.isEmpty {
                throw SQLiteError.result(
                    SQLITE_ERROR, message: "journal_mode is \(mode), WAL could not be enabled",
                    sql: "PRAGMA journal_mode=WAL", path: path)
            }
        }
        // NORMAL is durable in WAL mode except for the last transactions on power loss (sqlite.org/pragma.html#pragma_synchronous).
        try execute("PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;")
    }

    deinit {
        // Statements hold a strong reference to their database, so none is left unfinalized here.
        sqlite3_close_v2(handle)
    }

    /// Closes the connection now; later calls on it or its statements throw an error with `isClosed`.
    public func close() {
        // close_v2 defers freeing while statements exist; their deinit finalizes them safely.
        sqlite3_close_v2(handle)
        handle = nil
    }

    /// Whether `close()` has not been called yet.
    public var isOpen: Bool { handle != nil }

    /// Runs one or more `;`-separated statements, discarding any rows.
    public func execute(_ sql: String) throws {
        let db = try openHandle(sql: sql)
        var utf8 = Array(sql.utf8CString)
        try utf8.withUnsafeMutableBufferPointer { buffer in
            guard let start = buffer.baseAddress else { return }
            var cursor = UnsafePointer(start)
            while cursor.pointee != 0 {
                var stmt: OpaquePointer?
                var tail: UnsafePointer<CChar>?
                try check(sqlite3_prepare_v2(db, cursor, -1, &stmt, &tail), sql: String(cString: cursor))
                defer { sqlite3_finalize(stmt) }
                if let stmt {
                    var rc: Int32
                    repeat { rc = sqlite3_step(stmt) } while rc == SQLITE_ROW
                    try check(rc, sql: String(cString: cursor))
                }
                guard let tail else { break }
                cursor = tail
            }
        }
    }

    /// Compiles exactly one statement; trailing SQL other than whitespace and comments is rejected.
    public func prepare(_ sql: String) throws -> SQLiteStatement {
        let db = try openHandle(sql: sql)
        var stmt: OpaquePointer?
        var extra = false
        try sql.withCString { start in
            var tail: UnsafePointer<CChar>?
            try check(sqlite3_prepare_v2(db, start, -1, &stmt, &tail), sql: sql)
            if let tail, tail.pointee != 0 {
                // A tail that compiles to nothing is whitespace or comments.
                var next: OpaquePointer?
                let rc = sqlite3_prepare_v2(db, tail, -1, &next, nil)
                extra = rc != SQLITE_OK || next != nil
                sqlite3_finalize(next)
            }
        }
        guard let stmt, !extra else {
            sqlite3_finalize(stmt)
            throw SQLiteError.misuse(
                stmt == nil ? "no statement in SQL" : "more than one statement; use execute(_:)", sql: sql, path: path)
        }
        return SQLiteStatement(stmt, database: self, sql: sql)
    }

    /// Runs `body` inside `BEGIN IMMEDIATE … COMMIT`; rolls back and rethrows when `body` throws.
    ///
    /// IMMEDIATE takes the write lock up front, so a busy database fails at BEGIN rather than mid-way.
    /// Transactions do not nest: calling this inside another throws without touching the outer one.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        let db = try openHandle(sql: "BEGIN IMMEDIATE")
        guard sqlite3_get_autocommit(db) != 0 else {
            throw SQLiteError.misuse("a transaction is already open; transactions do not nest", sql: "BEGIN IMMEDIATE", path: path)
        }
        do {
            try execute("BEGIN IMMEDIATE")
        } catch {
            // A BEGIN that failed on the lock (SQLITE_BUSY) can leave the transaction half-open.
            rollbackIfOpen()
            throw error
        }
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            rollbackIfOpen()
            throw error
        }
    }

    /// ROLLBACK unless SQLite has already rolled back by itself (SQLITE_FULL, SQLITE_IOERR, ...).
    private func rollbackIfOpen() {
        if let handle, sqlite3_get_autocommit(handle) == 0 {
            try? execute("ROLLBACK")
        }
    }

    /// Row id of the last successful INSERT on this connection.
    public var lastInsertRowID: Int64 { handle.map { sqlite3_last_insert_rowid($0) } ?? 0 }

    /// Rows changed by the last INSERT, UPDATE or DELETE on this connection.
    public var changes: Int { handle.map { Int(sqlite3_changes64($0)) } ?? 0 }

    /// The connection, or a `closed` error naming `sql`.
    func openHandle(sql: String?) throws -> OpaquePointer {
        guard let handle else { throw SQLiteError.closed(sql: sql, path: path) }
        return handle
    }

    /// The one checked helper: turns a SQLite result code into `SQLiteError` with the connection's message.
    @discardableResult
    func check(_ rc: Int32, sql: String?, file: String = #fileID, line: Int = #line) throws -> Int32 {
        switch rc & 0xFF {
        case SQLITE_OK, SQLITE_ROW, SQLITE_DONE:
            return rc
        default:
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(rc))
            throw SQLiteError.result(rc, message: message, sql: sql, path: path, file: file, line: line)
        }
    }
}
