public import Logging
public import NIOSSL
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the server checks on each client chain beyond BoringSSL: the CRL and the identity SAN (agent or operator).
///
/// BoringSSL still verifies the chain to the CA, validity dates and the clientAuth purpose (the per-certificate
/// callback only sees its verdict); this adds revocation, which swift-nio-ssl cannot configure, and the identity rule.
public final class ClientTrust: Sendable {
    /// Why a handshake was refused; the raw value is the metric label.
    public enum Refusal: String, Sendable, CaseIterable {
        case chain = "tls.chain"
        case revoked = "tls.revoked"
        case crlExpired = "tls.crl_expired"
        case noIdentity = "tls.no_identity"
    }

    private let roots: [NIOSSLCertificate]
    /// The CAs that may sign the CRL: the same as `roots`.
    private let issuers: [CRLIssuer]
    private let crlPath: String
    private let revocations: Mutex<RevocationList>
    private let logger: Logger
    private let onRefusal: @Sendable (Refusal) -> Void

    /// Loads the CRL from `crlPath` once, trusting it only if one of `roots` signed it; `reload()` reads it again (SIGHUP).
    public init(
        roots: [NIOSSLCertificate], crlPath: String, logger: Logger, onRefusal: @escaping @Sendable (Refusal) -> Void = { _ in }
    ) throws {
        self.roots = roots
        do {
            issuers = try roots.map { try CRLIssuer(certificateDER: $0.toDERBytes()) }
        } catch let error as AggregatorError {
            throw error
        } catch {
            throw AggregatorError.tls("cannot read a CA certificate of tls.ca_file: \(error)")
        }
        self.crlPath = crlPath
        self.revocations = Mutex(try RevocationList(contentsOf: crlPath, issuers: issuers))
        self.logger = logger
        self.onRefusal = onRefusal
    }

    /// Re-reads the CRL; on failure (unreadable, forged, unsigned) the previous list stays in force and the error is thrown.
    public func reload() throws {
        let fresh = try RevocationList(contentsOf: crlPath, issuers: issuers)
        revocations.withLock { $0 = fresh }
        logger.info("CRL reloaded", metadata: ["crl.revoked": "\(fresh.revokedSerials.count)", "crl.path": "\(crlPath)"])
    }

    /// The list in force.
    public var revocationList: RevocationList { revocations.withLock { $0 } }

    /// Per-certificate verdict, called root first then leaf, with BoringSSL's own verdict (`preverified`).
    public func verify(preverified: NIOSSLVerificationResult, certificate: NIOSSLCertificate) -> NIOSSLVerificationResult {
        guard case .certificateVerified = preverified else { return refuse(.chain, certificate) }
        let list = revocationList
        if list.isExpired(nowEpochS: Int64(time(nil))) { return refuse(.crlExpired, certificate) }
        if roots.contains(certificate) { return .certificateVerified }
        // pathlen:0 on the CA: every other certificate in a verified chain is the leaf.
        if list.isRevoked(serial: certificate.serialNumber) { return refuse(.revoked, certificate) }
        guard PeerIdentity.of(certificate) != nil else { return refuse(.noIdentity, certificate) }
        return .certificateVerified
    }

    private func refuse(_ reason: Refusal, _ certificate: NIOSSLCertificate) -> NIOSSLVerificationResult {
        let serial = certificate.serialNumber.map { ($0 < 16 ? "0" : "") + String($0, radix: 16, uppercase: true) }.joined()
        logger.info("client certificate refused", metadata: ["tls.reason": "\(reason.rawValue)", "tls.serial": "\(serial)"])
        onRefusal(reason)
        return .failed
    }
}
