import EdgeCrypto
import FoundationEssentials

/// The revoked serials and the validity window of the deployment CA's CRL(s) (RFC 5280 §5.1).
///
/// Each CRL is trusted only once its signature verifies with the key of the CA that issued it (one of
/// `tls.ca_file`), so the file may travel over any channel: an altered or forged list is refused, never used.
public struct RevocationList: Sendable, Hashable {
    /// Serials as unsigned big-endian bytes without leading zeros.
    public let revokedSerials: Set<[UInt8]>
    /// The earliest `nextUpdate` of the lists (seconds since the epoch); nil when none carries one.
    public let nextUpdateEpochS: Int64?

    public init(revokedSerials: Set<[UInt8]>, nextUpdateEpochS: Int64?) {
        self.revokedSerials = Set(revokedSerials.map(Self.normalized))
        self.nextUpdateEpochS = nextUpdateEpochS
    }

    /// Parses one or more PEM `X509 CRL` blocks (two during a CA rotation); each must be signed by one of `issuers`.
    public init(pem: String, issuers: [CRLIssuer]) throws {
        var serials = Set<[UInt8]>()
        var nextUpdate: Int64?
        var found = 0
        let begin = "-----BEGIN X509 CRL-----", end = "-----END X509 CRL-----"
        var base64: String?
        for rawLine in pem.split(whereSeparator: \.isNewline) {
            let line = String(rawLine.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
            if line == begin {
                guard base64 == nil else { throw AggregatorError.crl("\(begin) inside a block") }
                base64 = ""
            } else if line == end {
                guard let text = base64 else { throw AggregatorError.crl("\(end) without \(begin)") }
                guard let der = Data(base64Encoded: text) else { throw AggregatorError.crl("PEM block is not base64") }
                let list: RevocationList
                do { list = try Self.parse(der: [UInt8](der), issuers: issuers) } catch let error as AggregatorError {
                    throw AggregatorError.crl("CRL block \(found + 1): \(error.message)")
                }
                serials.formUnion(list.revokedSerials)
                if let update = list.nextUpdateEpochS { nextUpdate = min(nextUpdate ?? update, update) }
                found += 1
                base64 = nil
            } else if base64 != nil {
                base64! += line
            }
        }
        guard base64 == nil else { throw AggregatorError.crl("PEM block without \(end)") }
        guard found > 0 else { throw AggregatorError.crl("no \(begin) block") }
        self.init(revokedSerials: serials, nextUpdateEpochS: nextUpdate)
    }

    /// Reads `path` (PEM), checking each CRL against the CA certificates of `caFile` (PEM).
    public init(contentsOf path: String, caFile: String) throws {
        try self.init(contentsOf: path, issuers: Self.issuers(caFile: caFile))
    }

    /// The CAs of a PEM file of certificates.
    public static func issuers(caFile: String) throws -> [CRLIssuer] {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: caFile)) } catch {
            throw AggregatorError.crl("cannot read the CA file \(caFile): \(error)")
        }
        let blocks = try pemBlocks(String(decoding: data, as: UTF8.self), label: "CERTIFICATE")
        guard !blocks.isEmpty else { throw AggregatorError.crl("\(caFile) holds no CERTIFICATE block") }
        return try blocks.map { try CRLIssuer(certificateDER: $0) }
    }

    /// The DER of each `-----BEGIN <label>-----` block.
    static func pemBlocks(_ pem: String, label: String) throws -> [[UInt8]] {
        let begin = "-----BEGIN \(label)-----", end = "-----END \(label)-----"
        var blocks: [[UInt8]] = []
        var base64: String?
        for rawLine in pem.split(whereSeparator: \.isNewline) {
            let line = String(rawLine.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
            if line == begin {
                base64 = ""
            } else if line == end, let text = base64 {
                guard let der = Data(base64Encoded: text) else { throw AggregatorError.crl("a \(label) PEM block is not base64") }
                blocks.append([UInt8](der))
                base64 = nil
            } else if base64 != nil {
                base64! += line
            }
        }
        return blocks
    }

    /// Reads `path` (PEM).
    public init(contentsOf path: String, issuers: [CRLIssuer]) throws {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw AggregatorError.crl("cannot read \(path): \(error)")
        }
        do { try self.init(pem: String(decoding: data, as: UTF8.self), issuers: issuers) } catch let error as AggregatorError {
            throw AggregatorError.crl("\(path): \(error.message)")
        }
    }

    /// One DER CertificateList: its signature checked against `issuers` (RFC 5280 §5.1.1), then TBSCertList's
    /// nextUpdate and revokedCertificates (§5.1.2).
    static func parse(der: [UInt8], issuers: [CRLIssuer]) throws -> RevocationList {
        var outer = DERReader(der[...])
        var list = DERReader(try outer.read(tag: DERReader.sequence, "CertificateList").content)
        let tbsElement = try list.read(tag: DERReader.sequence, "TBSCertList")
        let algorithm = try list.read(tag: DERReader.sequence, "signatureAlgorithm")
        let signature = try list.read(tag: DERReader.bitString, "signatureValue")
        var tbs = DERReader(tbsElement.content)
        if tbs.nextTag == DERReader.integer { _ = try tbs.read() }  // version v2
        let innerAlgorithm = try tbs.read(tag: DERReader.sequence, "signature")
        let issuer = try tbs.read(tag: DERReader.sequence, "issuer")
        try verifySignature(
            tbs: Array(tbsElement.encoded), algorithm: algorithm, innerAlgorithm: innerAlgorithm, signature: signature,
            issuer: issuer, issuers: issuers)
        _ = try DERReader.epochSeconds(of: try tbs.read())  // thisUpdate
        var nextUpdate: Int64?
        if tbs.nextTag == DERReader.utcTime || tbs.nextTag == DERReader.generalizedTime {
            nextUpdate = try DERReader.epochSeconds(of: try tbs.read())
        }
        var serials = Set<[UInt8]>()
        if tbs.nextTag == DERReader.sequence {
            var entries = DERReader(try tbs.read().content)
            while !entries.isAtEnd {
                var entry = DERReader(try entries.read(tag: DERReader.sequence, "revokedCertificate").content)
                serials.insert(Array(try entry.read(tag: DERReader.integer, "userCertificate").content))
            }
        }
        return RevocationList(revokedSerials: serials, nextUpdateEpochS: nextUpdate)
    }

    /// Refuses a CRL that no CA of `issuers` signed: an unknown issuer, mismatched or unsupported algorithms, an
    /// empty or bad signature (forged, altered after signing, or never signed).
    private static func verifySignature(
        tbs: [UInt8], algorithm: DERReader.Element, innerAlgorithm: DERReader.Element, signature: DERReader.Element,
        issuer: DERReader.Element, issuers: [CRLIssuer]
    ) throws {
        let issuerName = CRLIssuer.commonName(issuer.content) ?? "(no CN)"
        guard let ca = issuers.first(where: { $0.subject == Array(issuer.encoded) }) else {
            let known = issuers.map { "\"\($0.name)\"" }.joined(separator: ", ")
            throw AggregatorError.crl("issued by \"\(issuerName)\", which is not a CA of tls.ca_file (\(known)): refused")
        }
        // RFC 5280 §5.1.1.2: the outer algorithm must equal the signed one, or a signature could be re-labelled.
        guard Array(algorithm.encoded) == Array(innerAlgorithm.encoded) else {
            throw AggregatorError.crl("signatureAlgorithm differs from the signed TBSCertList's: refused")
        }
        guard let digest = signatureDigest(algorithm) else {
            throw AggregatorError.crl("signed with an unsupported algorithm (expected ECDSA or RSA with SHA-256 or SHA-384): refused")
        }
        let bits = Array(signature.content)
        guard bits.count > 1, bits[0] == 0 else { throw AggregatorError.crl("carries no signature: an unsigned CRL is refused") }
        guard ca.key.isValidSignature(Array(bits.dropFirst()), for: tbs, digest: digest) else {
            throw AggregatorError.crl("the signature does not verify with the key of CA \"\(ca.name)\": forged or altered, refused")
        }
    }

    /// The digest of ecdsa-with-SHA256/384 (RFC 5758 §3.2) or sha256/384WithRSAEncryption (RFC 4055 §5).
    private static func signatureDigest(_ algorithm: DERReader.Element) -> CertificateKey.Digest? {
        var fields = DERReader(algorithm.content)
        guard let oid = try? fields.read(tag: DERReader.objectIdentifier, "algorithm") else { return nil }
        switch Array(oid.content) {
        case [0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x02], [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x0B]: return .sha256
        case [0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x03], [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x0C]: return .sha384
        default: return nil
        }
    }

    /// True when `serial` (big-endian, as `NIOSSLCertificate.serialNumber`) is listed.
    public func isRevoked(serial: [UInt8]) -> Bool { revokedSerials.contains(Self.normalized(serial)) }

    /// True once `nextUpdate` has passed: then every client is refused (docs/provisioning.md).
    public func isExpired(nowEpochS: Int64) -> Bool { nextUpdateEpochS.map { nowEpochS > $0 } ?? false }

    private static func normalized(_ serial: [UInt8]) -> [UInt8] {
        let trimmed = Array(serial.drop { $0 == 0 })
        return trimmed.isEmpty ? [0] : trimmed
    }
}
