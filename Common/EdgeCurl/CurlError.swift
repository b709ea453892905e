import CCurl

/// A request that could not be made or did not complete. A response with any HTTP status is not an error:
/// it is a `CurlResponse`, and what a status means is the caller's business.
///
/// `label` is short and fixed (safe as a metric label); `description` adds libcurl's detail and the URL.
public struct CurlError: Error, Sendable, CustomStringConvertible {
    private enum Code: String, Sendable {
        case setup = "curl_setup"
        case timeout = "network_timeout"
        case connect = "network_connect"
        case peerVerification = "tls_peer_verification"
        case clientCertificate = "tls_client_certificate"
        case handshake = "tls_handshake"
        case keyExposed = "tls_key_exposed"
        case cancelled = "cancelled"
        case transfer = "network_error"
    }

    private let code: Code
    /// libcurl's words for the failure, with its error buffer's detail when there is one.
    public let message: String
    /// The URL of the request; nil when the handle itself could not be set up.
    public let url: String?
    public let file: String
    public let line: Int

    private init(_ code: Code, _ message: String, url: String?, file: String, line: Int) {
        self.code = code
        self.message = message
        self.url = url
        self.file = file
        self.line = line
    }

    /// libcurl refused to initialise, refused an option (the message names it), or a request was malformed.
    public static func setup(_ message: String, url: String? = nil, file: String = #fileID, line: Int = #line) -> Self {
        Self(.setup, message, url: url, file: file, line: line)
    }

    /// The client's private key file may be read by group or others: it is not used (a key others could read must be
    /// treated as disclosed, not quietly used). The message names the file and its mode.
    public static func keyExposed(_ message: String, url: String?, file: String = #fileID, line: Int = #line) -> Self {
        Self(.keyExposed, message, url: url, file: file, line: line)
    }

    /// The transfer was stopped by the caller (task cancellation, graceful shutdown).
    public static func cancelled(url: String?, file: String = #fileID, line: Int = #line) -> Self {
        Self(.cancelled, "the request was cancelled", url: url, file: file, line: line)
    }

    /// Classifies a failed `curl_easy_perform` by its result code (libcurl-errors(3)).
    static func transfer(_ result: CURLcode, _ message: String, url: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(classify(result), message, url: url, file: file, line: line)
    }

    private static func classify(_ result: CURLcode) -> Code {
        switch result {
        case CURLE_OPERATION_TIMEDOUT: .timeout
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY: .connect
        case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE: .peerVerification
        // 58: the local certificate or key cannot be used; 59: no cipher both sides accept.
        case CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER: .clientCertificate
        case CURLE_SSL_CONNECT_ERROR: .handshake
        case CURLE_ABORTED_BY_CALLBACK: .cancelled
        default: .transfer
        }
    }

    /// A short, fixed name, safe as a metric label (`network_timeout`, `tls_peer_verification`, …).
    public var label: String { code.rawValue }
    public var isTimeout: Bool { code == .timeout }
    public var isCancelled: Bool { code == .cancelled }
    /// The server's certificate was not signed by the pinned CA, or its name does not match.
    public var isPeerVerification: Bool { code == .peerVerification }
    /// Our certificate or key could not be used (missing, unreadable, not matching).
    public var isClientCertificate: Bool { code == .clientCertificate }
    /// The client's key file is readable by group or others, and was not used.
    public var isKeyExposed: Bool { code == .keyExposed }

    public var description: String {
        url.map { "\(label): \(message) (\($0))" } ?? "\(label): \(message)"
    }
}
