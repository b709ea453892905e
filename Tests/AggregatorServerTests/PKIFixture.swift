import Foundation

/// Throwaway certificates from provisioning/v2g-pki (the real tool), made once per test run.
struct PKIFixture: Sendable {
    let dir: String
    let otherDir: String

    var caFile: String { dir + "/ca.crt" }
    var crlFile: String { dir + "/crl.pem" }
    /// A CRL of the same CA whose nextUpdate was 2020-01-02.
    var expiredCRLFile: String { dir + "/../expired-crl.pem" }
    /// A CA with the same name as ours but its own key: its CRL names our CA as issuer and is a forgery.
    var impostorDir: String { dir + "/../impostor-ca" }
    var serverCert: String { dir + "/servers/localhost.crt" }
    var serverKey: String { dir + "/servers/localhost.key" }
    /// Copies of every agent's certificate and key: `revoke` deletes the CA's own copies, and a revoked agent must still try.
    var keptDir: String { dir + "/../kept" }
    func agentCert(_ id: String, otherCA: Bool = false) -> String { otherCA ? otherDir + "/agents/\(id).crt" : keptDir + "/\(id).crt" }
    func agentKey(_ id: String, otherCA: Bool = false) -> String { otherCA ? otherDir + "/agents/\(id).key" : keptDir + "/\(id).key" }
    /// An operator's certificate and key (copies: revoking deletes the CA's own).
    func operatorIdentity(_ name: String) -> (cert: String, key: String) {
        (keptDir + "/operator-\(name).crt", keptDir + "/operator-\(name).key")
    }

    /// `a1`, `a2` valid; `gone` issued then revoked; `a1` also issued by an unrelated CA; operators `ops` (valid) and
    /// `ex-ops` (revoked).
    static let shared: PKIFixture = {
        let root = NSTemporaryDirectory() + "agg-server-tests-\(getpid())"
        let fixture = PKIFixture(dir: root + "/ca", otherDir: root + "/other-ca")
        try? FileManager.default.removeItem(atPath: root)
        try! FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        fixture.pki("init-ca", "--dir", fixture.dir)
        fixture.pki("issue-server", "--dir", fixture.dir, "--name", "localhost", "--ip", "127.0.0.1")
        try! FileManager.default.createDirectory(atPath: fixture.keptDir, withIntermediateDirectories: true)
        for id in ["a1", "a2", "gone", "late"] {
            fixture.pki("issue-agent", "--dir", fixture.dir, "--agent-id", id)
            for ext in ["crt", "key"] {
                try! FileManager.default.copyItem(atPath: fixture.dir + "/agents/\(id).\(ext)", toPath: fixture.keptDir + "/\(id).\(ext)")
            }
        }
        for name in ["ops", "ex-ops"] {
            fixture.pki("issue-operator", "--dir", fixture.dir, "--name", name)
            for ext in ["crt", "key"] {
                try! FileManager.default.copyItem(
                    atPath: fixture.dir + "/operators/\(name).\(ext)", toPath: fixture.keptDir + "/operator-\(name).\(ext)")
            }
        }
        fixture.pki("revoke", "--dir", fixture.dir, "--agent-id", "gone")
        fixture.pki("revoke", "--dir", fixture.dir, "--operator", "ex-ops")
        try! fixture.writeExpiredCRL(to: fixture.expiredCRLFile)
        try! fixture.writeExpiredAgent("old")
        try! fixture.writeTwoFaced("janus")
        fixture.pki("init-ca", "--dir", fixture.impostorDir)
        fixture.pki("init-ca", "--dir", fixture.otherDir, "--name", "Some other CA")
        fixture.pki("issue-agent", "--dir", fixture.otherDir, "--agent-id", "a1")
        return fixture
    }()

    /// Path of the checked-in tool, found from this file (Tests/AggregatorServerTests/ → repository root).
    static var toolPath: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("provisioning/v2g-pki").path
    }

    /// Runs v2g-pki and stops the tests on failure (a broken fixture makes every result meaningless).
    @discardableResult
    func pki(_ arguments: String...) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.toolPath)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try! process.run()
        process.waitUntilExit()
        precondition(process.terminationStatus == 0, "v2g-pki \(arguments.joined(separator: " ")) failed")
        return process.terminationStatus
    }

    /// An agent certificate of this CA, otherwise valid, that expired on 2020-01-02 (kept as `old` in keptDir).
    func writeExpiredAgent(_ id: String) throws {
        let kept = keptDir + "/\(id)"
        try run("/usr/bin/openssl", ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", kept + ".key"])
        try run("/usr/bin/openssl", ["req", "-new", "-config", dir + "/openssl.cnf", "-key", kept + ".key",
                                     "-subj", "/OU=v2g-agent/CN=\(id)", "-out", kept + ".csr"], san: "URI:urn:v2g:agent:\(id)")
        try run("/usr/bin/openssl", ["ca", "-batch", "-config", dir + "/openssl.cnf", "-extensions", "v3_agent",
                                     "-startdate", "20200101000000Z", "-enddate", "20200102000000Z", "-notext",
                                     "-in", kept + ".csr", "-out", kept + ".crt"], san: "URI:urn:v2g:agent:\(id)")
    }

    /// A certificate of this CA (kept as `janus` in keptDir) that names an agent and an operator at once: refused.
    func writeTwoFaced(_ name: String) throws {
        let kept = keptDir + "/\(name)"
        let san = "URI:urn:v2g:agent:\(name),URI:urn:v2g:operator:\(name)"
        try run("/usr/bin/openssl", ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", kept + ".key"])
        try run("/usr/bin/openssl", ["req", "-new", "-config", dir + "/openssl.cnf", "-key", kept + ".key",
                                     "-subj", "/OU=v2g-agent/CN=\(name)", "-out", kept + ".csr"], san: san)
        try run("/usr/bin/openssl", ["ca", "-batch", "-config", dir + "/openssl.cnf", "-extensions", "v3_agent", "-days", "30", "-notext",
                                     "-in", kept + ".csr", "-out", kept + ".crt"], san: san)
    }

    private func run(_ tool: String, _ arguments: [String], san: String = "URI:urn:v2g:agent:unset") throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.environment = ["V2G_PKI_DIR": dir, "V2G_PKI_SAN": san, "PATH": "/usr/bin:/bin"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw CocoaError(.fileWriteUnknown) }
    }

    /// A CRL of this CA whose nextUpdate is long past (openssl ca -crl_nextupdate, OpenSSL ≥ 3.0).
    func writeExpiredCRL(to path: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = [
            "ca", "-config", dir + "/openssl.cnf", "-gencrl", "-crl_lastupdate", "20200101000000Z",
            "-crl_nextupdate", "20200102000000Z", "-out", path,
        ]
        process.environment = ["V2G_PKI_DIR": dir, "V2G_PKI_SAN": "URI:urn:v2g:agent:unset", "PATH": "/usr/bin:/bin"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw CocoaError(.fileWriteUnknown) }
    }
}
