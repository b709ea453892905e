import GridCore
import PolicyTrust
import StrictJSON

/// `v2g-adm policy diff A B`: the fields that differ between two policies or bundles, one per line as
/// "field: old → new", with every default written out so that an omitted key and its default compare equal.
public enum PolicyDiff {
    /// The differing lines (empty when the two say the same). Bundles are read without checking signatures.
    public static func lines(_ a: (path: String, bytes: [UInt8]), _ b: (path: String, bytes: [UInt8])) throws(TrustToolError) -> [String] {
        let old = try leaves(a.bytes, path: a.path)
        let new = try leaves(b.bytes, path: b.path)
        return Set(old.keys).union(new.keys).sorted().compactMap { field in
            let before = old[field] ?? "(absent)"
            let after = new[field] ?? "(absent)"
            return before == after ? nil : "\(field): \(before) → \(after)"
        }
    }

    /// Every leaf of the policy (and, for a bundle, its version, expiry and targets) by path.
    static func leaves(_ bytes: [UInt8], path: String) throws(TrustToolError) -> [String: String] {
        var found: [String: String] = [:]
        let policy: ControlPolicy
        if isEnvelope(bytes) {
            let bundle: PolicyBundle.Unverified
            do {
                bundle = try PolicyBundle.inspect(bytes)
            } catch {
                throw .refused(path, error.description)
            }
            found["bundle.version"] = "\(bundle.version)"
            found["bundle.expires"] = bundle.expires.rfc3339
            found["bundle.targets"] = bundle.targets.map(\.description).joined(separator: ", ")
            policy = bundle.policy
        } else {
            do {
                policy = try PolicyDocument.decode(bytes)
            } catch {
                throw .invalidPolicy(["\(path):\(error.line): \(error.field.isEmpty ? "" : error.field + ": ")\(error.reason)"])
            }
        }
        do {
            flatten(try StrictJSON.parse(PolicyDocument.encode(policy)), path: "", into: &found)
        } catch {
            throw .refused(path, "cannot encode the policy: \(error)")
        }
        return found
    }

    private static func isEnvelope(_ bytes: [UInt8]) -> Bool {
        guard let top = try? StrictJSON.parse(bytes).object("") else { return false }
        return top.optional("payloadType") != nil
    }

    private static func flatten(_ node: JSONNode, path: String, into found: inout [String: String]) {
        switch node.value {
        case .object(let members):
            for member in members { flatten(member.node, path: path.isEmpty ? member.key : "\(path).\(member.key)", into: &found) }
        case .array(let elements):
            for (index, element) in elements.enumerated() { flatten(element, path: "\(path)[\(index)]", into: &found) }
        case .string(let text): found[path] = "\"\(text)\""
        case .number(let text): found[path] = text
        case .bool(let flag): found[path] = "\(flag)"
        case .null: found[path] = "null"
        }
    }
}
