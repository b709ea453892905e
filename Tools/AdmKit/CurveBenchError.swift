import GridCore

/// Why `v2g-adm curve respond` refused its input: names the file and, for CSV, the line and column.
public struct CurveBenchError: Error, CustomStringConvertible, Sendable {
    private enum Code: String, Sendable {
        case unreadable = "bench_unreadable"
        case badHeader = "bench_bad_header"
        case badRow = "bench_bad_row"
        case badNumber = "bench_bad_number"
        case outOfRange = "bench_out_of_range"
        case timeNotIncreasing = "bench_time_not_increasing"
        case noSamples = "bench_no_samples"
        case badCurveFile = "bench_bad_curve_file"
        case badCurve = "bench_bad_curve"
    }

    private let code: Code
    /// The input or curve file concerned.
    public let fileName: String
    /// 1-based line in a CSV input, when the error is about one.
    public let line: Int?
    /// 1-based column (field number) in a CSV input, when the error is about one.
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

    static func badHeader(_ name: String, line csvLine: Int, expected: String, got: String,
                          file: String = #fileID, line: Int = #line) -> Self {
        Self(.badHeader, name, line: csvLine, "header must be \"\(expected)\", got \"\(got)\"", file: file, sourceLine: line)
    }

    static func badRow(_ name: String, line csvLine: Int, column: Int, fields: Int,
                       file: String = #fileID, line: Int = #line) -> Self {
        Self(.badRow, name, line: csvLine, column: column, "expected 2 fields, found \(fields)", file: file, sourceLine: line)
    }

    static func badNumber(_ name: String, line csvLine: Int, column: Int, field: String, text: String,
                          allowed: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(.badNumber, name, line: csvLine, column: column,
             "\(field) \"\(text)\" is not a finite number (allowed \(allowed))", file: file, sourceLine: line)
    }

    static func outOfRange(_ name: String, line csvLine: Int, column: Int, field: String, value: Double,
                           range: ClosedRange<Double>, file: String = #fileID, line: Int = #line) -> Self {
        Self(.outOfRange, name, line: csvLine, column: column,
             "\(field) = \(value) is outside the allowed range \(range.lowerBound)…\(range.upperBound)",
             file: file, sourceLine: line)
    }

    static func timeNotIncreasing(_ name: String, line csvLine: Int, value: Double, previous: Double,
                                  file: String = #fileID, line: Int = #line) -> Self {
        Self(.timeNotIncreasing, name, line: csvLine, column: 1,
             "t_s = \(value) must be greater than the previous t_s = \(previous) (strictly increasing)",
             file: file, sourceLine: line)
    }

    static func noSamples(_ name: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(.noSamples, name, "no samples after the header", file: file, sourceLine: line)
    }

    static func badCurveFile(_ name: String, _ reason: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(.badCurveFile, name, reason, file: file, sourceLine: line)
    }

    static func badCurve(_ name: String, _ error: CurveError, file: String = #fileID, line: Int = #line) -> Self {
        Self(.badCurve, name, error.message, file: file, sourceLine: line)
    }
}
