import EdgeSQLite

/// Why a policy store operation failed. `label` is short and fixed (safe as a metric label); `message` names the
/// operation, the file and the cause.
public struct PolicyStoreError: Error, Sendable, CustomStringConvertible {
    private enum Code: String, Sendable {
        case full = "storage.full"
        case corrupt = "storage.corrupt"
        case unavailable = "storage.unavailable"
        case conflict = "storage.conflict"
    }

    private let code: Code
    public let message: String
    public let file: String
    public let line: Int

    private init(_ code: Code, _ message: String, file: String, line: Int) {
        self.code = code
        self.message = message
        self.file = file
        self.line = line
    }

    /// No space left on the disk.
    public static func full(_ message: String, file: String = #fileID, line: Int = #line) -> Self { Self(.full, message, file: file, line: line) }
    /// The file is damaged, not a database, or holds rows this version cannot read.
    public static func corrupt(_ message: String, file: String = #fileID, line: Int = #line) -> Self { Self(.corrupt, message, file: file, line: line) }
    /// Any other failure (I/O, locked, closed, newer schema): the request may be retried.
    public static func unavailable(_ message: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(.unavailable, message, file: file, line: line)
    }
    /// The row exists already (a rollout id or version, a root version).
    public static func conflict(_ message: String, file: String = #fileID, line: Int = #line) -> Self { Self(.conflict, message, file: file, line: line) }

    public var isConflict: Bool { code == .conflict }
    public var label: String { code.rawValue }
    public var description: String { "\(code.rawValue): \(message)" }

    /// Classifies a failure below the store (SQLite).
    static func wrapping(_ error: any Error, doing what: String, file: String = #fileID, line: Int = #line) -> Self {
        if let error = error as? PolicyStoreError { return error }
        guard let error = error as? SQLiteError else { return .unavailable("cannot \(what): \(error)", file: file, line: line) }
        if error.isFull { return .full("cannot \(what): \(error)", file: file, line: line) }
        if error.isCorrupt { return .corrupt("cannot \(what): \(error)", file: file, line: line) }
        if error.isConstraint { return .conflict("cannot \(what): \(error)", file: file, line: line) }
        return .unavailable("cannot \(what): \(error)", file: file, line: line)
    }
}
