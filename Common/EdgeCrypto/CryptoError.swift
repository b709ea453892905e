internal import COpenSSL

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failure in key handling, signing or key-file I/O. `label` is short and safe as a metric label;
/// `description` adds the human detail (the OpenSSL error queue text or the errno message).
public struct CryptoError: Error, CustomStringConvertible, Sendable {
    private enum Code: String, Sendable {
        case openSSL = "crypto.openssl"
        case invalidKeyLength = "crypto.invalid_key_length"
        case wrongKeyType = "crypto.wrong_key_type"
        case invalidPEM = "crypto.invalid_pem"
        case fileSystem = "crypto.file_system"
        case insecureFileMode = "crypto.insecure_file_mode"
    }

    private let code: Code
    /// Human detail: what failed and why.
    public let message: String
    /// Source location that raised the error.
    public let file: String
    /// Source line that raised the error.
    public let line: Int

    private init(_ code: Code, _ message: String, file: String, line: Int) {
        self.code = code
        self.message = message
        self.file = file
        self.line = line
    }

    /// Short, fixed text for metrics and logs.
    public var label: String { code.rawValue }

    public var description: String { "\(code.rawValue): \(message)" }

    /// An OpenSSL call failed; drains the thread's error queue into the message.
    static func openSSL(_ call: String, file: String = #fileID, line: Int = #line) -> CryptoError {
        CryptoError(.openSSL, "\(call) failed: \(drainErrorQueue())", file: file, line: line)
    }

    /// Raw key bytes of the wrong size.
    static func invalidKeyLength(_ what: String, got: Int, expected: Int, file: String = #fileID, line: Int = #line) -> CryptoError {
        CryptoError(.invalidKeyLength, "\(what) must be \(expected) bytes, got \(got)", file: file, line: line)
    }

    /// A PEM that parsed but holds a key other than Ed25519.
    static func wrongKeyType(_ what: String, file: String = #fileID, line: Int = #line) -> CryptoError {
        CryptoError(.wrongKeyType, "\(what) is not an Ed25519 key", file: file, line: line)
    }

    /// A PEM that OpenSSL could not parse.
    static func invalidPEM(_ what: String, file: String = #fileID, line: Int = #line) -> CryptoError {
        CryptoError(.invalidPEM, "\(what) is not a valid PEM: \(drainErrorQueue())", file: file, line: line)
    }

    /// A POSIX call on a key file failed with `errno`.
    static func fileSystem(_ call: String, path: String, errno code: Int32, file: String = #fileID, line: Int = #line) -> CryptoError {
        CryptoError(.fileSystem, "\(call)(\(path)) failed: \(String(cString: strerror(code))) (errno \(code))", file: file, line: line)
    }

    /// A key file that ended up with other permission bits than 0600.
    static func insecureFileMode(path: String, mode: UInt32, file: String = #fileID, line: Int = #line) -> CryptoError {
        CryptoError(.insecureFileMode, "\(path) has mode 0\(String(mode, radix: 8)), expected 0600", file: file, line: line)
    }

    /// A private key file that group or others may read or write: refused, since the key may already be copied.
    static func exposedKeyFile(path: String, mode: UInt32, file: String = #fileID, line: Int = #line) -> CryptoError {
        CryptoError(
            .insecureFileMode,
            "\(path) has mode 0\(String(mode, radix: 8)): a private key must not be readable by group or others (chmod 600 it, and replace the key if others could read it)",
            file: file, line: line)
    }

    /// A key file that is not a regular file, or too large to be a key.
    static func notAKeyFile(path: String, _ why: String, file: String = #fileID, line: Int = #line) -> CryptoError {
        CryptoError(.invalidPEM, "\(path): \(why)", file: file, line: line)
    }

    /// Reads and clears the OpenSSL error queue of this thread, oldest first.
    static func drainErrorQueue() -> String {
        var parts: [String] = []
        var buffer = [CChar](repeating: 0, count: 256)
        while case let code = ERR_get_error(), code != 0 {
            ERR_error_string_n(code, &buffer, buffer.count)
            let text = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
            parts.append(String(decoding: text, as: UTF8.self))
        }
        return parts.isEmpty ? "no OpenSSL error queued" : parts.joined(separator: "; ")
    }
}

/// The checked call for OpenSSL's "1 is success" convention; anything else becomes `CryptoError.openSSL`.
@discardableResult
func openSSLCall(_ call: String, file: String = #fileID, line: Int = #line, _ body: () -> Int32) throws -> Int32 {
    // OpenSSL's error queue is per thread and shared with every library on it (libcurl, libssl): start clean,
    // so that an error names this call's failure, not something another library left behind.
    ERR_clear_error()
    let rc = body()
    guard rc == 1 else { throw CryptoError.openSSL(call, file: file, line: line) }
    return rc
}

/// The checked call for OpenSSL constructors: nil becomes `CryptoError.openSSL`.
func openSSLCall<T>(_ call: String, file: String = #fileID, line: Int = #line, _ body: () -> T?) throws -> T {
    ERR_clear_error()
    guard let value = body() else { throw CryptoError.openSSL(call, file: file, line: line) }
    return value
}

/// The checked call for POSIX: -1 becomes `CryptoError.fileSystem`, EINTR is retried.
@discardableResult
func posixCall<I: FixedWidthInteger>(_ call: String, path: String, file: String = #fileID, line: Int = #line, _ body: () -> I) throws -> I {
    while true {
        let rc = body()
        if rc != -1 { return rc }
        let code = errno
        if code == EINTR { continue }
        throw CryptoError.fileSystem(call, path: path, errno: code, file: file, line: line)
    }
}
