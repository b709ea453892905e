internal import COpenSSL

/// Owns one `EVP_PKEY` and frees it in `deinit` (swift-crypto's EllipticCurvePoint pattern).
// @unchecked Sendable: the key is never mutated after init, and OpenSSL 3 allows concurrent
// read-only use of a fully initialised EVP_PKEY (openssl-threads(7)); every operation makes its own ctx.
final class EVPKey: @unchecked Sendable {
    private let key: OpaquePointer

    /// Takes ownership of `key`.
    init(taking key: OpaquePointer) {
        self.key = key
    }

    deinit {
        EVP_PKEY_free(key)
    }

    @discardableResult
    func withUnsafeKeyPointer<R>(_ body: (OpaquePointer) throws -> R) rethrows -> R {
        try withExtendedLifetime(self) { try body(key) }
    }

    var isEd25519: Bool {
        withUnsafeKeyPointer { EVP_PKEY_is_a($0, "ED25519") == 1 }
    }

    /// The 32 raw public-key bytes (RFC 8032 §5.1.5 encoding).
    func rawPublicKey() throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        var length = out.count
        try withUnsafeKeyPointer { key in
            try openSSLCall("EVP_PKEY_get_raw_public_key") { EVP_PKEY_get_raw_public_key(key, &out, &length) }
        }
        guard length == 32 else { throw CryptoError.invalidKeyLength("Ed25519 public key", got: length, expected: 32) }
        return out
    }

    /// Loads an Ed25519 key from raw bytes; `isPrivate` picks the 32-byte seed or the 32-byte public key.
    static func ed25519(raw: [UInt8], isPrivate: Bool) throws -> EVPKey {
        let what = isPrivate ? "Ed25519 private key seed" : "Ed25519 public key"
        guard raw.count == 32 else { throw CryptoError.invalidKeyLength(what, got: raw.count, expected: 32) }
        let key: OpaquePointer = try raw.withUnsafeBufferPointer { bytes in
            if isPrivate {
                return try openSSLCall("EVP_PKEY_new_raw_private_key") {
                    EVP_PKEY_new_raw_private_key(v2g_EVP_PKEY_ED25519(), nil, bytes.baseAddress, 32)
                }
            }
            return try openSSLCall("EVP_PKEY_new_raw_public_key") {
                EVP_PKEY_new_raw_public_key(v2g_EVP_PKEY_ED25519(), nil, bytes.baseAddress, 32)
            }
        }
        return EVPKey(taking: key)
    }

    /// Generates a fresh Ed25519 key from OpenSSL's default DRBG.
    static func generateEd25519() throws -> EVPKey {
        let ctx = try openSSLCall("EVP_PKEY_CTX_new_id") { EVP_PKEY_CTX_new_id(v2g_EVP_PKEY_ED25519(), nil) }
        defer { EVP_PKEY_CTX_free(ctx) }
        try openSSLCall("EVP_PKEY_keygen_init") { EVP_PKEY_keygen_init(ctx) }
        var key: OpaquePointer?
        try openSSLCall("EVP_PKEY_keygen") { EVP_PKEY_keygen(ctx, &key) }
        return EVPKey(taking: try openSSLCall("EVP_PKEY_keygen") { key })
    }

    /// Parses a PEM: PKCS#8 "PRIVATE KEY" when `isPrivate`, else SubjectPublicKeyInfo "PUBLIC KEY".
    static func ed25519(pem: String, isPrivate: Bool) throws -> EVPKey {
        let what = isPrivate ? "private key PEM" : "public key PEM"
        ERR_clear_error()  // the error queue is per thread and shared with libcurl/libssl: report only this parse
        let parsed: OpaquePointer? = try pem.withCString { text in
            let bio = try MemoryBIO(readOnly: text, count: pem.utf8.count)
            return bio.withUnsafeBIOPointer { bio in
                isPrivate ? PEM_read_bio_PrivateKey(bio, nil, nil, nil) : PEM_read_bio_PUBKEY(bio, nil, nil, nil)
            }
        }
        guard let parsed else { throw CryptoError.invalidPEM(what) }
        let key = EVPKey(taking: parsed)
        guard key.isEd25519 else { throw CryptoError.wrongKeyType(what) }
        return key
    }

    /// Writes the key as PEM; private keys as unencrypted PKCS#8 (RFC 8410 §7).
    func pem(isPrivate: Bool) throws -> String {
        let bio = try MemoryBIO()
        try withUnsafeKeyPointer { key in
            try bio.withUnsafeBIOPointer { bio in
                if isPrivate {
                    try openSSLCall("PEM_write_bio_PrivateKey") { PEM_write_bio_PrivateKey(bio, key, nil, nil, 0, nil, nil) }
                } else {
                    try openSSLCall("PEM_write_bio_PUBKEY") { PEM_write_bio_PUBKEY(bio, key) }
                }
            }
        }
        return bio.takeString(wipe: isPrivate)
    }
}

/// Owns one memory `BIO`.
final class MemoryBIO {
    private let bio: OpaquePointer

    /// An empty, writable memory BIO.
    init() throws {
        bio = try openSSLCall("BIO_new") { BIO_new(BIO_s_mem()) }
    }

    /// A read-only BIO over `count` bytes at `bytes`; the caller keeps them alive while the BIO is used.
    init(readOnly bytes: UnsafePointer<CChar>, count: Int) throws {
        bio = try openSSLCall("BIO_new_mem_buf") { BIO_new_mem_buf(bytes, Int32(clamping: count)) }
    }

    deinit {
        BIO_free(bio)
    }

    func withUnsafeBIOPointer<R>(_ body: (OpaquePointer) throws -> R) rethrows -> R {
        try withExtendedLifetime(self) { try body(bio) }
    }

    /// Copies the written bytes out as text; `wipe` zeroes the BIO's copy first (private key PEMs).
    func takeString(wipe: Bool) -> String {
        withUnsafeBIOPointer { bio in
            var data: UnsafeMutablePointer<CChar>?
            let length = v2g_BIO_get_mem_data(bio, &data)
            guard let data, length > 0 else { return "" }
            let text = String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self)
            if wipe { OPENSSL_cleanse(data, length) }
            return text
        }
    }
}
