import EdgeCrypto

/// The checks every signed document goes through, in the contract's order:
/// OVERSIZE, MALFORMED, WRONG_PAYLOAD_TYPE, UNSIGNED, DUPLICATE_KEY, UNKNOWN_KEY, BAD_SIGNATURE, THRESHOLD_NOT_MET.
enum SignatureCheck {
    /// One set of keys that must reach its threshold (a rotation has two: the old root's and the new one's).
    struct Requirement {
        var label: String
        var keys: [String: Ed25519PublicKey]
        var threshold: Int
    }

    /// Steps 1–5: size, envelope, payload type, at least one signature, no key id twice.
    static func readEnvelope(_ bytes: [UInt8], payloadType: String, maxBytes: Int, what: String) throws(BundleRefusal) -> DSSEEnvelope {
        guard bytes.count <= maxBytes else {
            throw BundleRefusal(.oversize, "\(what) is \(bytes.count) bytes, over the \(maxBytes)-byte cap")
        }
        let envelope = try DSSEEnvelope(parsing: bytes)
        guard envelope.payloadType == payloadType else {
            throw BundleRefusal(.wrongPayloadType, "payloadType is \"\(envelope.payloadType)\", expected \"\(payloadType)\"")
        }
        guard !envelope.signatures.isEmpty else { throw BundleRefusal(.unsigned, "the \(what) carries no signature") }
        var seen: Set<String> = []
        for signature in envelope.signatures where !seen.insert(signature.keyID).inserted {
            throw BundleRefusal(.duplicateKey, "key \(short(signature.keyID)) signed twice; one key counts once")
        }
        return envelope
    }

    /// Steps 5–8 against the keys of `requirements`. Signatures by keys of none of them are ignored, as DSSE
    /// says; a signature by one of them that does not verify is refused outright, since no honest signer
    /// makes one; each requirement then needs `threshold` distinct keys of its own. Returns the signers.
    @discardableResult
    static func authenticate(_ envelope: DSSEEnvelope, requirements: [Requirement]) throws(BundleRefusal) -> [String] {
        var known: [String: Ed25519PublicKey] = [:]
        for requirement in requirements { known.merge(requirement.keys) { first, _ in first } }
        // Two ids for one public key would count it twice; a checked root never lists one, but the threshold
        // must not depend on that.
        var keysSeen: [[UInt8]: String] = [:]
        for signature in envelope.signatures {
            guard let key = known[signature.keyID] else { continue }
            if let other = keysSeen[key.rawRepresentation] {
                throw BundleRefusal(.duplicateKey, "keys \(short(other)) and \(short(signature.keyID)) are the same public key")
            }
            keysSeen[key.rawRepresentation] = signature.keyID
        }
        let relevant = envelope.signatures.filter { known[$0.keyID] != nil }
        guard !relevant.isEmpty else {
            let signers = envelope.signatures.map { short($0.keyID) }.joined(separator: ", ")
            let roles = requirements.map(\.label).joined(separator: " or ")
            throw BundleRefusal(.unknownKey, "no signature is by a key of \(roles) (signed by \(signers))")
        }
        let message = envelope.pae
        for signature in relevant {
            guard let key = known[signature.keyID], key.isValidSignature(signature.bytes, for: message) else {
                throw BundleRefusal(
                    .badSignature,
                    "the signature by key \(short(signature.keyID)) does not verify (the payload or signature was changed after signing)")
            }
        }
        let valid = Set(relevant.map(\.keyID))
        for requirement in requirements {
            let count = valid.filter { requirement.keys[$0] != nil }.count
            guard count >= requirement.threshold else {
                throw BundleRefusal(
                    .thresholdNotMet,
                    "\(count) valid signature\(count == 1 ? "" : "s") by \(requirement.label), threshold \(requirement.threshold)")
            }
        }
        return relevant.map(\.keyID)
    }
}
