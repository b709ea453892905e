import AggregatorKit
import AggregatorServer
import AggregatorTesting
import EdgeCrypto
import Foundation
import GridCore
import MeshPlanner
import PolicyTrust
import Testing

@Suite("Planner configuration")
struct PlannerConfigTests {
    static let tls = #""tls":{"ca_file":"a","cert_file":"b","key_file":"c","crl_file":"d"}"#

    @Test("the planner section: its presence turns the planner on; validity defaults to 2 × period + 15 s")
    func defaults() throws {
        let config = try AggregatorConfig.parse(Array(#"{\#(Self.tls),"planner":{"root_file":"/r","envelope_key_files":["/k"]}}"#.utf8))
        let planner = try #require(config.planner)
        #expect(planner.enabled)
        #expect(planner.periodS == 30)
        #expect(planner.resolvedValidityS == 75)
        #expect(planner.plannerSettings.maxReportAgeS == 10)
        let off = try AggregatorConfig.parse(Array(#"{\#(Self.tls),"planner":{"enabled":false}}"#.utf8))
        #expect(off.planner?.enabled == false)
        #expect(try AggregatorConfig.parse(Array(#"{\#(Self.tls)}"#.utf8)).planner == nil)
        let fromTrust = try AggregatorConfig.parse(Array(
            #"{\#(Self.tls),"trust":{"root_file":"/r"},"planner":{"period_s":10,"stale_after_s":6,"envelope_key_files":["/k"]}}"#.utf8))
        #expect(fromTrust.planner?.resolvedValidityS == 35)
        #expect(fromTrust.planner?.plannerSettings.maxReportAgeS == 6)
    }

    @Test("bad planner values are refused with the file, the line and the key", arguments: [
        (#""planner":{"period_s":0,"root_file":"/r","envelope_key_files":["/k"]}"#, "planner.period_s"),
        (#""planner":{"period_s":"30","root_file":"/r","envelope_key_files":["/k"]}"#, "planner.period_s"),
        (#""planner":{"period_s":60,"envelope_validity_s":60,"root_file":"/r","envelope_key_files":["/k"]}"#, "planner.envelope_validity_s"),
        (#""planner":{"envelope_validity_s":100000,"root_file":"/r","envelope_key_files":["/k"]}"#, "planner.envelope_validity_s"),
        (#""planner":{"stale_after_s":0.5,"root_file":"/r","envelope_key_files":["/k"]}"#, "planner.stale_after_s"),
        (#""planner":{"root_file":"/r","envelope_key_files":[]}"#, "planner.envelope_key_files"),
        (#""planner":{"root_file":"/r","envelope_key_files":["/k","/k"]}"#, "planner.envelope_key_files"),
        (#""planner":{"envelope_key_files":["/k"]}"#, "planner.root_file"),
        (#""planner":{"root_file":"/r","envelope_key_files":["/k"],"period":30}"#, "period"),
        (#""planner":{"root_file":"/r","envelope_key_files":[7]}"#, "planner.envelope_key_files[0]"),
    ])
    func refused(section: String, key: String) throws {
        let json = "{\n\(Self.tls),\n\(section)\n}"
        let error = try #require(throws: AggregatorError.self) { try AggregatorConfig.parse(Array(json.utf8), file: "/etc/v2g/aggregator.json") }
        #expect(error.message.hasPrefix("/etc/v2g/aggregator.json:3"), "\(error.message)")
        #expect(error.message.contains(key), "\(error.message)")
    }

    /// A folder with the fixture's root, a root whose envelopes may last 60 s at most, one with an envelope threshold
    /// of 2, and key files: the envelope key (twice), the policy key, a group-readable copy.
    struct Files {
        let dir = NSTemporaryDirectory() + "planner-config-\(UUID().uuidString)"
        var root: String { dir + "/root.json" }
        var shortRoot: String { dir + "/root-60s.json" }
        var twoKeyRoot: String { dir + "/root-two.json" }
        var envelopeKey: String { dir + "/envelope.pem" }
        var envelopeCopy: String { dir + "/envelope-copy.pem" }
        var secondEnvelopeKey: String { dir + "/envelope-22.pem" }
        var policyKey: String { dir + "/policy.pem" }
        var openKey: String { dir + "/open.pem" }

        init() throws {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try Data(policyFixture.root.signedBytes).write(to: URL(fileURLWithPath: root))
            var short = SignedPolicyFixture.document(version: 1, policy: [11], expires: policyFixture.expires)
            short.envelopeMaxValidityS = 60
            try Data(try short.signed(by: [SignedPolicyFixture.key(1)])).write(to: URL(fileURLWithPath: shortRoot))
            var two = SignedPolicyFixture.document(version: 1, policy: [11], expires: policyFixture.expires)
            two.keys[SignedPolicyFixture.key(22).publicKey.keyID] = SignedPolicyFixture.key(22).publicKey
            two.roles[.envelope] = RoleKeys(keyIDs: [21, 22].map { SignedPolicyFixture.key($0).publicKey.keyID }, threshold: 2)
            try Data(try two.signed(by: [SignedPolicyFixture.key(1)])).write(to: URL(fileURLWithPath: twoKeyRoot))
            try SignedPolicyFixture.key(21).write(toPEMFile: envelopeKey)
            try SignedPolicyFixture.key(21).write(toPEMFile: envelopeCopy)
            try SignedPolicyFixture.key(22).write(toPEMFile: secondEnvelopeKey)
            try SignedPolicyFixture.key(11).write(toPEMFile: policyKey)
            try SignedPolicyFixture.key(21).write(toPEMFile: openKey)
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: openKey)
        }

        func remove() { try? FileManager.default.removeItem(atPath: dir) }
    }

    static let now = Timestamp(secondsSinceEpoch: Date().timeIntervalSince1970)

    @Test("at start the keys must be envelope keys of the root, meeting its threshold, within its max validity")
    func refusalTable() throws {
        let files = try Files()
        defer { files.remove() }
        func check(_ planner: AggregatorConfig.Planner, trust: String? = nil) -> String? {
            do {
                _ = try planner.envelopeSigner(trustRootFile: trust, now: Self.now)
                return nil
            } catch {
                return error.message
            }
        }
        // Accepted: the envelope key of the root named here, or of trust.root_file; two keys for a threshold of 2.
        #expect(check(.init(rootFile: files.root, envelopeKeyFiles: [files.envelopeKey])) == nil)
        #expect(check(.init(envelopeKeyFiles: [files.envelopeKey]), trust: files.root) == nil)
        #expect(check(.init(rootFile: files.twoKeyRoot, envelopeKeyFiles: [files.envelopeKey, files.secondEnvelopeKey])) == nil)
        #expect(check(.init(periodS: 20, rootFile: files.shortRoot, envelopeKeyFiles: [files.envelopeKey])) == nil)  // 55 s ≤ 60 s

        let refusals: [(AggregatorConfig.Planner, [String])] = [
            (.init(rootFile: files.root, envelopeKeyFiles: [files.policyKey]),
             ["planner.envelope_key_files[0]", files.policyKey, "is not an envelope key of root version 1", "policy key"]),
            (.init(rootFile: files.shortRoot, envelopeKeyFiles: [files.envelopeKey]),
             ["planner.envelope_validity_s", "75.0 s (the default", "max_validity_s", "60 s"]),
            (.init(envelopeValidityS: 301, rootFile: files.root, envelopeKeyFiles: [files.envelopeKey]),
             ["planner.envelope_validity_s", "301.0 s", "300 s"]),
            (.init(rootFile: files.twoKeyRoot, envelopeKeyFiles: [files.envelopeKey]),
             ["planner.envelope_key_files", "1 envelope key given", "needs 2"]),
            (.init(rootFile: files.root, envelopeKeyFiles: [files.envelopeKey, files.envelopeCopy]),
             ["planner.envelope_key_files[1]", "the same key as \(files.envelopeKey)"]),
            (.init(rootFile: files.root, envelopeKeyFiles: [files.openKey]), ["planner.envelope_key_files[0]", files.openKey, "crypto.insecure_file_mode"]),
            (.init(rootFile: files.root, envelopeKeyFiles: [files.dir + "/missing.pem"]), ["planner.envelope_key_files[0]", "missing.pem"]),
            (.init(rootFile: files.dir + "/none.json", envelopeKeyFiles: [files.envelopeKey]), ["planner.root_file", "cannot read", "none.json"]),
            (.init(rootFile: files.envelopeKey, envelopeKeyFiles: [files.envelopeKey]), ["planner.root_file", "refused"]),
            (.init(envelopeKeyFiles: [files.envelopeKey]), ["planner.root_file", "required"]),
        ]
        for (planner, parts) in refusals {
            let message = try #require(check(planner), "accepted: \(planner)")
            #expect(!message.contains("\n"))
            for part in parts { #expect(message.contains(part), "\(message) lacks \(part)") }
        }
    }

    @Test("check-config refuses a planner key the root does not authorise in one line, and summarises a good planner")
    func checkConfig() async throws {
        let files = try Files()
        defer { files.remove() }
        let pki = PKIFixture.shared
        func write(keys: [String]) throws -> String {
            let path = files.dir + "/aggregator-\(UUID().uuidString).json"
            let json = """
                {"listen": {"host": "127.0.0.1", "port": 8443},
                 "tls": {"ca_file": "\(pki.caFile)", "cert_file": "\(pki.serverCert)", "key_file": "\(pki.serverKey)", "crl_file": "\(pki.crlFile)"},
                 "trust": {"root_file": "\(files.root)"},
                 "storage": {"path": "\(files.dir)/telemetry.sqlite"},
                 "planner": {"envelope_key_files": [\(keys.map { "\"\($0)\"" }.joined(separator: ", "))]}}
                """
            try Data(json.utf8).write(to: URL(fileURLWithPath: path))
            return path
        }
        let refused = try await RolloutCLITests.adm(["check-config", "--config", try write(keys: [files.policyKey])], program: "v2g-aggregator")
        #expect(refused.status == 1)
        let lines = refused.output.split(separator: "\n")
        #expect(lines.count == 1, "\(refused.output)")
        #expect(refused.output.hasPrefix("v2g-aggregator: planner.envelope_key_files[0] \(files.policyKey): key "), "\(refused.output)")
        #expect(refused.output.contains("is not an envelope key of root version 1"))

        let accepted = try await RolloutCLITests.adm(["check-config", "--config", try write(keys: [files.envelopeKey])], program: "v2g-aggregator")
        #expect(accepted.status == 0, "\(accepted.output)")
        #expect(accepted.output.contains("planner every 30.0 s, envelopes valid 75.0 s, 1 envelope key(s) of root version 1"), "\(accepted.output)")
    }
}
