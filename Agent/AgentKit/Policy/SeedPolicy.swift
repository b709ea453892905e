import FoundationEssentials
public import GridCore
public import Logging
import PolicyTrust

/// The local `policy_file`, offered to the loop's inbox at every start (commissioning).
///
/// - Without a `trust` section (a lab): a plain policy file, read strictly and range-checked.
/// - With one: it must be a signed bundle, verified exactly as a fetched one (`PolicyBundle.verify` against the root in
///   force, for this agent, above the highest version the cache accepted). A plain policy is refused then: a file on
///   the controller must not be a way around the signatures.
///
/// Either way a refusal is loud (log, event log, `POLICY_REFUSED` alarm) and the policy in force stays. A valid file
/// whose version is not newer than the cached policy (the same file at every start) is only noted.
public enum SeedPolicy {
    public static func offer(
        _ config: AgentConfig, trust: TrustAnchor?, cache: GuardedCache, inbox: PolicyInbox, watch: PolicyWatch, now: Timestamp,
        logger: Logger
    ) {
        guard let path = config.policyFile else { return }
        func refuse(_ code: String?, _ reason: String) {
            logger.error("policy file refused: the policy in force stays", metadata: [
                "policy.source": "\(path)", "policy.code": "\(code ?? "-")", "policy.reason": "\(reason)",
            ])
            cache.recordEvent(code: "POLICY_REFUSED", message: (code.map { "\($0): " } ?? "") + "\(reason) (from \(path))", at: now)
            watch.refused(code: code, reason: reason, source: path, at: now)
        }
        guard config.trust != nil else {
            // The three steps apart, so that the refusal carries the code a bundle would get.
            let data: Data
            let policy: ControlPolicy
            let layout: ConfigLayout
            do {
                data = try ConfigFile.read(path)
            } catch {
                return refuse(nil, error.description)
            }
            do {
                (policy, layout) = try ConfigFile.decodePolicy(from: data, path: path)
            } catch {
                return refuse("MALFORMED", error.description)
            }
            do {
                try ConfigFile.checkRanges(policy, path: path, layout: layout)
            } catch {
                return refuse("OUT_OF_RANGE", error.description)
            }
            inbox.deliver(PolicyInbox.Delivery(policy: policy, bundleBytes: [UInt8](data), receivedAt: now, source: path))
            return
        }
        guard let root = trust?.root else {
            refuse(nil, "policy file \(path) cannot be checked: no usable root of trust (trust.root_file)")
            return
        }
        let bytes: [UInt8]
        do {
            // One byte over the cap is enough for the verifier to refuse it as OVERSIZE before any parsing.
            bytes = try FileBytes.read(path, maxBytes: ConfigFile.maxBytes)
        } catch {
            refuse(nil, error.description)
            return
        }
        let installed = cache.highestPolicyVersion()
        let agent = AgentIdentity(id: config.agentID, groups: config.trust?.groups ?? [])
        do {
            let bundle = try PolicyBundle.verify(bytes, root: root, agent: agent, installedVersion: installed, now: now)
            inbox.deliver(PolicyInbox.Delivery(policy: bundle.policy, bundleBytes: bundle.envelopeBytes, receivedAt: now, source: path))
        } catch where error.code == .rollback {
            logger.notice("policy file not newer than the cached policy: the cached policy stays", metadata: [
                "policy.source": "\(path)", "policy.reason": "\(error.reason)",
            ])
            watch.sourceIsValid(path)
        } catch where error.code == .malformed && !looksSigned(bytes) {
            refuse(error.code.rawValue, "\(error.reason); with a trust section the policy file must be a bundle signed with `v2g-adm policy sign`")
        } catch {
            refuse(error.code.rawValue, error.reason)
        }
    }

    /// True when the text names a DSSE payload type (a bundle, however damaged), false for a plain policy.
    private static func looksSigned(_ bytes: [UInt8]) -> Bool {
        String(decoding: bytes.prefix(4096), as: UTF8.self).contains("\"payloadType\"")
    }
}
