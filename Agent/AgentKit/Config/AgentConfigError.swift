/// A configuration value the agent refuses, naming the field (`chargers[3].transport.tcp.port`) and the allowed range.
public struct AgentConfigError: Error, Sendable, CustomStringConvertible {
    private enum Code: Sendable { case outOfRange, duplicate, invalid }

    private let code: Code
    /// The JSON path of the offending value.
    public let field: String
    public let message: String
    public let file: String
    public let line: Int

    private init(_ code: Code, field: String, message: String, file: String, line: Int) {
        self.code = code
        self.field = field
        self.message = message
        self.file = file
        self.line = line
    }

    /// A number outside its allowed range.
    static func outOfRange(_ field: String, _ value: Double, allowed: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(.outOfRange, field: field, message: "\(format(value)) is outside the allowed range \(allowed)", file: file, line: line)
    }

    /// A value that must be unique appears again.
    static func duplicate(_ field: String, _ what: String, first: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(.duplicate, field: field, message: "\(what) appears twice (first at \(first))", file: file, line: line)
    }

    /// Any other refused value.
    static func invalid(_ field: String, _ message: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(.invalid, field: field, message: message, file: file, line: line)
    }

    /// A short, fixed name, safe as a metric label.
    public var label: String {
        switch code {
        case .outOfRange: "config_out_of_range"
        case .duplicate: "config_duplicate"
        case .invalid: "config_invalid"
        }
    }

    public var description: String { "\(field): \(message)" }

    private static func format(_ value: Double) -> String {
        value.rounded() == value && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}
