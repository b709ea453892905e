import AggregatorServer
import Foundation
import Testing

@Suite("Configuration")
struct AggregatorConfigTests {
    static var examplePath: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("examples/aggregator/aggregator.json").path
    }

    @Test("the example configuration parses with its values")
    func example() throws {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Self.examplePath)))
        let config = try AggregatorConfig.parse(bytes)
        #expect(config.listen.port == 8443)
        #expect(config.tls.crlFile == "/etc/v2g/tls/crl.pem")
        #expect(config.limits.maxConnections == 1000)
        #expect(config.limits.requestTimeoutS == 30)
        #expect(config.storage.aggregateRetentionDays == 730)
        #expect(config.trust.rootFile == "/etc/v2g/root.json")
        #expect(config.storage.resolvedPolicyPath == "/var/lib/v2g-aggregator/policy.sqlite")
    }

    @Test("the policy store sits beside the telemetry store unless storage.policy_path says otherwise; no trust.root_file by default")
    func policyDefaults() throws {
        let json = #"{"tls":{"ca_file":"a","cert_file":"b","key_file":"c","crl_file":"d"},"storage":{"path":"/srv/agg/t.sqlite"}}"#
        let config = try AggregatorConfig.parse(Array(json.utf8))
        #expect(config.storage.resolvedPolicyPath == "/srv/agg/policy.sqlite")
        #expect(config.trust.rootFile == nil)
    }

    @Test("only tls is required; the rest has defaults")
    func defaults() throws {
        let json = #"{"tls":{"ca_file":"a","cert_file":"b","key_file":"c","crl_file":"d"}}"#
        let config = try AggregatorConfig.parse(Array(json.utf8))
        #expect(config.listen == .init())
        #expect(config.limits == .init())
    }

    @Test("unknown keys and out-of-range values are refused, naming the key", arguments: [
        (#"{"tls":{"ca_file":"a","cert_file":"b","key_file":"c","crl_file":"d"},"limit":{}}"#, "limit"),
        (#"{"tls":{"ca_file":"a","cert_file":"b","key_file":"c","crl_file":"d","crl":"x"}}"#, "tls.crl"),
        (#"{"tls":{"ca_file":"a","cert_file":"b","key_file":"c","crl_file":"d"},"limits":{"max_body_byte":1}}"#, "limits.max_body_byte"),
        (#"{"tls":{"ca_file":"a","cert_file":"b","key_file":"c","crl_file":"d"},"limits":{"request_timeout_s":0}}"#, "request_timeout_s"),
        (#"{"tls":{"ca_file":"a","cert_file":"b","key_file":"c","crl_file":"d"},"listen":{"port":70000}}"#, "listen.port"),
        (#"{"tls":{"ca_file":"a","cert_file":"b","key_file":"c","crl_file":"d"},"trust":{"root":"r.json"}}"#, "trust.root"),
        (#"{"tls":{"ca_file":"a","cert_file":"b","key_file":"c","crl_file":"d"},"trust":{"root_file":""}}"#, "trust.root_file"),
        (#"{"tls":{"ca_file":"a","cert_file":"b","key_file":"c","crl_file":"d"},"storage":{"policy_path":7}}"#, "storage.policy_path"),
        (#"{"tls":{"ca_file":"a","cert_file":"b","key_file":"c"}}"#, "crl_file"),
    ])
    func refused(json: String, key: String) throws {
        let error = try #require(throws: AggregatorError.self) { try AggregatorConfig.parse(Array(json.utf8)) }
        #expect(error.description == "config.invalid")
        #expect(error.message.contains(key))
    }
}

@Suite("Configuration syntax")
struct AggregatorConfigSyntaxTests {
    static let tls = #""tls": {"ca_file": "a", "cert_file": "b", "key_file": "c", "crl_file": "d"}"#

    @Test("trailing commas, duplicate keys and unknown keys are refused with the file, the line and the reason", arguments: [
        ("{\n  \(tls),\n  \"limits\": {\"request_timeout_s\": 30,}\n}", 3, "trailing comma"),
        ("{\n  \(tls),\n  \"limits\": {\n    \"request_timeout_s\": 30,\n    \"request_timeout_s\": 0\n  }\n}", 5,
         "duplicate key \"limits.request_timeout_s\" (first at line 4, column 5)"),
        ("{\n  \(tls),\n  \"storage\": {\n    \"pathh\": \"/tmp/x\"\n  }\n}", 4, "storage.pathh: unknown key"),
        ("{\n  \(tls),\n  \"limits\": {\"max_connections\": \"many\"}\n}", 3, "limits.max_connections: expected"),
        ("{\n  \(tls)\n  \"listen\": {}\n}", 3, "expected ',' or '}'"),
        ("{\n  \(tls)\n}\n// done", 4, "unexpected '/' after the end"),
        ("[\n  1,\n]", 2, "trailing comma before ']'"),
        ("{\n  \(tls),\n  \"limits\": {\"request_timeout_s\": /* s */ 30}\n}", 3, "comments are not JSON"),
        ("{\n  \(tls),\n  \"limits\": {\"request_timeout_s\": 3.5}\n}", 3, "limits.request_timeout_s: expected an integer"),
        ("{\n  \(tls),\n  \"trust\": {\"root_file\": null}\n}", 3, "trust.root_file: expected a string, found null"),
    ])
    func refusedWithLine(json: String, line: Int, reason: String) throws {
        let error = try #require(throws: AggregatorError.self) {
            try AggregatorConfig.parse(Array(json.utf8), file: "/etc/v2g/aggregator.json")
        }
        #expect(error.description == "config.invalid")
        #expect(error.message.hasPrefix("/etc/v2g/aggregator.json:\(line):"), "\(error.message)")
        #expect(error.message.contains(reason), "\(error.message)")
    }

    @Test("a range error names the line of its key")
    func rangeErrorLine() throws {
        let json = "{\n  \(Self.tls),\n  \"limits\": {\n    \"handshake_timeout_s\": 0\n  }\n}"
        let error = try #require(throws: AggregatorError.self) { try AggregatorConfig.parse(Array(json.utf8), file: "a.json") }
        #expect(error.message.hasPrefix("a.json:4: limits.handshake_timeout_s:"), "\(error.message)")
    }
}

@Suite("CRL reader")
struct RevocationListTests {
    /// The serial of a certificate as openssl prints it, as bytes.
    static func serial(ofCertificate path: String) throws -> [UInt8] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = ["x509", "-in", path, "-noout", "-serial"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        process.waitUntilExit()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let hex = Array(text.trimmingCharacters(in: .whitespacesAndNewlines).dropFirst("serial=".count))
        return stride(from: 0, to: hex.count, by: 2).map { UInt8(String(hex[$0..<min($0 + 2, hex.count)]), radix: 16)! }
    }

    @Test("the v2g-pki CRL lists the revoked agent's serial, not a valid agent's")
    func listsRevoked() throws {
        let pki = PKIFixture.shared
        let list = try RevocationList(contentsOf: pki.crlFile, caFile: pki.caFile)
        // The CA database names the revoked certificate of `gone`; it stays as certs/SERIAL.pem.
        let index = try String(contentsOfFile: pki.dir + "/db/index.txt", encoding: .utf8)
        let row = try #require(index.split(separator: "\n").first { $0.hasPrefix("R") && $0.hasSuffix("CN=gone") })
        let hex = String(row.split(separator: "\t")[3])
        let gone = try Self.serial(ofCertificate: pki.dir + "/certs/\(hex).pem")
        #expect(list.isRevoked(serial: gone))
        #expect(!list.isRevoked(serial: try Self.serial(ofCertificate: pki.agentCert("a1"))))
        #expect(!list.isRevoked(serial: try Self.serial(ofCertificate: pki.agentCert("a2"))))
        let next = try #require(list.nextUpdateEpochS)
        #expect(!list.isExpired(nowEpochS: next))
        #expect(list.isExpired(nowEpochS: next + 1))
    }

    @Test("an expired CRL parses and reports expired now")
    func expired() throws {
        let list = try RevocationList(contentsOf: PKIFixture.shared.expiredCRLFile, caFile: PKIFixture.shared.caFile)
        #expect(list.nextUpdateEpochS == 1_577_923_200)  // 2020-01-02T00:00:00Z
        #expect(list.isExpired(nowEpochS: Int64(Date().timeIntervalSince1970)))
    }

    @Test("malformed PEM or DER is refused with crl.invalid", arguments: [
        "no pem here",
        "-----BEGIN X509 CRL-----\nMAMCAQA=\n-----END X509 CRL-----\n",
        "-----BEGIN X509 CRL-----\nMIIB\n-----END X509 CRL-----\n",
    ])
    func malformed(pem: String) throws {
        let error = try #require(throws: AggregatorError.self) { try RevocationList(pem: pem, issuers: []) }
        #expect(error.description == "crl.invalid")
    }
}
