public import AggregatorKit
import EdgeCrypto
import FoundationEssentials
public import GridCore
public import MeshPlanner
import PolicyTrust

extension AggregatorConfig.Planner {
    /// The planner's settings (`stale_after_s` → `max_report_age_s`, `horizon_min`).
    public var plannerSettings: PlannerSettings {
        PlannerSettings(horizonMinutes: horizonMinutes, maxReportAgeS: staleAfterS)
    }

    /// Reads `root_file` (or `trustRootFile`) and the envelope key files and checks them together, as `serve` and
    /// `check-config` do before anything runs: each key is an envelope key of the root, no key twice, at least the
    /// role's threshold, the envelope validity within the root's `max_validity_s`, the root not expired at `now`.
    /// The error is one line naming the key of the configuration and the file.
    public func envelopeSigner(trustRootFile: String?, now: Timestamp) throws(AggregatorError) -> EnvelopeSigner {
        let rootKey = rootFile == nil ? "trust.root_file" : "planner.root_file"
        guard let rootPath = rootFile ?? trustRootFile else {
            throw .config("planner.root_file: required (the signed root whose envelope role authorises the keys)")
        }
        guard let data = FileManager.default.contents(atPath: rootPath) else {
            throw .config("\(rootKey): cannot read \(rootPath)")
        }
        let root: TrustRoot
        do { root = try TrustRoot(trusting: [UInt8](data)) } catch {
            throw .config("\(rootKey) \(rootPath): refused: \(error)")
        }
        let envelopeKeys = root.document.roleKeys(.envelope)
        var keys: [Ed25519PrivateKey] = []
        var seen: [String: String] = [:]
        for (i, path) in envelopeKeyFiles.enumerated() {
            let field = "planner.envelope_key_files[\(i)] \(path)"
            let key: Ed25519PrivateKey
            do { key = try Ed25519PrivateKey(pemFile: path) } catch {
                throw .config("\(field): \(error)")
            }
            let id = key.publicKey.keyID
            guard envelopeKeys[id] != nil else {
                let role = root.document.roles.first { $0.value.keyIDs.contains(id) }?.key
                throw .config(
                    "\(field): key \(id.prefix(16)) is not an envelope key of root version \(root.version) (\(rootPath))"
                        + (role.map { ": it is a \($0.rawValue) key" } ?? "")
                        + "; its envelope keys: \(envelopeKeys.keys.sorted().map { String($0.prefix(16)) }.joined(separator: ", "))")
            }
            if let other = seen[id] { throw .config("\(field): the same key as \(other): a key counts once toward the threshold") }
            seen[id] = path
            keys.append(key)
        }
        let threshold = root.document.threshold(.envelope)
        guard keys.count >= threshold else {
            throw .config(
                "planner.envelope_key_files: \(keys.count) envelope key\(keys.count == 1 ? "" : "s") given, root version \(root.version) needs \(threshold)")
        }
        let maxS = root.document.envelopeMaxValidityS
        guard resolvedValidityS <= Double(maxS) else {
            let source = envelopeValidityS == nil ? " (the default, 2 × period_s + 15)" : ""
            throw .config(
                "planner.envelope_validity_s: \(resolvedValidityS) s\(source) is above the envelope max_validity_s of root version \(root.version), \(maxS) s: agents would refuse every envelope; lower it (or period_s)")
        }
        do {
            return try EnvelopeSigner(root: root, keys: keys, validityS: resolvedValidityS, now: now)
        } catch {
            throw .config("planner: the envelope keys and \(rootPath) do not sign a valid envelope: \(error.message)")
        }
    }
}
