public import EdgeCrypto
public import GridCore
public import PolicyTrust

/// Keys, roots and bundles for the aggregator's rollout tests and benchmark: a root of trust whose keys come from
/// fixed seeds, and bundles signed through the real signer (`PolicyBundle.sign`), or by hand where a test needs
/// a bundle the signer refuses to make (a value out of range).
public struct SignedPolicyFixture: Sendable {
    /// Root key 1 and 2 (threshold 1), policy key 11, envelope key 21; `rootVersion` 1 expires `expires`.
    public let root: TrustRoot
    public let expires: Timestamp

    public init(expires: Timestamp) {
        self.expires = expires
        // A fixed document signed by fixed keys: this cannot fail.
        root = try! TrustRoot(trusting: Self.document(version: 1, policy: [11], expires: expires).signed(by: [Self.key(1)]))
    }

    /// A private key whose 32-byte seed is n, n, …, n.
    public static func key(_ n: UInt8) -> Ed25519PrivateKey {
        try! Ed25519PrivateKey(rawRepresentation: [UInt8](repeating: n, count: 32))
    }

    /// A root document: root key 1, policy keys as given, envelope key 21.
    public static func document(version: Int, policy: [UInt8], expires: Timestamp) -> RootDocument {
        let keys = Set([1] + policy + [21]).sorted().map { key($0).publicKey }
        return RootDocument(
            version: version, expires: expires, keys: keys,
            roles: [
                .root: RoleKeys(keyIDs: [key(1).publicKey.keyID], threshold: 1),
                .policy: RoleKeys(keyIDs: policy.map { key($0).publicKey.keyID }, threshold: 1),
                .envelope: RoleKeys(keyIDs: [key(21).publicKey.keyID], threshold: 1),
            ])
    }

    /// Root version 2 rotating the policy key to `policy`, signed by root key 1 (the old and the new root role).
    public func nextRoot(policy: [UInt8] = [12]) -> [UInt8] {
        try! Self.document(version: 2, policy: policy, expires: expires).signed(by: [Self.key(1)])
    }

    /// A valid bundle of `policy` (defaults written out) as version `version`, signed by policy key `signer`.
    public func bundle(
        version: Int, policy: ControlPolicy = ControlPolicy(), targets: [PolicyTarget] = [.everyAgent], signer: UInt8 = 11,
        expires: Timestamp? = nil, now: Timestamp
    ) throws -> [UInt8] {
        try PolicyBundle.sign(
            policy: policy, version: version, expires: expires ?? self.expires, targets: targets, keys: [Self.key(signer)], root: root, now: now)
    }

    /// A bundle signed by policy key 11 with a hand-written payload (for what the signer refuses to write).
    public static func handSigned(
        version: Int, expires: String, targets: String = #"["*"]"#, policy: String = "{}", signer: UInt8 = 11
    ) throws -> [UInt8] {
        let payload = Array(#"{"type": "policy", "version": \#(version), "expires": "\#(expires)", "targets": \#(targets), "policy": \#(policy)}"#.utf8)
        return try DSSEEnvelope.signed(payloadType: PolicyBundle.payloadType, payload: payload, by: [key(signer)]).serialized()
    }
}
