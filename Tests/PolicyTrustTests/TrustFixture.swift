import EdgeCrypto
import GridCore
import PolicyTrust

/// Deterministic keys and roots with a frozen clock: key(n) has the 32-byte seed n, n, …, n.
enum TrustFixture {
    /// The frozen "now" of every test.
    static let now = Timestamp(rfc3339: "2026-06-01T00:00:00Z")!
    static let inAYear = Timestamp(rfc3339: "2027-06-01T00:00:00Z")!
    static let agent = AgentIdentity(id: "tx-0412", groups: ["feeder-12"])

    static func key(_ n: UInt8) -> Ed25519PrivateKey {
        // A fixed seed is a valid Ed25519 private key; this cannot fail.
        try! Ed25519PrivateKey(rawRepresentation: [UInt8](repeating: n, count: 32))
    }

    /// A root document with the given key numbers per role.
    static func document(
        version: Int = 1, root: [UInt8] = [1], rootThreshold: Int = 1, policy: [UInt8] = [11], policyThreshold: Int = 1,
        envelope: [UInt8] = [21], expires: Timestamp = inAYear
    ) -> RootDocument {
        let all = Set(root + policy + envelope).sorted().map { key($0).publicKey }
        return RootDocument(
            version: version, expires: expires, keys: all,
            roles: [
                .root: RoleKeys(keyIDs: root.map { key($0).publicKey.keyID }, threshold: rootThreshold),
                .policy: RoleKeys(keyIDs: policy.map { key($0).publicKey.keyID }, threshold: policyThreshold),
                .envelope: RoleKeys(keyIDs: envelope.map { key($0).publicKey.keyID }, threshold: 1),
            ])
    }

    static func signed(_ document: RootDocument, by signers: [UInt8]) throws -> [UInt8] {
        try document.signed(by: signers.map(key))
    }

    /// A trusted root (version 1, root key 1, policy keys as given).
    static func root(policy: [UInt8] = [11], policyThreshold: Int = 1, expires: Timestamp = inAYear) throws -> TrustRoot {
        let document = document(policy: policy, policyThreshold: policyThreshold, expires: expires)
        return try TrustRoot(trusting: signed(document, by: [1]))
    }

    /// The payload of a bundle, written by hand as an independent signer would.
    static func payload(
        version: Int = 7, expires: String = "2026-07-01T00:00:00Z", targets: String = #"["*"]"#,
        policy: String = #"{"volt_var": {"v_ref_pu": 1.0, "v1_pu": 0.92, "q1_pu": 0.44, "v2_pu": 0.98, "q2_pu": 0, "v3_pu": 1.02, "q3_pu": 0, "v4_pu": 1.08, "q4_pu": -0.44, "response_time_s": 5}}"#
    ) -> [UInt8] {
        Array(#"{"type": "policy", "version": \#(version), "expires": "\#(expires)", "targets": \#(targets), "policy": \#(policy)}"#.utf8)
    }

    /// An envelope of `payload` signed by the keys numbered `signers`.
    static func bundle(
        _ payload: [UInt8] = payload(), signers: [UInt8] = [11], payloadType: String = PolicyBundle.payloadType
    ) throws -> [UInt8] {
        try DSSEEnvelope.signed(payloadType: payloadType, payload: payload, by: signers.map(key)).serialized()
    }

    /// Verifies for the fixture agent at the frozen clock and returns the refusal code, or nil if accepted.
    static func refusal(_ bytes: [UInt8], root: TrustRoot, installed: Int = 0, agent: AgentIdentity = agent, maxBytes: Int = PolicyBundle.defaultMaxBytes) -> BundleRefusal? {
        do {
            _ = try PolicyBundle.verify(bytes, root: root, agent: agent, installedVersion: installed, now: now, maxBytes: maxBytes)
            return nil
        } catch {
            return error
        }
    }

    /// The envelope's JSON text with one substring replaced (to tamper with it).
    static func edited(_ bytes: [UInt8], _ old: String, _ new: String) -> [UInt8] {
        let text = String(decoding: bytes, as: UTF8.self)
        precondition(text.contains(old), "\(old) not in the text")
        return Array(text.replacingOccurrences(of: old, with: new).utf8)
    }
}

extension String {
    /// Foundation-free substring replacement for the fixtures.
    func replacingOccurrences(of old: String, with new: String) -> String {
        var out = ""
        var rest = Substring(self)
        while let range = rest.firstRange(of: old) {
            out += rest[..<range.lowerBound]
            out += new
            rest = rest[range.upperBound...]
        }
        return out + rest
    }
}
