import EdgeSQLite

/// A telemetry queue failure. The agent logs it, counts it and goes on regulating: telemetry never stops the loop.
public struct TelemetryQueueError: Error, CustomStringConvertible, Sendable {
    private enum Code: String, Sendable {
        case full = "telemetry_queue_full"
        case corrupt = "telemetry_queue_corrupt"
        case unusable = "telemetry_queue_unusable"
        case outOfOrder = "telemetry_sample_out_of_order"
        case wrongShape = "telemetry_sample_wrong_shape"
        case encode = "telemetry_batch_encode"
    }

    private let code: Code
    /// What failed, naming the file, the sample time or the sequence.
    public let message: String
    public let file: String
    public let line: Int

    private init(_ code: Code, _ message: String, file: String, line: Int) {
        self.code = code
        self.message = message
        self.file = file
        self.line = line
    }

    /// The disk (or the file's `max_page_count`) is full: the sample was not stored.
    public static func full(_ message: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(.full, message, file: file, line: line)
    }

    /// The file is damaged or not a database.
    public static func corrupt(_ message: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(.corrupt, message, file: file, line: line)
    }

    /// Any other storage failure.
    public static func unusable(_ message: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(.unusable, message, file: file, line: line)
    }

    /// A sample not later than the last one (a clock stepped back): rows of a batch must strictly increase in time.
    public static func outOfOrder(timeMs: Int64, lastMs: Int64, file: String = #fileID, line: Int = #line) -> Self {
        Self(.outOfOrder, "sample at \(timeMs) ms is not after the last one at \(lastMs) ms; dropped", file: file, line: line)
    }

    /// A sample whose cell count is not the channel count.
    public static func wrongShape(cells: Int, channels: Int, file: String = #fileID, line: Int = #line) -> Self {
        Self(.wrongShape, "sample has \(cells) cells, the queue has \(channels) channels", file: file, line: line)
    }

    /// The codec refused a batch (it should not: the queue builds only valid batches).
    public static func encode(_ message: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(.encode, message, file: file, line: line)
    }

    /// A short, fixed label, safe as a metric label.
    public var label: String { code.rawValue }
    /// The disk is full: free space, or the queue keeps refusing samples (pending frames are kept).
    public var isFull: Bool { code == .full }
    /// The file is damaged or cannot be used (permissions, I/O errors): nothing can be queued until it is fixed.
    public var isUnusable: Bool { code == .corrupt || code == .unusable }
    public var description: String { "\(label): \(message)" }

    /// Classifies a failure below the queue.
    static func wrapping(_ error: any Error, doing what: String, file: String = #fileID, line: Int = #line) -> Self {
        if let error = error as? Self { return error }
        guard let error = error as? SQLiteError else { return .unusable("cannot \(what): \(error)", file: file, line: line) }
        if error.isFull { return .full("cannot \(what): \(error)", file: file, line: line) }
        if error.isCorrupt { return .corrupt("cannot \(what): \(error)", file: file, line: line) }
        return .unusable("cannot \(what): \(error)", file: file, line: line)
    }
}
