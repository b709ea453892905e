/// A zstd failure: a rejected frame, a size limit hit, or a library error.
///
/// Match on `kind` (`error.kind == .tooLarge`); `description` starts with the kind's label, which is
/// short and fixed (safe as a metric label), followed by the reason.
public struct ZstdError: Error, CustomStringConvertible, Sendable {
    /// The failure class.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private enum Code: Hashable, Sendable {
            case empty, truncated, corrupt, tooLarge, trailingData, dictionaryMismatch, dictionary, library
        }
        private let code: Code
        private init(_ code: Code) { self.code = code }

        /// The input had no bytes.
        public static let empty = Kind(.empty)
        /// The input ended before the frame did.
        public static let truncated = Kind(.truncated)
        /// The frame is malformed, fails its checksum, or needs more decoder memory than allowed.
        public static let corrupt = Kind(.corrupt)
        /// Decompressed output would exceed the caller's cap.
        public static let tooLarge = Kind(.tooLarge)
        /// Bytes follow the end of the (single) frame.
        public static let trailingData = Kind(.trailingData)
        /// The frame needs a dictionary that was not given, or a different one.
        public static let dictionaryMismatch = Kind(.dictionaryMismatch)
        /// Dictionary bytes were unusable or training failed.
        public static let dictionary = Kind(.dictionary)
        /// Any other library failure (allocation, bad parameter).
        public static let library = Kind(.library)

        public var description: String {
            switch code {
            case .empty: "zstd_empty"
            case .truncated: "zstd_truncated"
            case .corrupt: "zstd_corrupt"
            case .tooLarge: "zstd_too_large"
            case .trailingData: "zstd_trailing_data"
            case .dictionaryMismatch: "zstd_dictionary_mismatch"
            case .dictionary: "zstd_dictionary"
            case .library: "zstd_library"
            }
        }
    }

    /// The failure class.
    public let kind: Kind
    /// What went wrong, with `ZSTD_getErrorName` text where the library reported it.
    public let reason: String
    /// The output cap, for `.tooLarge`.
    public let limit: Int?
    /// Source location where the error was raised (for logs, not for matching).
    public let file: String
    public let line: Int

    private init(_ kind: Kind, _ reason: String, limit: Int? = nil, file: String, line: Int) {
        self.kind = kind
        self.reason = reason
        self.limit = limit
        self.file = file
        self.line = line
    }

    /// A short, fixed name for the failure class, safe as a metric label.
    public var label: String { kind.description }

    public var description: String { "\(label): \(reason)" }

    static func empty(file: String = #fileID, line: Int = #line) -> Self {
        Self(.empty, "input is empty, a zstd frame is at least 6 bytes", file: file, line: line)
    }

    static func truncated(consumed: Int, file: String = #fileID, line: Int = #line) -> Self {
        Self(.truncated, "frame ends early after \(consumed) bytes", file: file, line: line)
    }

    static func corrupt(_ reason: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(.corrupt, reason, file: file, line: line)
    }

    static func tooLarge(limit: Int, file: String = #fileID, line: Int = #line) -> Self {
        Self(.tooLarge, "decompressed output exceeds the cap of \(limit) bytes", limit: limit, file: file, line: line)
    }

    static func trailingData(count: Int, file: String = #fileID, line: Int = #line) -> Self {
        Self(.trailingData, "\(count) bytes follow the end of the frame", file: file, line: line)
    }

    static func dictionaryMismatch(_ reason: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(.dictionaryMismatch, reason, file: file, line: line)
    }

    static func dictionary(_ reason: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(.dictionary, reason, file: file, line: line)
    }

    static func library(_ reason: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(.library, reason, file: file, line: line)
    }
}
