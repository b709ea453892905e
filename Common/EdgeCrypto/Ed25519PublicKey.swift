internal import COpenSSL

/// An Ed25519 verification key (RFC 8032); identifies itself by `keyID` as TUF does.
// @unchecked Sendable: immutable after init; see EVPKey.
public final class Ed25519PublicKey: @unchecked Sendable, Hashable, CustomStringConvertible {
    private let key: EVPKey
    /// The 32-byte encoded public key (RFC 8032 §5.1.5).
    public let rawRepresentation: [UInt8]

    init(key: EVPKey) throws {
        self.key = key
        self.rawRepresentation = try key.rawPublicKey()
    }

    /// Loads a public key from its 32 raw bytes.
    public convenience init(rawRepresentation: [UInt8]) throws {
        try self.init(key: EVPKey.ed25519(raw: rawRepresentation, isPrivate: false))
    }

    /// Loads a public key from a SubjectPublicKeyInfo PEM ("BEGIN PUBLIC KEY", RFC 8410 §4).
    public convenience init(pem: String) throws {
        try self.init(key: EVPKey.ed25519(pem: pem, isPrivate: false))
    }

    /// The key as a SubjectPublicKeyInfo PEM.
    public func pemRepresentation() throws -> String {
        // Fails only when OpenSSL cannot allocate; that is an error to report, not a reason to stop the agent.
        try key.pem(isPrivate: false)
    }

    /// Lowercase hex SHA-256 of the raw public key (the TUF key id convention).
    public var keyID: String { Hex.encode(SHA256.hash(rawRepresentation)) }

    /// True only if `signature` is a valid 64-byte Ed25519 signature of `message` by this key; never throws.
    public func isValidSignature(_ signature: [UInt8], for message: [UInt8]) -> Bool {
        guard signature.count == 64 else { return false }
        guard let ctx = EVP_MD_CTX_new() else {
            ERR_clear_error()
            return false
        }
        defer { EVP_MD_CTX_free(ctx) }
        let valid = key.withUnsafeKeyPointer { key in
            guard EVP_DigestVerifyInit(ctx, nil, nil, nil, key) == 1 else { return false }
            return signature.withUnsafeBufferPointer { sig in
                withMessagePointer(message) { tbs, count in
                    EVP_DigestVerify(ctx, sig.baseAddress, 64, tbs, count) == 1
                }
            }
        }
        // A bad signature leaves an entry on the queue; clear it so it is not blamed on a later call.
        if !valid { ERR_clear_error() }
        return valid
    }

    public var description: String { "Ed25519PublicKey(keyID: \(keyID))" }

    public static func == (l: Ed25519PublicKey, r: Ed25519PublicKey) -> Bool { l.rawRepresentation == r.rawRepresentation }

    public func hash(into hasher: inout Hasher) { hasher.combine(rawRepresentation) }
}

/// Passes a non-nil pointer even for an empty message (RFC 8032 TEST 1 signs zero bytes).
@discardableResult
func withMessagePointer<R>(_ message: [UInt8], _ body: (UnsafePointer<UInt8>, Int) throws -> R) rethrows -> R {
    if message.isEmpty {
        var zero: UInt8 = 0
        return try body(&zero, 0)
    }
    return try message.withUnsafeBufferPointer { try body($0.baseAddress!, $0.count) }
}
