internal import COpenSSL

/// An Ed25519 signing key (RFC 8032). Its `description` never shows key material.
// @unchecked Sendable: immutable after init; see EVPKey.
public final class Ed25519PrivateKey: @unchecked Sendable, CustomStringConvertible {
    private let key: EVPKey
    /// The matching verification key.
    public let publicKey: Ed25519PublicKey

    private init(key: EVPKey) throws {
        self.key = key
        self.publicKey = try Ed25519PublicKey(rawRepresentation: key.rawPublicKey())
    }

    /// A new random key.
    public static func generate() throws -> Ed25519PrivateKey {
        try Ed25519PrivateKey(key: EVPKey.generateEd25519())
    }

    /// Loads a key from its 32-byte seed (the RFC 8032 "secret key").
    public convenience init(rawRepresentation: [UInt8]) throws {
        try self.init(key: EVPKey.ed25519(raw: rawRepresentation, isPrivate: true))
    }

    /// Loads a key from an unencrypted PKCS#8 PEM ("BEGIN PRIVATE KEY", RFC 8410 §7).
    public convenience init(pem: String) throws {
        try self.init(key: EVPKey.ed25519(pem: pem, isPrivate: true))
    }

    /// The key as an unencrypted PKCS#8 PEM; treat the result as secret.
    public func pemRepresentation() throws -> String {
        try key.pem(isPrivate: true)
    }

    /// The 64-byte Ed25519 signature of `message` (pure Ed25519, no pre-hash).
    public func signature(for message: [UInt8]) throws -> [UInt8] {
        let ctx = try openSSLCall("EVP_MD_CTX_new") { EVP_MD_CTX_new() }
        defer { EVP_MD_CTX_free(ctx) }
        var signature = [UInt8](repeating: 0, count: 64)
        var length = signature.count
        try key.withUnsafeKeyPointer { key in
            try openSSLCall("EVP_DigestSignInit") { EVP_DigestSignInit(ctx, nil, nil, nil, key) }
            try withMessagePointer(message) { tbs, count in
                try openSSLCall("EVP_DigestSign") { EVP_DigestSign(ctx, &signature, &length, tbs, count) }
            }
        }
        guard length == 64 else { throw CryptoError.invalidKeyLength("Ed25519 signature", got: length, expected: 64) }
        return signature
    }

    /// Writes the PKCS#8 PEM to `path` with mode 0600, atomically (temp file in the same folder, then rename).
    public func write(toPEMFile path: String) throws {
        var pem = Array(try pemRepresentation().utf8)
        defer { pem.withUnsafeMutableBytes { OPENSSL_cleanse($0.baseAddress, $0.count) } }
        try KeyFile.writeSecret(pem, to: path)
    }

    public var description: String { "Ed25519PrivateKey(keyID: \(publicKey.keyID))" }
}
