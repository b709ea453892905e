public import EdgeCrypto
public import GridCore
public import PolicyTrust

/// The aggregator's envelope keys and the root that authorises them (its `envelope` role), checked together once:
/// the keys are distinct envelope keys of the root, at least its threshold, and the validity the planner gives its
/// envelopes is within the root's `max_validity_s`. Every envelope it signs is verified as the agent will verify it.
public struct EnvelopeSigner: Sendable {
    public let root: TrustRoot
    /// How long each envelope is valid from its issue, in seconds.
    public let validityS: Double
    private let keys: [Ed25519PrivateKey]

    /// Refuses keys that are not envelope keys of `root` or fall short of its threshold, a validity of 0 or beyond the
    /// root's `max_validity_s`, and a root already expired at `now`.
    public init(root: TrustRoot, keys: [Ed25519PrivateKey], validityS: Double, now: Timestamp) throws(PlanningError) {
        let maxS = root.document.envelopeMaxValidityS
        guard validityS.isFinite, validityS > 0, validityS <= Double(maxS) else {
            throw .signer(
                "envelope validity \(validityS) s is outside (0, \(maxS)] s, the envelope max_validity_s of root version \(root.version): agents would refuse every envelope (OUT_OF_RANGE)")
        }
        self.root = root
        self.validityS = validityS
        self.keys = keys
        // A probe signed and verified through the real path: the keys' role and threshold (refuseUnlessSigningKeys),
        // the root's expiry and the signatures themselves.
        let probe = EnvelopeDocument(
            agentID: "probe", sequence: 1, issuedAt: now, validUntil: now + validityS, phaseKW: PerPhase(repeating: 0...0))
        do throws(PlanningError) {
            _ = try sign(probe, now: now)
        } catch {
            throw .signer(error.message)
        }
    }

    /// The DSSE bytes of `document`, signed by every key and verified at `now` as the agent will.
    public func sign(_ document: EnvelopeDocument, now: Timestamp) throws(PlanningError) -> [UInt8] {
        do {
            return try document.signed(by: keys, root: root, now: now)
        } catch let refusal as BundleRefusal {
            throw .signing("\(refusal)")
        } catch {
            throw .signing("envelope for \(document.agentID): \(error)")
        }
    }

    /// The signing keys' ids, for the log.
    public var keyIDs: [String] { keys.map(\.publicKey.keyID) }
}
