internal import COpenSSL

/// A public key of any type OpenSSL knows (EC, RSA, Ed25519), loaded from a DER SubjectPublicKeyInfo (RFC 5280
/// §4.1.2.7), for checking signatures that X.509 objects carry, such as a CA's signature on its CRL.
// @unchecked Sendable: immutable after init; see EVPKey.
public final class CertificateKey: @unchecked Sendable {
    /// The hash a signature algorithm names (ecdsa-with-SHA256, sha384WithRSAEncryption, …).
    public enum Digest: String, Sendable, CaseIterable {
        case sha256 = "SHA-256"
        case sha384 = "SHA-384"
    }

    private let key: EVPKey

    /// Parses `der`, a whole SubjectPublicKeyInfo; trailing bytes are refused.
    public init(subjectPublicKeyInfoDER der: [UInt8]) throws {
        var consumed = 0
        let parsed: OpaquePointer = try der.withUnsafeBufferPointer { buffer in
            try openSSLCall("d2i_PUBKEY") { () -> OpaquePointer? in
                guard let base = buffer.baseAddress else { return nil }
                var cursor: UnsafePointer<UInt8>? = base
                let key = d2i_PUBKEY(nil, &cursor, buffer.count)
                consumed = cursor.map { $0 - base } ?? 0
                return key
            }
        }
        key = EVPKey(taking: parsed)
        guard consumed == der.count else { throw CryptoError.invalidPEM("SubjectPublicKeyInfo with \(der.count - consumed) bytes after it") }
    }

    /// True only if `signature` (DER ECDSA-Sig-Value for EC keys, PKCS#1 v1.5 for RSA) is valid over `message`
    /// hashed with `digest`; never throws.
    public func isValidSignature(_ signature: [UInt8], for message: [UInt8], digest: Digest) -> Bool {
        guard !signature.isEmpty, let ctx = EVP_MD_CTX_new() else {
            ERR_clear_error()
            return false
        }
        defer { EVP_MD_CTX_free(ctx) }
        let md = digest == .sha256 ? EVP_sha256() : EVP_sha384()
        let valid = key.withUnsafeKeyPointer { key in
            guard EVP_DigestVerifyInit(ctx, nil, md, nil, key) == 1 else { return false }
            return signature.withUnsafeBufferPointer { sig in
                withMessagePointer(message) { tbs, count in
                    EVP_DigestVerify(ctx, sig.baseAddress, sig.count, tbs, count) == 1
                }
            }
        }
        if !valid { ERR_clear_error() }
        return valid
    }
}
