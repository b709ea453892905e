public import EdgeCrypto
public import GridCore
import FoundationEssentials
import StrictJSON

/// A role that the root delegates: who may sign what, and how many of them must.
public enum TrustRole: String, Sendable, Hashable, CaseIterable {
    /// Signs new roots (rotation) together with the next root's own root keys.
    case root
    /// Signs policy bundles.
    case policy
    /// Signs the aggregator's short-lived envelopes.
    case envelope
}

/// The keys of one role and its threshold.
public struct RoleKeys: Sendable, Hashable {
    /// Key ids (lowercase hex SHA-256 of the raw public key), each listed once.
    public var keyIDs: [String]
    /// How many distinct keys of the role must sign, 1…keyIDs.count.
    public var threshold: Int

    public init(keyIDs: [String], threshold: Int) {
        self.keyIDs = keyIDs
        self.threshold = threshold
    }
}

/// The content of a root (`root.json`'s payload): the keys, the roles and the dates. Unsigned; `TrustRoot`
/// is a root whose signatures were checked.
public struct RootDocument: Sendable {
    public var version: Int
    public var expires: Timestamp
    /// Every key the roles name, by key id.
    public var keys: [String: Ed25519PublicKey]
    /// All three roles.
    public var roles: [TrustRole: RoleKeys]
    /// The longest an envelope may be valid for (its `valid_until` minus its issue time), 1…86 400 s.
    public var envelopeMaxValidityS: Int

    public static let envelopeMaxValidityRange = 1...86_400

    public init(
        version: Int, expires: Timestamp, keys: [Ed25519PublicKey], roles: [TrustRole: RoleKeys],
        envelopeMaxValidityS: Int = 300
    ) {
        self.version = version
        self.expires = expires
        self.keys = Dictionary(keys.map { ($0.keyID, $0) }, uniquingKeysWith: { first, _ in first })
        self.roles = roles
        self.envelopeMaxValidityS = envelopeMaxValidityS
    }

    /// The role's keys (empty if the role is missing, which a parsed root never is).
    public func roleKeys(_ role: TrustRole) -> [String: Ed25519PublicKey] {
        var found: [String: Ed25519PublicKey] = [:]
        for id in roles[role]?.keyIDs ?? [] { found[id] = keys[id] }
        return found
    }

    /// The role's threshold (at least 1).
    public func threshold(_ role: TrustRole) -> Int { max(1, roles[role]?.threshold ?? 1) }

    /// The payload as JSON, keys sorted.
    public func payload() -> [UInt8] {
        struct Wire: Encodable {
            struct Key: Encodable {
                let keytype: String
                let `public`: String
            }
            struct Role: Encodable {
                let keyids: [String]
                let threshold: Int
                let max_validity_s: Int?
            }
            let type: String
            let version: Int
            let expires: String
            let keys: [String: Key]
            let roles: [String: Role]
        }
        var roleEntries: [String: Wire.Role] = [:]
        for (role, entry) in roles {
            roleEntries[role.rawValue] = Wire.Role(
                keyids: entry.keyIDs, threshold: entry.threshold,
                max_validity_s: role == .envelope ? envelopeMaxValidityS : nil)
        }
        let wire = Wire(
            type: "root", version: version, expires: expires.rfc3339,
            keys: keys.mapValues { Wire.Key(keytype: "ed25519", public: Hex.encode($0.rawRepresentation)) },
            roles: roleEntries)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? Array(encoder.encode(wire))) ?? []
    }

    /// The signed root (a DSSE envelope of type `TrustRoot.payloadType`).
    public func signed(by keys: [Ed25519PrivateKey]) throws -> [UInt8] {
        try DSSEEnvelope.signed(payloadType: TrustRoot.payloadType, payload: payload(), by: keys).serialized()
    }
}
