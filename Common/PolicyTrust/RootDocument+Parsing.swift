import EdgeCrypto
import GridCore
import StrictJSON

extension RootDocument {
    /// Reads a root payload strictly. MALFORMED for any schema problem (a key id that is not the SHA-256 of
    /// its key, a threshold outside 1…keys, a role naming a key that is not listed); DUPLICATE_KEY for one
    /// public key under two ids, or one id twice in a role.
    static func parse(_ payload: [UInt8]) throws(BundleRefusal) -> RootDocument {
        let parsed: Parsed
        do {
            parsed = try Parsed(StrictJSON.parse(payload))
        } catch {
            throw BundleRefusal(.malformed, "root payload: \(error)")
        }
        var seen: [[UInt8]: String] = [:]
        for (id, raw) in parsed.publicKeys {
            if let first = seen[raw] {
                throw BundleRefusal(.duplicateKey, "root keys \(short(first)) and \(short(id)) are the same public key")
            }
            seen[raw] = id
        }
        var keys: [String: Ed25519PublicKey] = [:]
        for (id, raw) in parsed.publicKeys {
            guard id == Hex.encode(SHA256.hash(raw)) else {
                throw BundleRefusal(.malformed, "root keys.\(id): the key id is not the SHA-256 of the public key")
            }
            do {
                keys[id] = try Ed25519PublicKey(rawRepresentation: raw)
            } catch {
                throw BundleRefusal(.malformed, "root keys.\(id): not an Ed25519 public key: \(error)")
            }
        }
        for role in TrustRole.allCases {
            guard let entry = parsed.roles[role] else { continue }
            var listed: Set<String> = []
            for id in entry.keyIDs {
                guard listed.insert(id).inserted else {
                    throw BundleRefusal(.duplicateKey, "root roles.\(role.rawValue).keyids lists \(short(id)) twice")
                }
                guard keys[id] != nil else {
                    throw BundleRefusal(.malformed, "root roles.\(role.rawValue).keyids: \(short(id)) is not in keys")
                }
            }
            guard (1...max(1, entry.keyIDs.count)).contains(entry.threshold), !entry.keyIDs.isEmpty else {
                throw BundleRefusal(
                    .malformed,
                    "root roles.\(role.rawValue).threshold = \(entry.threshold) is outside the allowed range 1…\(entry.keyIDs.count) (the role's key count)")
            }
        }
        return RootDocument(
            version: parsed.version, expires: parsed.expires, keys: Array(keys.values), roles: parsed.roles,
            envelopeMaxValidityS: parsed.envelopeMaxValidityS)
    }

    /// The payload's fields as written, before the cross-checks.
    private struct Parsed {
        var version: Int
        var expires: Timestamp
        var publicKeys: [(id: String, raw: [UInt8])] = []
        var roles: [TrustRole: RoleKeys] = [:]
        var envelopeMaxValidityS = 0

        init(_ node: JSONNode) throws(StrictJSONError) {
            let top = try node.object("")
            try top.refuseUnknownKeys(["type", "version", "expires", "keys", "roles"])
            let typeNode = try top.require("type")
            guard try typeNode.string("type") == "root" else {
                throw .schema(line: typeNode.line, field: "type", "must be \"root\"")
            }
            version = try top.require("version").int("version", in: 1...Int(Int32.max))
            expires = try readTime(top.require("expires"), "expires")
            let keys = try top.require("keys").object("keys")
            for member in keys.members {
                let key = try member.node.object(keys.path(member.key))
                try key.refuseUnknownKeys(["keytype", "public"])
                let typeNode = try key.require("keytype")
                guard try typeNode.string(key.path("keytype")) == "ed25519" else {
                    throw .schema(line: typeNode.line, field: key.path("keytype"), "must be \"ed25519\"")
                }
                let publicNode = try key.require("public")
                let text = try publicNode.string(key.path("public"))
                guard text.utf8.count == 64, text == text.lowercased(), let raw = Hex.decode(text) else {
                    throw .schema(line: publicNode.line, field: key.path("public"), "must be 64 lowercase hex digits (the raw 32-byte key)")
                }
                publicKeys.append((member.key, raw))
            }
            let roles = try top.require("roles").object("roles")
            try roles.refuseUnknownKeys(TrustRole.allCases.map(\.rawValue))
            for role in TrustRole.allCases {
                let entry = try roles.require(role.rawValue).object(roles.path(role.rawValue))
                try entry.refuseUnknownKeys(role == .envelope ? ["keyids", "threshold", "max_validity_s"] : ["keyids", "threshold"])
                var ids: [String] = []
                for (index, idNode) in try entry.require("keyids").array(entry.path("keyids")).enumerated() {
                    ids.append(try idNode.string(entry.path("keyids") + "[\(index)]"))
                }
                let threshold = try entry.require("threshold").int(entry.path("threshold"))
                self.roles[role] = RoleKeys(keyIDs: ids, threshold: threshold)
                if role == .envelope {
                    envelopeMaxValidityS = try entry.require("max_validity_s")
                        .int(entry.path("max_validity_s"), in: RootDocument.envelopeMaxValidityRange)
                }
            }
        }
    }
}

/// An RFC 3339 time field.
func readTime(_ node: JSONNode, _ field: String) throws(StrictJSONError) -> Timestamp {
    let text = try node.string(field)
    guard let time = Timestamp(rfc3339: text) else {
        throw .schema(line: node.line, field: field, "\"\(text)\" is not an RFC 3339 time (e.g. 2027-01-31T00:00:00Z)")
    }
    return time
}

/// The first 16 hex digits of a key id, for messages.
func short(_ keyID: String) -> String {
    keyID.utf8.count > 16 ? String(keyID.prefix(16)) + "…" : keyID
}
