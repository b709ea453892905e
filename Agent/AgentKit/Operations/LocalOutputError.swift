#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A status file, metrics textfile or systemd notification that could not be written. Never fatal:
/// the control loop logs it, counts it and goes on regulating.
public struct LocalOutputError: Error, Sendable, CustomStringConvertible {
    private enum Code: Sendable { case full, permission, missing, io, encoding }

    private let code: Code
    /// The file or socket involved.
    public let path: String
    /// What was being done and the system's words for the failure.
    public let message: String
    public let file: String
    public let line: Int

    private init(_ code: Code, path: String, message: String, file: String, line: Int) {
        self.code = code
        self.path = path
        self.message = message
        self.file = file
        self.line = line
    }

    /// Classifies `errno` from a failed call (`what` names the call, "write", "rename"…).
    static func posix(_ what: String, path: String, errno number: Int32, file: String = #fileID, line: Int = #line) -> Self {
        let code: Code =
            switch number {
            case ENOSPC, EDQUOT: .full
            case EACCES, EPERM, EROFS: .permission
            case ENOENT, ENOTDIR, ECONNREFUSED: .missing
            default: .io
            }
        return Self(code, path: path, message: "cannot \(what): \(String(cString: strerror(number)))", file: file, line: line)
    }

    /// A value that could not be turned into bytes.
    static func encoding(_ message: String, path: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(.encoding, path: path, message: message, file: file, line: line)
    }

    /// No space left on the device (or quota).
    public var isFull: Bool { code == .full }
    /// Permission denied or a read-only file system.
    public var isPermission: Bool { code == .permission }

    /// A short, fixed name, safe as a metric label.
    public var label: String {
        switch code {
        case .full: "output_full"
        case .permission: "output_permission"
        case .missing: "output_missing"
        case .io: "output_io"
        case .encoding: "output_encoding"
        }
    }

    public var description: String { "\(label): \(path): \(message)" }
}

/// The one checked helper for POSIX calls in Operations/: retries EINTR, turns -1 into `LocalOutputError`.
enum POSIXCall {
    @discardableResult
    static func check<T: BinaryInteger>(_ what: String, path: String, _ body: () -> T) throws(LocalOutputError) -> T {
        while true {
            let result = body()
            if result >= 0 { return result }
            let number = errno
            if number == EINTR { continue }
            throw .posix(what, path: path, errno: number)
        }
    }
}
