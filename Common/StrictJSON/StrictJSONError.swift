/// Why a JSON document was refused: where (line, and column for syntax), which field, and what is wrong.
/// `description` reads "line 4, column 9: signatures[0].keyid: expected a string, found a number".
public struct StrictJSONError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Code: String, Sendable, Hashable {
        case syntax = "json_syntax"
        case schema = "json_schema"
    }

    private let code: Code
    /// 1-based line in the text.
    public let line: Int
    /// 1-based column (in characters) for a syntax error; nil for a schema error, which names a field instead.
    public let column: Int?
    /// The field as a path ("roles.policy.threshold", "signatures[1]"); empty for the whole document.
    public let field: String
    /// What is wrong, for a human.
    public let reason: String

    private init(_ code: Code, line: Int, column: Int?, field: String, reason: String) {
        self.code = code
        self.line = line
        self.column = column
        self.field = field
        self.reason = reason
    }

    /// Short and low-cardinality: safe as a metric label.
    public var label: String { code.rawValue }

    /// True for text that is not strict JSON at all (as opposed to JSON of the wrong shape).
    public var isSyntax: Bool { code == .syntax }

    public var description: String {
        let place = column.map { "line \(line), column \($0)" } ?? "line \(line)"
        return field.isEmpty ? "\(place): \(reason)" : "\(place): \(field): \(reason)"
    }

    static func syntax(line: Int, column: Int, _ reason: String) -> StrictJSONError {
        StrictJSONError(.syntax, line: line, column: column, field: "", reason: reason)
    }

    /// A well-formed document whose content is wrong at `field` (on `line`).
    public static func schema(line: Int, field: String, _ reason: String) -> StrictJSONError {
        StrictJSONError(.schema, line: line, column: nil, field: field, reason: reason)
    }
}
