/// The Modbus side of the simulator failed: a server could not start, an image could not be laid out,
/// or an output file could not be written.
///
/// `description` is a short label safe as a metric label; `message` names the device or file and the cause.
public struct SimFieldError: Error, CustomStringConvertible, Sendable, Hashable {
    private enum Code: String, Sendable, Hashable {
        case serverFailed = "sim_server_failed"
        case imageFailed = "sim_image_failed"
        case portOutOfRange = "sim_port_out_of_range"
        case fileFailed = "sim_file_failed"
        case fileUnreadable = "sim_file_unreadable"
    }

    private let code: Code
    public let message: String
    /// Where the error was raised (for logs, not for comparison).
    public let file: String
    public let line: Int

    private init(_ code: Code, message: String, file: String, line: Int) {
        self.code = code
        self.message = message
        self.file = file
        self.line = line
    }

    public var description: String { code.rawValue }

    public static func == (l: SimFieldError, r: SimFieldError) -> Bool { l.code == r.code && l.message == r.message }
    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
        hasher.combine(message)
    }

    static func serverFailed(_ device: String, port: Int, _ cause: any Error, file: String = #fileID, line: Int = #line) -> SimFieldError {
        SimFieldError(.serverFailed, message: "\(device): cannot serve on 127.0.0.1:\(port): \(cause)", file: file, line: line)
    }

    static func imageFailed(_ device: String, _ cause: any Error, file: String = #fileID, line: Int = #line) -> SimFieldError {
        SimFieldError(.imageFailed, message: "\(device): SunSpec image: \(cause)", file: file, line: line)
    }

    static func portOutOfRange(base: Int, devices: Int, file: String = #fileID, line: Int = #line) -> SimFieldError {
        let message = "base port \(base) with \(devices) devices does not fit in 1024…65535 (0 picks ephemeral ports)"
        return SimFieldError(.portOutOfRange, message: message, file: file, line: line)
    }

    static func transformerFailed(_ transformer: String, _ cause: SimFieldError, file: String = #fileID, line: Int = #line) -> SimFieldError {
        SimFieldError(cause.code, message: "transformer \(transformer): \(cause.message)", file: file, line: line)
    }

    static func unreadable(_ path: String, _ reason: String, file: String = #fileID, line: Int = #line) -> SimFieldError {
        SimFieldError(.fileUnreadable, message: "\(path): \(reason)", file: file, line: line)
    }

    static func fileFailed(_ path: String, _ cause: any Error, file: String = #fileID, line: Int = #line) -> SimFieldError {
        SimFieldError(.fileFailed, message: "cannot write \(path): \(cause)", file: file, line: line)
    }
}
