public import GridCore
public import PolicyTrust

/// What `v2g-adm keys list` prints: the root's version and expiry, then each role with its threshold and keys.
public enum KeyListing {
    /// `keyFiles` maps key ids to the private key files found (empty when listing a bare root file).
    public static func text(root: TrustRoot, keyFiles: [String: String], previousVersions: [Int], now: Timestamp) -> String {
        let document = root.document
        let state = root.isExpired(at: now) ? "EXPIRED" : "valid"
        var lines = ["root version \(document.version), expires \(document.expires.rfc3339) (\(state))"]
        for role in TrustRole.allCases {
            let entry = document.roles[role] ?? RoleKeys(keyIDs: [], threshold: 0)
            var header = "role \(role.rawValue): threshold \(entry.threshold) of \(entry.keyIDs.count)"
            if role == .envelope { header += ", envelopes valid at most \(document.envelopeMaxValidityS) s" }
            lines.append(header)
            for id in entry.keyIDs {
                lines.append("  \(id)" + (keyFiles[id].map { "  \($0)" } ?? ""))
            }
        }
        if !previousVersions.isEmpty {
            lines.append("versions kept: " + previousVersions.map(String.init).joined(separator: ", "))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
