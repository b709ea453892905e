import EdgeCrypto
import FoundationEssentials

/// A CA that may sign CRLs: its subject name (the CRL's issuer must equal it) and its public key, read from
/// the CA certificate's DER (RFC 5280 §4.1).
public struct CRLIssuer: Sendable {
    /// The DER of the certificate's subject Name.
    let subject: [UInt8]
    let key: CertificateKey
    /// The subject's CN, for messages.
    public let name: String

    /// Reads the subject and the SubjectPublicKeyInfo of one DER certificate.
    public init(certificateDER der: [UInt8]) throws {
        var outer = DERReader(der[...])
        var certificate = DERReader(try outer.read(tag: DERReader.sequence, "Certificate").content)
        var tbs = DERReader(try certificate.read(tag: DERReader.sequence, "TBSCertificate").content)
        if tbs.nextTag == DERReader.contextZero { _ = try tbs.read() }  // version
        _ = try tbs.read(tag: DERReader.integer, "serialNumber")
        _ = try tbs.read(tag: DERReader.sequence, "signature")
        _ = try tbs.read(tag: DERReader.sequence, "issuer")
        _ = try tbs.read(tag: DERReader.sequence, "validity")
        let subject = try tbs.read(tag: DERReader.sequence, "subject")
        let spki = try tbs.read(tag: DERReader.sequence, "subjectPublicKeyInfo")
        self.subject = Array(subject.encoded)
        name = Self.commonName(subject.content) ?? "(no CN)"
        do { key = try CertificateKey(subjectPublicKeyInfoDER: Array(spki.encoded)) } catch {
            throw AggregatorError.crl("the CA certificate \"\(name)\" holds a public key OpenSSL cannot use: \(error)")
        }
    }

    /// The first commonName (2.5.4.3) of a Name, if it is a string type.
    static func commonName(_ name: ArraySlice<UInt8>) -> String? {
        var rdns = DERReader(name)
        while !rdns.isAtEnd {
            guard let set = try? rdns.read(tag: DERReader.set, "RDN") else { return nil }
            var attributes = DERReader(set.content)
            while !attributes.isAtEnd {
                guard let attribute = try? attributes.read(tag: DERReader.sequence, "AttributeTypeAndValue") else { return nil }
                var fields = DERReader(attribute.content)
                guard let type = try? fields.read(tag: DERReader.objectIdentifier, "type"), let value = try? fields.read() else { return nil }
                if Array(type.content) == [0x55, 0x04, 0x03] { return String(decoding: value.content, as: UTF8.self) }
            }
        }
        return nil
    }
}
