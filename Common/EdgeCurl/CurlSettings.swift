#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Mutual TLS, as the agents use it: the provisioning CA is the only trust anchor (the system's CA store is not
/// consulted), and the client proves who it is with its own certificate and key.
public struct MutualTLSFiles: Sendable, Hashable {
    /// The CA that signed the server's certificate: the only one trusted.
    public var caPath: String
    /// The client's certificate (PEM).
    public var certificatePath: String
    /// Its private key (PEM), mode 0600.
    public var keyPath: String

    public init(caPath: String, certificatePath: String, keyPath: String) {
        self.caPath = caPath
        self.certificatePath = certificatePath
        self.keyPath = keyPath
    }

    /// Why the key file must not be used, naming it and its mode: group or others may read or write it. nil when it is
    /// private, or cannot be examined (then the TLS library says what is wrong with it).
    public static func exposure(ofKeyFile path: String) -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        let mode = UInt32(info.st_mode) & 0o7777
        guard mode & 0o077 != 0 else { return nil }
        return "\(path) has mode 0\(String(mode, radix: 8)): a private key must not be readable by group or others "
            + "(chmod 600 it, and replace the key if others could read it)"
    }
}

/// How every request of one `CurlEasy` or `CurlClient` is made.
public struct CurlSettings: Sendable, Hashable {
    /// nil: plain HTTP, for tests on loopback only.
    public var tls: MutualTLSFiles?
    /// TCP and TLS connection.
    public var connectTimeoutS: Double = 10
    /// The whole request, connection included.
    public var totalTimeoutS: Double = 30
    /// Response body bytes kept; the rest is read and dropped (`CurlResponse.bodyTruncated`), so the connection stays usable.
    public var maxResponseBytes: Int = 64 << 10

    public init(tls: MutualTLSFiles?, connectTimeoutS: Double = 10, totalTimeoutS: Double = 30, maxResponseBytes: Int = 64 << 10) {
        self.tls = tls
        self.connectTimeoutS = connectTimeoutS
        self.totalTimeoutS = totalTimeoutS
        self.maxResponseBytes = maxResponseBytes
    }
}

/// A complete HTTP response (any status).
public struct CurlResponse: Sendable, Hashable {
    public var status: Int
    /// At most `CurlSettings.maxResponseBytes`.
    public var body: [UInt8]
    /// More arrived than `maxResponseBytes`: `body` is only the beginning.
    public var bodyTruncated: Bool
    /// The response's header fields in order, names as the server spelled them.
    public var headers: [(name: String, value: String)]

    public init(status: Int, body: [UInt8], bodyTruncated: Bool = false, headers: [(name: String, value: String)] = []) {
        self.status = status
        self.body = body
        self.bodyTruncated = bodyTruncated
        self.headers = headers
    }

    /// The last value of the field `name` (compared without case), or nil.
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.last { $0.name.lowercased() == wanted }?.value
    }

    /// The entity tag to send back in `If-None-Match` next time.
    public var etag: String? { header("ETag") }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.status == rhs.status && lhs.body == rhs.body && lhs.bodyTruncated == rhs.bodyTruncated
            && lhs.headers.elementsEqual(rhs.headers) { $0.name == $1.name && $0.value == $1.value }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(status)
        hasher.combine(body)
        for (name, value) in headers { hasher.combine(name); hasher.combine(value) }
    }
}

/// What a conditional GET found.
public enum ConditionalGetResult: Sendable, Hashable {
    /// 304 Not Modified: the copy whose entity tag was sent is still current; nothing was transferred.
    case notModified(CurlResponse)
    /// Any other status, with its body and (when the server gave one) a new entity tag.
    case response(CurlResponse)
}
