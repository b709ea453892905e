/// Why `v2g-adm protection respond` refused its input or its policy. `message` is the one line a person reads:
/// the file, the line for CSV input, and the reason; `description` is short enough for a metric label.
public struct ProtectionBenchError: Error, CustomStringConvertible, Sendable {
    private enum Code: String, Sendable {
        case unreadable = "protection_bench_unreadable"
        case badHeader = "protection_bench_bad_header"
        case badRow = "protection_bench_bad_row"
        case badValue = "protection_bench_bad_value"
        case timeNotIncreasing = "protection_bench_time_not_increasing"
        case noSamples = "protection_bench_no_samples"
        case badPolicy = "protection_bench_bad_policy"
    }

    private let code: Code
    /// The input or policy file concerned.
    public let fileName: String
    /// 1-based line of the CSV input, when the error is about one.
    public let line: Int?
    public let message: String

    private init(_ code: Code, _ fileName: String, line: Int? = nil, _ detail: String) {
        self.code = code
        self.fileName = fileName
        self.line = line
        self.message = "\(fileName)\(line.map { ":\($0)" } ?? ""): \(detail)"
    }

    /// Short and low-cardinality: safe as a metric label.
    public var description: String { code.rawValue }

    /// A file that cannot be read; `message` already names it.
    static func unreadable(_ message: String) -> Self {
        Self(message: message, code: .unreadable)
    }

    private init(message: String, code: Code) {
        self.code = code
        self.fileName = ""
        self.line = nil
        self.message = message
    }

    static func badHeader(_ name: String, line: Int, expected: String, got: String) -> Self {
        Self(.badHeader, name, line: line, "header must be \"\(expected)\" (meter optional), got \"\(got)\"")
    }

    static func badRow(_ name: String, line: Int, expected: Int, found: Int) -> Self {
        Self(.badRow, name, line: line, "expected \(expected) fields as in the header, found \(found)")
    }

    static func badValue(_ name: String, line: Int, _ reason: String) -> Self {
        Self(.badValue, name, line: line, reason)
    }

    static func timeNotIncreasing(_ name: String, line: Int, value: Double, previous: Double) -> Self {
        Self(.timeNotIncreasing, name, line: line,
             "t_s = \(value) must be greater than the previous t_s = \(previous) (strictly increasing)")
    }

    static func noSamples(_ name: String) -> Self {
        Self(.noSamples, name, "no rows after the header")
    }

    /// A policy the agent would refuse, with the agent's own line ("FILE: field = value is outside …").
    static func badPolicy(_ message: String) -> Self {
        Self(message: message, code: .badPolicy)
    }
}
