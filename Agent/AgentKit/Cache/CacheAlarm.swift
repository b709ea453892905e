/// Something wrong with the cache that an operator must know about. The agent keeps running:
/// on a fresh cache, on an in-memory one, or retrying the write next cycle.
public struct CacheAlarm: Sendable, Hashable, CustomStringConvertible {
    /// Stable alarm codes (they appear in the status file, the metrics and the event log).
    public enum Code: String, Sendable, Hashable, Codable, CaseIterable {
        /// The file is damaged or not a SQLite database; it was moved aside.
        case corrupt = "CACHE_CORRUPT"
        /// The file or its directory cannot be opened, read or written (permissions, I/O error, newer schema).
        case unreadable = "CACHE_UNREADABLE"
        /// The disk (or the cache's size cap) is full; writes are retried every cycle.
        case full = "CACHE_FULL"
    }

    public var code: Code
    /// What happened and what the agent did about it, naming the file.
    public var message: String

    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}

/// A cache operation that failed. `label` is short and fixed (safe as a metric label);
/// `description` names the operation, the file and the underlying cause.
public struct CacheError: Error, Sendable, CustomStringConvertible {
    private enum Code: Sendable, Equatable {
        case full, corrupt, unusable, encoding, policyRollback
    }

    private let code: Code
    /// What was being done ("store the cycle state") and why it failed.
    public let message: String
    public let file: String
    public let line: Int

    private init(_ code: Code, _ message: String, file: String, line: Int) {
        self.code = code
        self.message = message
        self.file = file
        self.line = line
    }

    /// No space left: the disk or the cache's page cap.
    public static func full(_ message: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(.full, message, file: file, line: line)
    }

    /// The file is damaged, or a stored record cannot be decoded.
    public static func corrupt(_ message: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(.corrupt, message, file: file, line: line)
    }

    /// The file cannot be used: permissions, I/O errors, a schema from a newer version.
    public static func unusable(_ message: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(.unusable, message, file: file, line: line)
    }

    /// A value could not be encoded for storage.
    public static func encoding(_ message: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(.encoding, message, file: file, line: line)
    }

    /// A policy whose version is not above the highest the cache ever accepted (anti-rollback): refused, and the
    /// cache is unchanged. Not a fault of the cache: it raises no alarm.
    public static func policyRollback(offered: Int, highest: Int, file: String = #fileID, line: Int = #line) -> Self {
        let relation = offered == highest ? "equal to" : "below"
        return Self(
            .policyRollback,
            "policy version \(offered) refused: it is \(relation) version \(highest), the highest this cache has accepted",
            file: file, line: line)
    }

    public var isFull: Bool { code == .full }
    public var isCorrupt: Bool { code == .corrupt }
    /// A policy refused as not newer than one already accepted.
    public var isPolicyRollback: Bool { code == .policyRollback }

    /// The alarm this failure raises; nil for a refused policy (the cache works, the offer was wrong).
    public var alarmCode: CacheAlarm.Code? {
        switch code {
        case .full: .full
        case .corrupt: .corrupt
        case .unusable, .encoding: .unreadable
        case .policyRollback: nil
        }
    }

    /// A short, fixed name, safe as a metric label.
    public var label: String {
        switch code {
        case .full: "cache_full"
        case .corrupt: "cache_corrupt"
        case .unusable: "cache_unusable"
        case .encoding: "cache_encoding"
        case .policyRollback: "policy_rollback"
        }
    }

    public var description: String { "\(label): \(message)" }
}
