/// A neighborhood file that cannot be played: a bad key in it, a scenario file it names that cannot be read, or one
/// that is bad itself.
///
/// `description` is a short label safe as a metric label; `message` is one line naming the file at fault, the field
/// and what is wrong, and for a named scenario file, where the neighborhood names it.
public struct NeighborhoodError: Error, CustomStringConvertible, Sendable, Hashable {
    private enum Code: String, Sendable, Hashable {
        case invalid = "neighborhood_invalid"
        case scenarioInvalid = "neighborhood_scenario_invalid"
        case unreadable = "neighborhood_unreadable"
        case controlInvalid = "neighborhood_control_invalid"
    }

    private let code: Code
    /// The file at fault: the neighborhood file, or a scenario file it names.
    public let path: String
    /// The JSON path of the offending field in that file; empty for the whole file.
    public let field: String
    /// What is wrong, naming the field and, where it applies, the allowed range.
    public let reason: String
    /// Where the neighborhood names `path` (`transformers[1].scenario_file of n.json`); nil when `path` is the
    /// neighborhood file.
    public let via: String?
    /// Where the error was raised (for logs, not for comparison).
    public let file: String
    public let line: Int

    private init(_ code: Code, path: String, field: String, reason: String, via: String?, file: String, line: Int) {
        self.code = code
        self.path = path
        self.field = field
        self.reason = reason
        self.via = via
        self.file = file
        self.line = line
    }

    public var description: String { code.rawValue }

    /// The line an operator reads.
    public var message: String { "\(path): \(reason)" + (via.map { " (\($0))" } ?? "") }

    public static func == (l: NeighborhoodError, r: NeighborhoodError) -> Bool {
        l.code == r.code && l.path == r.path && l.field == r.field
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
        hasher.combine(path)
        hasher.combine(field)
    }

    static func invalid(_ path: String, _ error: ScenarioError, file: String = #fileID, line: Int = #line) -> NeighborhoodError {
        NeighborhoodError(.invalid, path: path, field: error.field, reason: error.message, via: nil, file: file, line: line)
    }

    static func scenarioInvalid(
        _ path: String, _ error: ScenarioError, via: String, file: String = #fileID, line: Int = #line
    ) -> NeighborhoodError {
        NeighborhoodError(.scenarioInvalid, path: path, field: error.field, reason: error.message, via: via, file: file, line: line)
    }

    static func controlInvalid(_ path: String, _ error: ScenarioError, file: String = #fileID, line: Int = #line) -> NeighborhoodError {
        NeighborhoodError(.controlInvalid, path: path, field: error.field, reason: error.message, via: nil, file: file, line: line)
    }

    static func unreadable(_ path: String, _ reason: String, via: String?, file: String = #fileID, line: Int = #line) -> NeighborhoodError {
        NeighborhoodError(.unreadable, path: path, field: "", reason: "cannot read: \(reason)", via: via, file: file, line: line)
    }
}
