/// Why the aggregator refused its configuration, its TLS material or its CRL.
///
/// `description` is a short fixed label (safe as a metric label); `message` names the file, the key or the field.
public struct AggregatorError: Error, CustomStringConvertible, Sendable {
    private enum Code: String, Sendable {
        case config = "config.invalid"
        case tls = "tls.invalid"
        case crl = "crl.invalid"
        case crlExpired = "crl.expired"
    }

    private let code: Code
    /// What is wrong and where.
    public let message: String
    /// Source location that raised the error (for logs, not for matching).
    public let sourceFile: String
    public let sourceLine: Int

    private init(_ code: Code, _ message: String, file: String, line: Int) {
        self.code = code
        self.message = message
        self.sourceFile = file
        self.sourceLine = line
    }

    /// Short, fixed, low-cardinality label.
    public var description: String { code.rawValue }

    static func config(_ message: String, file: String = #fileID, line: Int = #line) -> Self {
        .init(.config, message, file: file, line: line)
    }
    static func tls(_ message: String, file: String = #fileID, line: Int = #line) -> Self {
        .init(.tls, message, file: file, line: line)
    }
    static func crl(_ message: String, file: String = #fileID, line: Int = #line) -> Self {
        .init(.crl, message, file: file, line: line)
    }
    static func crlExpired(_ message: String, file: String = #fileID, line: Int = #line) -> Self {
        .init(.crlExpired, message, file: file, line: line)
    }
}
