/// A bad input to `v2g-adm dispatch plan`: one line naming the file, the line and field, and the reason.
///
/// `description` is a short label safe as a metric label; `message` is the line for the operator.
public struct DispatchInputError: Error, CustomStringConvertible, Sendable {
    private enum Code: String, Sendable {
        case unreadable = "dispatch_input_unreadable"
        case invalid = "dispatch_input_invalid"
    }

    private let code: Code
    /// "neighborhood.json: line 12: transformers[0].rated_kva: rated_kva = -5 is outside the allowed range …".
    public let message: String
    public let sourceFile: String
    public let sourceLine: Int

    private init(_ code: Code, _ message: String, file: String, line: Int) {
        self.code = code
        self.message = message
        self.sourceFile = file
        self.sourceLine = line
    }

    public var description: String { code.rawValue }

    static func unreadable(_ path: String, _ reason: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(.unreadable, "\(path): cannot read the file (\(reason))", file: file, line: line)
    }

    static func invalid(_ path: String, _ reason: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(.invalid, "\(path): \(reason)", file: file, line: line)
    }
}
