public import GridCore
import StrictJSON

/// A policy bundle that passed every check: a DSSE envelope of type `application/vnd.v2g-edge.policy+json`,
/// signed by a threshold of the root's policy keys, whose payload is
/// `{"type": "policy", "version": V, "expires": RFC 3339, "targets": [...], "policy": {...}}`.
public struct PolicyBundle: Sendable {
    public static let payloadType = "application/vnd.v2g-edge.policy+json"
    /// Bundles over this many bytes are refused before any parsing.
    public static let defaultMaxBytes = 256 * 1024

    public let version: Int
    public let expires: Timestamp
    public let targets: [PolicyTarget]
    /// The policy to apply; its `version` is the bundle's.
    public let policy: ControlPolicy
    /// Policy keys whose signatures verified.
    public let signerKeyIDs: [String]
    /// The envelope exactly as received (what the agent stores as its last-known-good).
    public let envelopeBytes: [UInt8]

    /// Verifies a bundle for one agent. This is the one path the agent, the aggregator and
    /// `v2g-adm policy verify` share. Checks, first failure wins: OVERSIZE, MALFORMED, WRONG_PAYLOAD_TYPE,
    /// UNSIGNED, DUPLICATE_KEY, UNKNOWN_KEY, BAD_SIGNATURE, THRESHOLD_NOT_MET, MALFORMED (payload), ROLLBACK
    /// (version ≤ `installedVersion`; 0 when running on the built-in policy), EXPIRED (the bundle or the root),
    /// WRONG_TARGET, OUT_OF_RANGE.
    public static func verify(
        _ bytes: [UInt8], root: TrustRoot, agent: AgentIdentity, installedVersion: Int, now: Timestamp,
        maxBytes: Int = defaultMaxBytes
    ) throws(BundleRefusal) -> PolicyBundle {
        try check(bytes, root: root, agent: agent, installedVersion: installedVersion, now: now, maxBytes: maxBytes)
    }

    /// The same checks without an agent: no ROLLBACK and no WRONG_TARGET. For the aggregator before it starts
    /// a rollout, and for `v2g-adm policy sign` checking what it wrote.
    public static func verifyForRollout(
        _ bytes: [UInt8], root: TrustRoot, now: Timestamp, maxBytes: Int = defaultMaxBytes
    ) throws(BundleRefusal) -> PolicyBundle {
        try check(bytes, root: root, agent: nil, installedVersion: nil, now: now, maxBytes: maxBytes)
    }

    private static func check(
        _ bytes: [UInt8], root: TrustRoot, agent: AgentIdentity?, installedVersion: Int?, now: Timestamp, maxBytes: Int
    ) throws(BundleRefusal) -> PolicyBundle {
        let verified = try root.authenticate(bytes, payloadType: payloadType, role: .policy, maxBytes: maxBytes)
        let content = try Content(verified.payload)
        if let installedVersion, content.version <= installedVersion {
            throw BundleRefusal(.rollback, "bundle version \(content.version) is not newer than the installed version \(installedVersion)")
        }
        try root.refuseIfExpired(now: now)
        guard content.expires > now else {
            throw BundleRefusal(.expired, "bundle version \(content.version) expired at \(content.expires.rfc3339) (now \(now.rfc3339))")
        }
        if let agent, !content.targets.contains(where: { $0.matches(agent) }) {
            let groups = agent.groups.isEmpty ? "no groups" : "groups " + agent.groups.joined(separator: ", ")
            throw BundleRefusal(
                .wrongTarget,
                "targets [\(content.targets.map(\.description).joined(separator: ", "))] do not include agent \(agent.id) (\(groups))")
        }
        let problems = content.policy.problems()
        guard problems.isEmpty else {
            throw BundleRefusal(.outOfRange, problems.map(\.message).joined(separator: "; "))
        }
        return PolicyBundle(
            version: content.version, expires: content.expires, targets: content.targets, policy: content.policy,
            signerKeyIDs: verified.signerKeyIDs, envelopeBytes: bytes)
    }

    /// The payload's fields, read strictly (step 9: MALFORMED).
    struct Content {
        var version: Int
        var expires: Timestamp
        var targets: [PolicyTarget]
        var policy: ControlPolicy

        init(_ payload: [UInt8]) throws(BundleRefusal) {
            do throws(StrictJSONError) {
                let top = try StrictJSON.parse(payload).object("")
                try top.refuseUnknownKeys(["type", "version", "expires", "targets", "policy"])
                let typeNode = try top.require("type")
                guard try typeNode.string("type") == "policy" else {
                    throw .schema(line: typeNode.line, field: "type", "must be \"policy\"")
                }
                version = try top.require("version").int("version", in: 1...Int(Int32.max))
                expires = try readTime(top.require("expires"), "expires")
                let targetNodes = try top.require("targets").array("targets")
                guard !targetNodes.isEmpty else {
                    throw .schema(line: top.node.line, field: "targets", "must name at least one target (\"*\" for every agent)")
                }
                targets = []
                for (index, node) in targetNodes.enumerated() {
                    let text = try node.string("targets[\(index)]")
                    guard let target = PolicyTarget(selector: text) else {
                        throw .schema(
                            line: node.line, field: "targets[\(index)]",
                            "\"\(text)\" is not \"*\", \"group:NAME\" or an agent id (\(PolicyTarget.nameRule))")
                    }
                    targets.append(target)
                }
                let policyNode = try top.require("policy")
                let policyObject = try policyNode.object("policy")
                if let inner = policyObject.optional("version"), try inner.int("policy.version") != version {
                    throw .schema(line: inner.line, field: "policy.version", "must be absent or equal to the bundle's version \(version)")
                }
                policy = try PolicyDocument.decode(payload, node: policyNode, field: "policy")
                policy.version = version
            } catch {
                throw BundleRefusal(.malformed, "bundle payload: \(error)")
            }
        }
    }
}

extension PolicyBundle {
    /// A bundle's content read WITHOUT checking its signatures, dates or targets: for display only
    /// (`v2g-adm policy diff`). Never apply a policy from here; use `verify`.
    public struct Unverified: Sendable {
        public let version: Int
        public let expires: Timestamp
        public let targets: [PolicyTarget]
        public let policy: ControlPolicy
    }

    /// Reads a bundle's envelope and payload strictly (MALFORMED, WRONG_PAYLOAD_TYPE); checks nothing else.
    public static func inspect(_ bytes: [UInt8]) throws(BundleRefusal) -> Unverified {
        let envelope = try DSSEEnvelope(parsing: bytes)
        guard envelope.payloadType == payloadType else {
            throw BundleRefusal(.wrongPayloadType, "payloadType is \"\(envelope.payloadType)\", expected \"\(payloadType)\"")
        }
        let content = try Content(envelope.payload)
        return Unverified(version: content.version, expires: content.expires, targets: content.targets, policy: content.policy)
    }
}

extension PolicyBundle {
    /// The version a new bundle must exceed, given the installed bundle: its version, unless its signatures
    /// no longer meet the current root's policy role (the policy keys were rotated), in which case 0.
    ///
    /// This is TUF's fast-forward recovery: a stolen policy key could sign version 2 147 483 647 and lock every
    /// agent out of later versions; rotating the policy keys in a new root then lets the next bundle in. A
    /// stored bundle that fails for any other reason (corrupt, changed) keeps its version as the floor, so a
    /// damaged file never opens the door to an older bundle.
    public static func rollbackFloor(installedBundle: [UInt8]?, installedVersion: Int, root: TrustRoot) -> Int {
        guard let installedBundle, installedVersion > 0 else { return installedVersion }
        do {
            _ = try root.authenticate(installedBundle, payloadType: payloadType, role: .policy, maxBytes: .max)
            return installedVersion
        } catch let refusal where refusal.code == .unknownKey || refusal.code == .thresholdNotMet {
            return 0
        } catch {
            return installedVersion
        }
    }
}
