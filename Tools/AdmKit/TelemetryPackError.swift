/// Why `v2g-adm telemetry …` refused its input: names the file and, for CSV, the line and column.
public struct TelemetryPackError: Error, CustomStringConvertible, Sendable {
    private enum Code: String, Sendable {
        case unreadable = "pack_unreadable"
        case unwritable = "pack_unwritable"
        case badHeader = "pack_bad_header"
        case badChannel = "pack_bad_channel"
        case badRow = "pack_bad_row"
        case badNumber = "pack_bad_number"
        case timeNotIncreasing = "pack_time_not_increasing"
        case noRows = "pack_no_rows"
        case badDictionary = "pack_bad_dictionary"
        case encode = "pack_encode"
    }

    private let code: Code
    /// The file concerned.
    public let fileName: String
    /// 1-based line of the CSV, when the error is about one.
    public let line: Int?
    /// 1-based column (field number) of the CSV, when the error is about one.
    public let column: Int?
    /// A human sentence: what is wrong, where, and what is allowed.
    public let message: String
    public let sourceFile: String
    public let sourceLine: Int

    private init(_ code: Code, _ fileName: String, line: Int? = nil, column: Int? = nil, _ detail: String,
                 file: String, sourceLine: Int) {
        self.code = code
        self.fileName = fileName
        self.line = line
        self.column = column
        let place = [fileName, line.map(String.init), column.map(String.init)].compactMap { $0 }.joined(separator: ":")
        self.message = "\(place): \(detail)"
        self.sourceFile = file
        self.sourceLine = sourceLine
    }

    /// Short and low-cardinality: safe as a metric label.
    public var description: String { code.rawValue }

    static func unreadable(_ name: String, _ reason: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(.unreadable, name, "cannot read: \(reason)", file: file, sourceLine: line)
    }

    static func unwritable(_ name: String, _ reason: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(.unwritable, name, "cannot write: \(reason)", file: file, sourceLine: line)
    }

    static func badHeader(_ name: String, line csvLine: Int, column: Int? = nil, _ reason: String,
                          file: String = #fileID, line: Int = #line) -> Self {
        Self(.badHeader, name, line: csvLine, column: column, reason, file: file, sourceLine: line)
    }

    static func badChannel(_ name: String, line csvLine: Int, column: Int, _ reason: String,
                           file: String = #fileID, line: Int = #line) -> Self {
        Self(.badChannel, name, line: csvLine, column: column, reason, file: file, sourceLine: line)
    }

    static func badRow(_ name: String, line csvLine: Int, column: Int, fields: Int, expected: Int,
                       file: String = #fileID, line: Int = #line) -> Self {
        Self(.badRow, name, line: csvLine, column: column, "expected \(expected) fields as in the header, found \(fields)",
             file: file, sourceLine: line)
    }

    static func badNumber(_ name: String, line csvLine: Int, column: Int, field: String, text: String, allowed: String,
                          file: String = #fileID, line: Int = #line) -> Self {
        Self(.badNumber, name, line: csvLine, column: column, "\(field) \"\(text)\" is not \(allowed)",
             file: file, sourceLine: line)
    }

    static func timeNotIncreasing(_ name: String, line csvLine: Int, text: String, previous: String,
                                  file: String = #fileID, line: Int = #line) -> Self {
        Self(.timeNotIncreasing, name, line: csvLine, column: 1,
             "t_s = \(text) must be greater than the previous t_s = \(previous) (strictly increasing, ms resolution)",
             file: file, sourceLine: line)
    }

    static func noRows(_ name: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(.noRows, name, "no rows after the header", file: file, sourceLine: line)
    }

    static func badDictionary(_ name: String, _ reason: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(.badDictionary, name, reason, file: file, sourceLine: line)
    }

    static func encode(_ name: String, _ reason: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(.encode, name, reason, file: file, sourceLine: line)
    }
}
