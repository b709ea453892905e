internal import CSQLite

/// A compiled statement. It keeps its database alive, and is finalized in `deinit`.
///
/// Column getters follow SQLite's conversions (sqlite.org/c3ref/column_blob.html): NULL reads as 0, "" or [];
/// use `isNull(at:)` to tell them apart. Column indexes start at 0, binding indexes are handled for you.
public final class SQLiteStatement {
    private let stmt: OpaquePointer
    /// Strong on purpose: the connection cannot be freed under a live statement.
    private let database: SQLiteDatabase
    /// The SQL text, for error messages.
    public let sql: String

    init(_ stmt: OpaquePointer, database: SQLiteDatabase, sql: String) {
        self.stmt = stmt
        self.database = database
        self.sql = sql
    }

    deinit {
        sqlite3_finalize(stmt)
    }

    /// Resets, clears old bindings and binds `values` to parameters 1…n.
    public func bind(_ values: SQLiteValue...) throws { try bind(values) }

    /// Resets, clears old bindings and binds `values` to parameters 1…n; the count must match.
    public func bind(_ values: [SQLiteValue]) throws {
        _ = try database.openHandle(sql: sql)
        let expected = Int(sqlite3_bind_parameter_count(stmt))
        guard values.count == expected else {
            throw SQLiteError.misuse(
                "got \(values.count) values for \(expected) parameters", sql: sql, path: database.path)
        }
        clearBindings()
        for (offset, value) in values.enumerated() {
            try bind(value, at: Int32(offset + 1))
        }
    }

    /// Resets, clears old bindings and binds by parameter name, prefix included (`":id"`, `"@id"`, `"$id"`).
    public func bind(named values: [String: SQLiteValue]) throws {
        _ = try database.openHandle(sql: sql)
        clearBindings()
        for (name, value) in values {
            let index = sqlite3_bind_parameter_index(stmt, name)
            guard index > 0 else {
                throw SQLiteError.misuse("no parameter named \(name)", sql: sql, path: database.path)
            }
            try bind(value, at: index)
        }
    }

    private func clearBindings() {
        sqlite3_reset(stmt)
        sqlite3_clear_bindings(stmt)
    }

    private func bind(_ value: SQLiteValue, at index: Int32) throws {
        let rc: Int32
        switch value {
        case .null:
            rc = sqlite3_bind_null(stmt, index)
        case .integer(let int):
            rc = sqlite3_bind_int64(stmt, index, int)
        case .real(let double):
            rc = sqlite3_bind_double(stmt, index, double)
        case .text(let text):
            // A NULL pointer would bind SQL NULL, so "" goes through withCString (never NULL).
            rc = text.withCString { start in
                edge_sqlite3_bind_text_transient(stmt, index, start, Int32(clamping: text.utf8.count))
            }
        case .blob(let bytes) where bytes.isEmpty:
            // Same NULL-pointer issue: an empty blob is a zero-length zeroblob.
            rc = sqlite3_bind_zeroblob(stmt, index, 0)
        case .blob(let bytes):
            guard bytes.count <= Int32.max else {
                throw SQLiteError.result(SQLITE_TOOBIG, message: "blob of \(bytes.count) bytes", sql: sql, path: database.path)
            }
            rc = bytes.withUnsafeBytes { edge_sqlite3_bind_blob_transient(stmt, index, $0.baseAddress, Int32($0.count)) }
        }
        try database.check(rc, sql: sql)
    }

    /// Runs the statement to the next row; true when a row is available, false when done.
    public func step() throws -> Bool {
        _ = try database.openHandle(sql: sql)
        let rc = sqlite3_step(stmt)
        if rc == SQLITE_ROW { return true }
        if rc == SQLITE_DONE { return false }
        // With prepare_v2, step returns the specific code; reset so the statement can be reused.
        defer { sqlite3_reset(stmt) }
        try database.check(rc, sql: sql)
        return false
    }

    /// Rewinds the statement to run again; bindings are kept.
    public func reset() {
        sqlite3_reset(stmt)
    }

    /// Steps through every row, calling `body` on each, then resets.
    public func forEachRow(_ body: (SQLiteStatement) throws -> Void) throws {
        defer { reset() }
        while try step() { try body(self) }
    }

    /// Steps through every row, collecting `transform` of each, then resets.
    public func rows<T>(_ transform: (SQLiteStatement) throws -> T) throws -> [T] {
        var result: [T] = []
        try forEachRow { result.append(try transform($0)) }
        return result
    }

    /// Number of columns in a result row.
    public var columnCount: Int { Int(sqlite3_column_count(stmt)) }

    /// Name of column `index` (its `AS` alias when given).
    public func columnName(at index: Int) -> String {
        sqlite3_column_name(stmt, Int32(index)).map { String(cString: $0) } ?? ""
    }

    /// Whether column `index` of the current row is NULL.
    public func isNull(at index: Int) -> Bool { sqlite3_column_type(stmt, Int32(index)) == SQLITE_NULL }

    /// Column `index` as a 64-bit integer.
    public func int64(at index: Int) -> Int64 { sqlite3_column_int64(stmt, Int32(index)) }

    /// Column `index` as a double.
    public func double(at index: Int) -> Double { sqlite3_column_double(stmt, Int32(index)) }

    /// Column `index` as UTF-8 text (embedded NULs kept).
    public func string(at index: Int) -> String {
        // text before bytes: the byte count is for the UTF-8 form (sqlite.org/c3ref/column_blob.html).
        guard let text = sqlite3_column_text(stmt, Int32(index)) else { return "" }
        let count = Int(sqlite3_column_bytes(stmt, Int32(index)))
        return String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self)
    }

    /// Column `index` as bytes.
    public func blob(at index: Int) -> [UInt8] {
        guard let bytes = sqlite3_column_blob(stmt, Int32(index)) else { return [] }
        let count = Int(sqlite3_column_bytes(stmt, Int32(index)))
        return Array(UnsafeRawBufferPointer(start: bytes, count: count))
    }

    /// Column `index` in its own storage class.
    public func value(at index: Int) -> SQLiteValue {
        switch sqlite3_column_type(stmt, Int32(index)) {
        case SQLITE_INTEGER: .integer(int64(at: index))
        case SQLITE_FLOAT: .real(double(at: index))
        case SQLITE_TEXT: .text(string(at: index))
        case SQLITE_BLOB: .blob(blob(at: index))
        default: .null
        }
    }
}
