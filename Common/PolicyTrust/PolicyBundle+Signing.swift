public import EdgeCrypto
public import GridCore
import FoundationEssentials

extension PolicyBundle {
    /// Signs `policy` as bundle `version` for `targets` with `keys`, which must be distinct policy keys of
    /// `root`, at least its threshold. Refuses (BundleRefusal) a policy out of range, a version below 1, no
    /// targets, an `expires` not after `now`, or an expired root; then checks the written bundle with
    /// `verifyForRollout`, so nothing is written that an agent would refuse for its content or signatures.
    /// Other errors are the crypto library's.
    public static func sign(
        policy: ControlPolicy, version: Int, expires: Timestamp, targets: [PolicyTarget],
        keys: [Ed25519PrivateKey], root: TrustRoot, now: Timestamp
    ) throws -> [UInt8] {
        let problems = policy.problems()
        guard problems.isEmpty else { throw BundleRefusal(.outOfRange, problems.map(\.message).joined(separator: "; ")) }
        guard (1...Int(Int32.max)).contains(version) else {
            throw BundleRefusal(.malformed, "version = \(version) is outside the allowed range 1…\(Int32.max)")
        }
        guard !targets.isEmpty else { throw BundleRefusal(.malformed, "no target: name \"*\", a group:NAME or an agent id") }
        guard expires > now else {
            throw BundleRefusal(.expired, "expires \(expires.rfc3339) is not after now (\(now.rfc3339))")
        }
        try root.refuseIfExpired(now: now)
        try root.refuseUnlessSigningKeys(keys, of: .policy)

        var signed = policy
        signed.version = version
        let payload = try Self.payload(policy: signed, version: version, expires: expires, targets: targets)
        let bytes = try DSSEEnvelope.signed(payloadType: payloadType, payload: payload, by: keys).serialized()
        let check = try verifyForRollout(bytes, root: root, now: now)
        // A field that does not survive encoding would make agents apply something else than was validated.
        guard check.policy == signed else {
            throw BundleRefusal(.malformed, "the policy does not read back as written (an encoding bug); nothing was signed")
        }
        return bytes
    }

    /// The payload JSON, keys sorted.
    static func payload(policy: ControlPolicy, version: Int, expires: Timestamp, targets: [PolicyTarget]) throws -> [UInt8] {
        struct Wire: Encodable {
            let type = "policy"
            let version: Int
            let expires: String
            let targets: [String]
            let policy: ControlPolicy
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let wire = Wire(version: version, expires: expires.rfc3339, targets: targets.map(\.description), policy: policy)
        return Array(try encoder.encode(wire))
    }
}
