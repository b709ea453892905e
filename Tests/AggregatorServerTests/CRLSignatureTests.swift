import AggregatorServer
import Foundation
import Testing

/// A CRL is trusted only once its signature verifies with the key of the CA in tls.ca_file.
@Suite("CRL signature")
struct CRLSignatureTests {
    static var pki: PKIFixture { PKIFixture.shared }

    static func read(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    /// The DER of the first CRL block of `pem`.
    static func der(_ pem: String) throws -> [UInt8] {
        let body = pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        return [UInt8](try #require(Data(base64Encoded: body)))
    }

    static func pem(_ der: [UInt8]) -> String {
        "-----BEGIN X509 CRL-----\n" + Data(der).base64EncodedString(options: .lineLength64Characters) + "\n-----END X509 CRL-----\n"
    }

    /// A DER length (X.690 §8.1.3).
    static func length(_ count: Int) -> [UInt8] {
        if count < 0x80 { return [UInt8(count)] }
        var bytes: [UInt8] = []
        var rest = count
        while rest > 0 {
            bytes.insert(UInt8(rest & 0xFF), at: 0)
            rest >>= 8
        }
        return [0x80 | UInt8(bytes.count)] + bytes
    }

    /// The three elements of a CertificateList: TBSCertList, signatureAlgorithm, signatureValue (each whole TLV).
    static func parts(_ der: [UInt8]) -> [[UInt8]] {
        func header(_ bytes: ArraySlice<UInt8>) -> (headerLength: Int, contentLength: Int) {
            let first = Int(bytes[bytes.startIndex + 1])
            guard first & 0x80 != 0 else { return (2, first) }
            let count = first & 0x7F
            let length = bytes[(bytes.startIndex + 2)..<(bytes.startIndex + 2 + count)].reduce(0) { $0 << 8 | Int($1) }
            return (2 + count, length)
        }
        let outer = header(der[...])
        var rest = der[outer.headerLength...]
        var parts: [[UInt8]] = []
        while !rest.isEmpty {
            let part = header(rest)
            parts.append(Array(rest.prefix(part.headerLength + part.contentLength)))
            rest = rest.dropFirst(part.headerLength + part.contentLength)
        }
        return parts
    }

    static func list(_ parts: [[UInt8]]) -> [UInt8] {
        let content = parts.flatMap { $0 }
        return [0x30] + length(content.count) + content
    }

    static func refusal(_ pem: String) throws -> String {
        let error = try #require(throws: AggregatorError.self) {
            try RevocationList(pem: pem, issuers: try RevocationList.issuers(caFile: pki.caFile))
        }
        #expect(error.description == "crl.invalid")
        return error.message
    }

    @Test("the CA's own CRL verifies and lists the revoked agent and operator")
    func genuine() throws {
        let list = try RevocationList(contentsOf: Self.pki.crlFile, caFile: Self.pki.caFile)
        #expect(list.revokedSerials.count >= 2)  // `gone` and `ex-ops` (another suite may revoke `late` meanwhile)
    }

    @Test("a CRL signed by another key under our CA's name is refused as forged")
    func forgedByAnImpostor() throws {
        let message = try Self.refusal(try Self.read(Self.pki.impostorDir + "/crl.pem"))
        #expect(message.contains("does not verify with the key of CA \"v2g-edge deployment CA\": forged or altered"), "\(message)")
    }

    @Test("a CRL of a CA that is not in tls.ca_file is refused, naming it")
    func otherIssuer() throws {
        let message = try Self.refusal(try Self.read(Self.pki.otherDir + "/crl.pem"))
        #expect(message.contains("issued by \"Some other CA\", which is not a CA of tls.ca_file"), "\(message)")
    }

    @Test("our CRL altered after signing (one byte of its nextUpdate) is refused")
    func altered() throws {
        var der = try Self.der(try Self.read(Self.pki.crlFile))
        // The last digit of the nextUpdate time (…Z): find the second UTCTime (tag 0x17, 13 bytes).
        let times = der.indices.filter { der[$0] == 0x17 && $0 + 1 < der.count && der[$0 + 1] == 13 }
        let next = try #require(times.dropFirst().first)
        der[next + 2 + 11] = der[next + 2 + 11] == UInt8(ascii: "9") ? UInt8(ascii: "8") : UInt8(ascii: "9")
        let message = try Self.refusal(Self.pem(der))
        #expect(message.contains("forged or altered"), "\(message)")
    }

    @Test("an unsigned CRL (empty signature) is refused")
    func unsigned() throws {
        var parts = Self.parts(try Self.der(try Self.read(Self.pki.crlFile)))
        #expect(parts.count == 3)
        parts[2] = [0x03, 0x01, 0x00]
        let message = try Self.refusal(Self.pem(Self.list(parts)))
        #expect(message.contains("carries no signature"), "\(message)")
    }

    @Test("a signature relabelled with another algorithm than the signed one is refused")
    func relabelled() throws {
        var parts = Self.parts(try Self.der(try Self.read(Self.pki.crlFile)))
        // ecdsa-with-SHA384 outside, ecdsa-with-SHA256 inside.
        parts[1] = [0x30, 0x0A, 0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x03]
        let message = try Self.refusal(Self.pem(Self.list(parts)))
        #expect(message.contains("signatureAlgorithm differs"), "\(message)")
    }

    @Test("during a CA rotation both CRLs verify, each against its own CA")
    func twoCAs() throws {
        let both = NSTemporaryDirectory() + "two-cas-\(UUID().uuidString).pem"
        try (Self.read(Self.pki.caFile) + Self.read(Self.pki.otherDir + "/ca.crt")).write(toFile: both, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: both) }
        let list = try RevocationList(
            pem: Self.read(Self.pki.crlFile) + Self.read(Self.pki.otherDir + "/crl.pem"), issuers: RevocationList.issuers(caFile: both))
        #expect(list.revokedSerials.count >= 2)
    }

    @Test("the server will not start on a forged CRL")
    func serverRefusesToStart() async throws {
        await #expect(throws: AggregatorError.self) {
            try await withTestServer(crlFile: Self.pki.impostorDir + "/crl.pem") { _, _, _ in }
        }
    }

    @Test("a forged CRL on reload is refused and the previous list stays in force")
    func reloadKeepsThePreviousList() async throws {
        let path = NSTemporaryDirectory() + "crl-\(UUID().uuidString).pem"
        try FileManager.default.copyItem(atPath: Self.pki.crlFile, toPath: path)
        defer { try? FileManager.default.removeItem(atPath: path) }
        try await withTestServer(crlFile: path) { client, _, server in
            #expect(try await client.request("/healthz", agent: "gone").exitStatus != 0)
            let before = server.trust.revocationList
            // The forgery lists nothing: if it were trusted, the revoked agent would get in.
            try FileManager.default.removeItem(atPath: path)
            try FileManager.default.copyItem(atPath: Self.pki.impostorDir + "/crl.pem", toPath: path)
            let error = try #require(throws: AggregatorError.self) { try server.trust.reload() }
            #expect(error.message.contains("forged or altered") && error.message.contains(path), "\(error.message)")
            #expect(server.trust.revocationList == before)
            #expect(try await client.request("/healthz", agent: "gone").exitStatus != 0)
            #expect(try await client.request("/healthz", agent: "a1").httpStatus == 200)
        }
    }
}
