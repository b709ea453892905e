internal import CSQLite

/// A failed SQLite call, a misuse of the wrapper, or a migration refusal.
///
/// `label` is short and fixed (safe as a metric label); `description` is the human message with
/// the SQLite error text, the SQL that failed (truncated) and the database path.
public struct SQLiteError: Error, CustomStringConvertible, Sendable {
    private enum Code: Sendable, Equatable {
        /// A SQLite result code (extended when the connection reports extended codes).
        case result(Int32)
        /// The database was closed with `close()` before this call.
        case closed
        /// A wrong use of the wrapper: a binding that does not fit, no or two statements, a nested transaction.
        case misuse
        /// The database records a migration this program does not know: it was written by a newer version.
        case unknownMigration
    }

    private let code: Code
    /// SQLite's error text (`sqlite3_errmsg`) or the wrapper's own explanation.
    public let message: String
    /// The SQL that failed, truncated to 120 characters; nil when no SQL was involved.
    public let sql: String?
    /// The database path.
    public let path: String
    /// Source location where the error was raised (for logs, not for matching).
    public let file: String
    public let line: Int

    private init(_ code: Code, message: String, sql: String?, path: String, file: String, line: Int) {
        self.code = code
        self.message = message
        self.sql = sql.map { $0.count > 120 ? String($0.prefix(117)) + "..." : $0 }
        self.path = path
        self.file = file
        self.line = line
    }

    /// A SQLite result code with its message.
    static func result(
        _ resultCode: Int32, message: String, sql: String?, path: String,
        file: String = #fileID, line: Int = #line
    ) -> Self {
        Self(.result(resultCode), message: message, sql: sql, path: path, file: file, line: line)
    }

    /// A call on a database (or one of its statements) after `close()`.
    static func closed(sql: String?, path: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(.closed, message: "the database was closed", sql: sql, path: path, file: file, line: line)
    }

    /// A wrong use of the wrapper (bad binding, no or two statements, nested transaction).
    static func misuse(_ message: String, sql: String?, path: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(.misuse, message: message, sql: sql, path: path, file: file, line: line)
    }

    /// An applied migration that this program does not register.
    static func unknownMigration(_ names: [String], path: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(
            .unknownMigration,
            message: "database has migrations this version does not know (\(names.joined(separator: ", "))); "
                + "it was written by a newer version",
            sql: nil, path: path, file: file, line: line)
    }

    /// The primary result code (`SQLITE_FULL`, ...); `SQLITE_MISUSE` for a closed database or a misuse,
    /// `SQLITE_ERROR` for an unknown migration.
    public var resultCode: Int32 { extendedResultCode & 0xFF }

    /// The extended result code (`SQLITE_IOERR_WRITE`, ...), or the primary code when there is none.
    public var extendedResultCode: Int32 {
        switch code {
        case .result(let rc): rc
        case .closed, .misuse: SQLITE_MISUSE
        case .unknownMigration: SQLITE_ERROR
        }
    }

    /// The database is locked by another connection beyond the busy timeout.
    public var isBusy: Bool { resultCode == SQLITE_BUSY || resultCode == SQLITE_LOCKED }
    /// The disk (or `PRAGMA max_page_count`) is full.
    public var isFull: Bool { resultCode == SQLITE_FULL }
    /// The connection, the file or its directory cannot be written.
    public var isReadOnly: Bool { resultCode == SQLITE_READONLY }
    /// The file is damaged or is not a SQLite database at all.
    public var isCorrupt: Bool { resultCode == SQLITE_CORRUPT || resultCode == SQLITE_NOTADB }
    /// A UNIQUE, NOT NULL, CHECK or FOREIGN KEY constraint failed.
    public var isConstraint: Bool { resultCode == SQLITE_CONSTRAINT }
    /// The database had been closed.
    public var isClosed: Bool { code == .closed }
    /// The database was migrated by a newer program version.
    public var isUnknownMigration: Bool { code == .unknownMigration }

    /// A short, fixed name for the failure class, safe as a metric label.
    public var label: String {
        switch code {
        case .closed: return "sqlite_closed"
        case .misuse: return "sqlite_misuse"
        case .unknownMigration: return "sqlite_unknown_migration"
        case .result:
            switch resultCode {
            case SQLITE_BUSY, SQLITE_LOCKED: return "sqlite_busy"
            case SQLITE_FULL: return "sqlite_full"
            case SQLITE_CORRUPT, SQLITE_NOTADB: return "sqlite_corrupt"
            case SQLITE_CONSTRAINT: return "sqlite_constraint"
            case SQLITE_READONLY: return "sqlite_readonly"
            case SQLITE_IOERR: return "sqlite_ioerr"
            case SQLITE_CANTOPEN: return "sqlite_cantopen"
            case SQLITE_NOMEM: return "sqlite_nomem"
            case SQLITE_MISUSE: return "sqlite_misuse"
            default: return "sqlite_error"
            }
        }
    }

    public var description: String {
        var text = "\(label) (code \(resultCode)/\(extendedResultCode)): \(message)"
        if let sql { text += "; sql: \(sql)" }
        text += "; path: \(path)"
        return text
    }
}
