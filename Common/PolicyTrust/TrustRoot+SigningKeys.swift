import EdgeCrypto

extension TrustRoot {
    /// Before signing: `keys` must be distinct keys of `role`, at least its threshold (DUPLICATE_KEY, UNKNOWN_KEY,
    /// THRESHOLD_NOT_MET), so that a signer is told at once rather than by the verification of what it wrote.
    func refuseUnlessSigningKeys(_ keys: [Ed25519PrivateKey], of role: TrustRole) throws(BundleRefusal) {
        let roleKeys = document.roleKeys(role)
        var seen: Set<String> = []
        for key in keys {
            let id = key.publicKey.keyID
            guard seen.insert(id).inserted else { throw BundleRefusal(.duplicateKey, "key \(short(id)) given twice") }
            guard roleKeys[id] != nil else {
                throw BundleRefusal(.unknownKey, "key \(short(id)) is not a\(role == .envelope ? "n" : "") \(role.rawValue) key of root version \(version)")
            }
        }
        let threshold = document.threshold(role)
        guard keys.count >= threshold else {
            throw BundleRefusal(.thresholdNotMet, "\(keys.count) \(role.rawValue) key\(keys.count == 1 ? "" : "s") given, threshold \(threshold)")
        }
    }
}
