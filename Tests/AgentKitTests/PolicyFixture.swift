@testable import AgentKit
import EdgeCrypto
import Foundation
import PeerProcesses
import GridCore
import Logging
import PolicyTrust

/// Keys, roots and bundles for the agent's signed-policy tests, made with the public signing API (and, for the
/// tampered ones, with DSSE directly), under a frozen clock.
enum PolicyFixture {
    /// The frozen "now": the agent's clock stands still here (scale 0).
    static let now = Timestamp(rfc3339: "2026-06-01T00:00:00Z")!
    static let frozen = AgentClock(wallStartS: 0, simulatedStartS: now.secondsSinceEpoch, scale: 0)
    static let agentID = "tx-0412"
    static let agent = AgentIdentity(id: agentID, groups: ["feeder-12"])
    static let logger = Logger(label: "test.policy", factory: { _ in SwiftLogNoOpLogHandler() })

    /// Key number `n`: the 32-byte seed n, n, …, n.
    static func key(_ n: UInt8) -> Ed25519PrivateKey {
        // A fixed 32-byte seed is always a valid Ed25519 private key.
        try! Ed25519PrivateKey(rawRepresentation: [UInt8](repeating: n, count: 32))
    }

    /// Root `version` with root keys, policy keys (and threshold) by number; envelope key 21.
    static func rootDocument(
        version: Int = 1, rootKeys: [UInt8] = [1], policyKeys: [UInt8] = [11], policyThreshold: Int = 1,
        expires: String = "2027-06-01T00:00:00Z"
    ) -> RootDocument {
        let numbers = Set(rootKeys + policyKeys + [21]).sorted()
        return RootDocument(
            version: version, expires: Timestamp(rfc3339: expires)!, keys: numbers.map { key($0).publicKey },
            roles: [
                .root: RoleKeys(keyIDs: rootKeys.map { key($0).publicKey.keyID }, threshold: 1),
                .policy: RoleKeys(keyIDs: policyKeys.map { key($0).publicKey.keyID }, threshold: policyThreshold),
                .envelope: RoleKeys(keyIDs: [key(21).publicKey.keyID], threshold: 1),
            ])
    }

    /// A signed root envelope.
    static func root(_ document: RootDocument = rootDocument(), signers: [UInt8] = [1]) throws -> [UInt8] {
        try document.signed(by: signers.map(key))
    }

    /// A policy that the agent accepts: the built-in one with a recognisable transformer rating.
    static func policy(ratedKVA: Double = 250) -> ControlPolicy {
        var policy = ControlPolicy()
        policy.transformer.ratedKVA = ratedKVA
        return policy
    }

    /// A correct bundle, signed with `PolicyBundle.sign` under `root`.
    static func bundle(
        version: Int, policy: ControlPolicy = policy(), targets: [PolicyTarget] = [.everyAgent], keys: [UInt8] = [11],
        root: TrustRoot, expires: String = "2026-09-01T00:00:00Z"
    ) throws -> [UInt8] {
        try PolicyBundle.sign(
            policy: policy, version: version, expires: Timestamp(rfc3339: expires)!, targets: targets, keys: keys.map(key),
            root: root, now: now)
    }

    /// The payload of a bundle written by hand (so that it may break what `sign` refuses to sign).
    static func payload(
        version: Int, expires: String = "2026-09-01T00:00:00Z", targets: String = #"["*"]"#,
        policy: String = #"{"transformer": {"rated_kva": 250}}"#
    ) -> [UInt8] {
        Array(#"{"type": "policy", "version": \#(version), "expires": "\#(expires)", "targets": \#(targets), "policy": \#(policy)}"#.utf8)
    }

    /// An envelope of `payload` signed by the keys numbered `signers`, as any DSSE signer writes it.
    static func envelope(_ payload: [UInt8], signers: [UInt8] = [11], payloadType: String = PolicyBundle.payloadType) throws -> [UInt8] {
        try DSSEEnvelope.signed(payloadType: payloadType, payload: payload, by: signers.map(key)).serialized()
    }
}

/// The scripted aggregator of the policy endpoints (Tests/peers/http/policy_aggregator.py) over mutual TLS, with its
/// state directory: what it serves is what the test writes there; what the agent sent is read back from it.
final class PolicyPeer: Sendable {
    let state: String
    let port: Int
    private let child: ChildProcess

    /// `port` 0 picks a free one; the same port again brings an aggregator back where the agent expects it.
    static func start(state: String, ca: String, port: Int = 0) async throws -> PolicyPeer {
        for folder in ["", "/roots", "/bundles"] {
            try FileManager.default.createDirectory(atPath: state + folder, withIntermediateDirectories: true)
        }
        let child = try await ChildProcess.start("/usr/bin/env", [
            "python3", "-u", "\(UplinkFixtures.root)/Tests/peers/http/policy_aggregator.py", state, "\(port)",
            "\(ca)/servers/localhost.crt", "\(ca)/servers/localhost.key", "\(ca)/ca.crt",
        ])
        guard let bound = Int(child.firstLine.trimmingCharacters(in: .whitespaces)) else {
            throw UplinkTestError(message: "the policy peer printed \(child.firstLine), not a port")
        }
        return PolicyPeer(state: state, port: bound, child: child)
    }

    private init(state: String, port: Int, child: ChildProcess) {
        self.state = state
        self.port = port
        self.child = child
    }

    var baseURL: String { "https://127.0.0.1:\(port)" }

    func serveRoot(_ bytes: [UInt8], version: Int) throws { try write(bytes, "roots/\(version).json") }
    func serveBundle(_ bytes: [UInt8], to agent: String = "all", etag: String? = nil) throws {
        try write(bytes, "bundles/\(agent).bundle")
        let tag = "\(state)/bundles/\(agent).etag"
        if let etag { try write(Array(etag.utf8), "bundles/\(agent).etag") } else { try? FileManager.default.removeItem(atPath: tag) }
    }
    func answerReports(with status: Int, error label: String? = nil) throws {
        try write(Array((label.map { "\(status) \($0)" } ?? "\(status)").utf8), "report_status")
    }

    /// The reports acknowledged so far, in order.
    func reports() throws -> [[String: Any]] { try lines("reports.jsonl").compactMap { $0["report"] as? [String: Any] } }
    /// Every request the peer answered, in order.
    func requests() throws -> [[String: Any]] { try lines("requests.jsonl") }

    private func write(_ bytes: [UInt8], _ name: String) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: "\(state)/\(name)"))
    }

    private func lines(_ name: String) throws -> [[String: Any]] {
        guard let data = FileManager.default.contents(atPath: "\(state)/\(name)") else { return [] }
        return try String(decoding: data, as: UTF8.self).split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:]
        }
    }
}

/// One PKI for the signed-policy tests: a CA, the server certificate for 127.0.0.1 and two agents' certificates.
actor PolicyPKI {
    static let shared = PolicyPKI()
    /// Kept for the whole run: its certificates are in use by every peer.
    /// nonisolated(unsafe): made once, then only its path is read.
    nonisolated(unsafe) private static let directory = try! TemporaryDirectory()
    /// The one making, shared by every caller (an actor method that awaits can be entered again meanwhile).
    private var making: Task<String, any Error>?

    func ca() async throws -> String {
        let task = making ?? Task { try await UplinkFixtures.pki(in: Self.directory, agents: [PolicyFixture.agentID, "tx-0413"]) }
        making = task
        return try await task.value
    }
}
