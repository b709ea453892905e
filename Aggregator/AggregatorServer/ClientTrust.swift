public import Logging
public import NIOSSL
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the server checks on each client chain beyond BoringSSL: the CRL and the agent id SAN.
///
/// BoringSSL still verifies the chain to the CA, validity dates and the clientAuth purpose (the per-certificate
/// callback only sees its verdict); this adds revocation, which swift-nio-ssl cannot configure, and the identity rule.
public final class ClientTrust: Sendable {
    /// Why a handshake was refused; the raw value is the metric label.
    public enum Refusal: String, Sendable, CaseIterable {
        case chain = "tls.chain"
        case revoked = "tls.revoked"
        case crlExpired = "tls.crl_expired"
        case noAgentID = "tls.no_agent_id"
    }

    private let roots: [NIOSSLCertificate]
    private let crlPath: String
    private let revocations: Mutex<RevocationList>
    private let logger: Logger
    private let onRefusal: @Sendable (Refusal) -> Void

    /// Loads the CRL from `crlPath` once; `reload()` reads it again (SIGHUP).
    public init(
        roots: [NIOSSLCertificate], crlPath: String, logger: Logger, onRefusal: @escaping @Sendable (Refusal) -> Void = { _ in }
    ) throws {
        self.roots = roots
        self.crlPath = crlPath
        self.revocations = Mutex(try RevocationList(contentsOf: crlPath))
        self.logger = logger
        self.onRefusal = onRefusal
    }

    /// Re-reads the CRL; on failure the previous list stays in force and the error is thrown.
    public func reload() throws {
        let fresh = try RevocationList(contentsOf: crlPath)
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
        guard AgentIdentity.agentID(of: certificate) != nil else { return refuse(.noAgentID, certificate) }
        return .certificateVerified
    }

    private func refuse(_ reason: Refusal, _ certificate: NIOSSLCertificate) -> NIOSSLVerificationResult {
        let serial = certificate.serialNumber.map { ($0 < 16 ? "0" : "") + String($0, radix: 16, uppercase: true) }.joined()
        logger.info("client certificate refused", metadata: ["tls.reason": "\(reason.rawValue)", "tls.serial": "\(serial)"])
        onRefusal(reason)
        return .failed
    }
}
