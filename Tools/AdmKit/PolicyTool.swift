public import EdgeCrypto
public import GridCore
public import PolicyTrust
import StrictJSON

/// The logic of `v2g-adm policy …`, apart from argument parsing: every command reads files here and calls
/// PolicyTrust, so that what it checks is what the agent and the aggregator check.
public enum PolicyTool {
    /// One line per problem, "FILE:LINE: field: reason" for a schema error, "FILE: field = value is outside …"
    /// for each range problem; empty when the policy is valid.
    public static func problems(in bytes: [UInt8], fileName: String) -> [String] {
        let policy: ControlPolicy
        do {
            policy = try PolicyDocument.decode(bytes)
        } catch {
            return ["\(fileName):\(error.line): \(error.field.isEmpty ? "" : error.field + ": ")\(error.reason)"]
        }
        return policy.problems().map { "\(fileName): \($0.message)" }
    }

    /// A policy file, decoded and valid, or the lines saying why not.
    public static func readValidPolicy(path: String) throws(TrustToolError) -> ControlPolicy {
        let bytes = try TrustFiles.read(path)
        let found = problems(in: bytes, fileName: path)
        guard found.isEmpty else { throw .invalidPolicy(found) }
        do {
            return try PolicyDocument.decode(bytes)
        } catch {
            throw .invalidPolicy(["\(path):\(error.line): \(error.reason)"])
        }
    }

    /// Signs a policy file into a bundle file; refuses an invalid policy, keys outside the root's policy
    /// role or below its threshold, and an `expires` in the past.
    public static func sign(
        rootPath: String, policyPath: String, version: Int, expires: Timestamp, targets: [String],
        keyPaths: [String], outPath: String, now: Timestamp
    ) throws(TrustToolError) -> PolicyBundle {
        let root = try KeyDirectory.loadRoot(path: rootPath)
        let policy = try readValidPolicy(path: policyPath)
        var selectors: [PolicyTarget] = []
        for text in targets {
            guard let target = PolicyTarget(selector: text) else {
                throw .badOption("--target \(text)", "not \"*\", \"group:NAME\" or an agent id (\(PolicyTarget.nameRule))")
            }
            selectors.append(target)
        }
        var keys: [Ed25519PrivateKey] = []
        for path in keyPaths { keys.append(try KeyDirectory.loadKey(path)) }
        let bytes: [UInt8]
        do {
            bytes = try PolicyBundle.sign(
                policy: policy, version: version, expires: expires, targets: selectors, keys: keys, root: root, now: now)
        } catch let refusal as BundleRefusal {
            throw .refused("refusing to sign", refusal.description)
        } catch {
            throw .badKey("(signing)", "\(error)")
        }
        try TrustFiles.write(bytes, to: outPath)
        do {
            return try PolicyBundle.verifyForRollout(bytes, root: root, now: now)
        } catch {
            throw .refused(outPath, error.description)
        }
    }

    /// `policy verify`: "ACCEPTED version V" or "REFUSED CODE: reason", through `PolicyBundle.verify`, the
    /// agent's own path. A root or bundle that cannot be read is a `TrustToolError` (no verdict).
    public static func verify(
        rootPath: String, bundlePath: String, agent: AgentIdentity, installedVersion: Int, now: Timestamp
    ) throws(TrustToolError) -> (accepted: Bool, line: String) {
        let root = try KeyDirectory.loadRoot(path: rootPath)
        let bytes = try TrustFiles.read(bundlePath)
        do {
            let bundle = try PolicyBundle.verify(bytes, root: root, agent: agent, installedVersion: installedVersion, now: now)
            return (true, "ACCEPTED version \(bundle.version)")
        } catch {
            return (false, "REFUSED \(error.code.rawValue): \(error.reason)")
        }
    }
}

extension PolicyTool {
    /// `policy diff`: the differing fields of two files, old → new.
    public static func diff(oldPath: String, newPath: String) throws(TrustToolError) -> [String] {
        try PolicyDiff.lines((oldPath, try TrustFiles.read(oldPath)), (newPath, try TrustFiles.read(newPath)))
    }
}
