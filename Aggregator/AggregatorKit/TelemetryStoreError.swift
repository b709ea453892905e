/// Why a telemetry store operation failed. `label` is short and fixed (safe as a metric label);
/// `message` names the operation, the file and the cause.
public struct TelemetryStoreError: Error, Sendable, CustomStringConvertible {
    private enum Code: String, Sendable {
        case full = "storage.full"
        case corrupt = "storage.corrupt"
        case unavailable = "storage.unavailable"
        case aggregateOverflow = "storage.aggregate_overflow"
        case invalidQuery = "query.invalid"
        case busy = "storage.busy"
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

    /// No space left: the disk or the store's page cap. Nothing of the failed write was kept.
    public static func full(_ message: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(.full, message, file: file, line: line)
    }

    /// The database file is damaged or not a database.
    public static func corrupt(_ message: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(.corrupt, message, file: file, line: line)
    }

    /// Any other storage failure (I/O, locked, closed, newer schema): the request may be retried.
    public static func unavailable(_ message: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(.unavailable, message, file: file, line: line)
    }

    /// A minute's sum of quanta would leave the 64-bit range (only with extreme values at a high rate).
    public static func aggregateOverflow(_ message: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(.aggregateOverflow, message, file: file, line: line)
    }

    /// The query's window, channel names or limits are not acceptable.
    public static func invalidQuery(_ message: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(.invalidQuery, message, file: file, line: line)
    }

    /// The write queue is full: the batch was refused before anything was written; retry after a pause.
    public static func busy(_ message: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(.busy, message, file: file, line: line)
    }

    public var isFull: Bool { code == .full }
    public var isBusy: Bool { code == .busy }
    public var isAggregateOverflow: Bool { code == .aggregateOverflow }
    public var isInvalidQuery: Bool { code == .invalidQuery }

    /// Short, fixed and low-cardinality.
    public var label: String { code.rawValue }
    public var description: String { "\(code.rawValue): \(message)" }
}
