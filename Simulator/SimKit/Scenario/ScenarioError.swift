/// A scenario file that cannot be simulated: bad JSON, a missing or unknown key, or a value out of range.
///
/// `description` is a short label safe as a metric label; `field` is the JSON path (`chargers[2].phase`) and
/// `message` says what is wrong and what is allowed.
public struct ScenarioError: Error, CustomStringConvertible, Sendable, Hashable {
    private enum Code: String, Sendable, Hashable {
        case malformedJSON = "scenario_malformed_json"
        case missingField = "scenario_missing_field"
        case wrongType = "scenario_wrong_type"
        case unknownKey = "scenario_unknown_key"
        case outOfRange = "scenario_out_of_range"
        case inconsistent = "scenario_inconsistent"
    }

    private let code: Code
    /// The JSON path of the offending field, e.g. `chargers[2].sessions[0].departure`; empty for the whole file.
    public let field: String
    /// A human message naming the field and, where it applies, the allowed range.
    public let message: String
    /// Where the error was raised (for logs, not for comparison).
    public let file: String
    public let line: Int

    private init(_ code: Code, field: String, message: String, file: String, line: Int) {
        self.code = code
        self.field = field
        self.message = message
        self.file = file
        self.line = line
    }

    public var description: String { code.rawValue }

    public static func == (l: ScenarioError, r: ScenarioError) -> Bool { l.code == r.code && l.field == r.field }
    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
        hasher.combine(field)
    }

    static func malformedJSON(_ reason: String, file: String = #fileID, line: Int = #line) -> ScenarioError {
        ScenarioError(.malformedJSON, field: "", message: "the scenario is not valid JSON: \(reason)", file: file, line: line)
    }

    static func missingField(_ field: String, file: String = #fileID, line: Int = #line) -> ScenarioError {
        ScenarioError(.missingField, field: field, message: "\(field) is required", file: file, line: line)
    }

    static func wrongType(_ field: String, expected: String, file: String = #fileID, line: Int = #line) -> ScenarioError {
        ScenarioError(.wrongType, field: field, message: "\(field) must be \(expected)", file: file, line: line)
    }

    static func unknownKey(_ field: String, allowed: [String], file: String = #fileID, line: Int = #line) -> ScenarioError {
        let message = "\(field) is not a known key; allowed here: \(allowed.sorted().joined(separator: ", "))"
        return ScenarioError(.unknownKey, field: field, message: message, file: file, line: line)
    }

    static func outOfRange(
        _ field: String, value: Double, range: ClosedRange<Double>, unit: String = "",
        file: String = #fileID, line: Int = #line
    ) -> ScenarioError {
        let unitText = unit.isEmpty ? "" : " " + unit
        let message = "\(field) = \(value) is outside the allowed range \(range.lowerBound)…\(range.upperBound)\(unitText)"
        return ScenarioError(.outOfRange, field: field, message: message, file: file, line: line)
    }

    static func inconsistent(_ field: String, _ reason: String, file: String = #fileID, line: Int = #line) -> ScenarioError {
        ScenarioError(.inconsistent, field: field, message: "\(field): \(reason)", file: file, line: line)
    }
}
