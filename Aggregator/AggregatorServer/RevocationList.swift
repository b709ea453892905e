import FoundationEssentials

/// The revoked serials and the validity window of the deployment CA's CRL(s) (RFC 5280 §5.1).
///
/// The signature is not checked: `crl.pem` is root-owned configuration installed by the operator
/// (docs/aggregator.md); what matters here is that a listed serial and an expired list are refused.
public struct RevocationList: Sendable, Hashable {
    /// Serials as unsigned big-endian bytes without leading zeros.
    public let revokedSerials: Set<[UInt8]>
    /// The earliest `nextUpdate` of the lists (seconds since the epoch); nil when none carries one.
    public let nextUpdateEpochS: Int64?

    public init(revokedSerials: Set<[UInt8]>, nextUpdateEpochS: Int64?) {
        self.revokedSerials = Set(revokedSerials.map(Self.normalized))
        self.nextUpdateEpochS = nextUpdateEpochS
    }

    /// Parses one or more PEM `X509 CRL` blocks (two during a CA rotation).
    public init(pem: String) throws {
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
                let list = try Self.parse(der: [UInt8](der))
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

    /// Reads `path` (PEM).
    public init(contentsOf path: String) throws {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw AggregatorError.crl("cannot read \(path): \(error)")
        }
        do { try self.init(pem: String(decoding: data, as: UTF8.self)) } catch let error as AggregatorError {
            throw AggregatorError.crl("\(path): \(error.message)")
        }
    }

    /// One DER CertificateList: TBSCertList's nextUpdate and revokedCertificates (RFC 5280 §5.1.2).
    static func parse(der: [UInt8]) throws -> RevocationList {
        var outer = DERReader(der[...])
        var list = DERReader(try outer.read(tag: DERReader.sequence, "CertificateList").content)
        var tbs = DERReader(try list.read(tag: DERReader.sequence, "TBSCertList").content)
        if tbs.nextTag == DERReader.integer { _ = try tbs.read() }  // version v2
        _ = try tbs.read(tag: DERReader.sequence, "signature")
        _ = try tbs.read(tag: DERReader.sequence, "issuer")
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

    /// True when `serial` (big-endian, as `NIOSSLCertificate.serialNumber`) is listed.
    public func isRevoked(serial: [UInt8]) -> Bool { revokedSerials.contains(Self.normalized(serial)) }

    /// True once `nextUpdate` has passed: then every client is refused (docs/provisioning.md).
    public func isExpired(nowEpochS: Int64) -> Bool { nextUpdateEpochS.map { nowEpochS > $0 } ?? false }

    private static func normalized(_ serial: [UInt8]) -> [UInt8] {
        let trimmed = Array(serial.drop { $0 == 0 })
        return trimmed.isEmpty ? [0] : trimmed
    }
}
