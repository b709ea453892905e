/// The uplink could not be set up (libcurl init or an option refused); a transfer's failure is an `UplinkResult`.
public struct UplinkError: Error, CustomStringConvertible, Sendable {
    private enum Code: String, Sendable { case setup = "curl_setup" }

    private let code: Code
    public let message: String
    public let file: String
    public let line: Int

    private init(_ code: Code, _ message: String, file: String, line: Int) {
        self.code = code
        self.message = message
        self.file = file
        self.line = line
    }

    /// libcurl refused to initialise or to take an option (the message names the option).
    public static func setup(_ message: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(.setup, message, file: file, line: line)
    }

    /// A short, fixed label, safe as a metric label.
    public var label: String { code.rawValue }
    public var description: String { "\(label): \(message)" }
}
