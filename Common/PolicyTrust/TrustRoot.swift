public import EdgeCrypto
public import GridCore

/// A root of trust whose signatures were checked: pinned at provisioning (version 1) or reached from it by
/// rotations, one version at a time. It says which keys may sign policy bundles, envelopes and new roots.
public struct TrustRoot: Sendable {
    public static let payloadType = "application/vnd.v2g-edge.root+json"
    /// A root is a few kB; the same cap as for bundles.
    public static let defaultMaxBytes = 256 * 1024

    public let document: RootDocument
    /// The envelope exactly as received: what to store, and what the aggregator serves at /v1/roots/{version}.
    public let signedBytes: [UInt8]

    public var version: Int { document.version }
    public var expires: Timestamp { document.expires }

    /// Trusts a root that was pinned at provisioning or stored after a rotation: it must be signed by a
    /// threshold of its own root keys. Its expiry is not checked here: an expired root still loads, and every
    /// verification against it is refused with EXPIRED, so the agent keeps its last-known-good and says why.
    public init(trusting bytes: [UInt8], maxBytes: Int = defaultMaxBytes) throws(BundleRefusal) {
        let (envelope, document) = try Self.readRoot(bytes, maxBytes: maxBytes)
        try SignatureCheck.authenticate(envelope, requirements: [
            .init(label: "root version \(document.version)'s root role", keys: document.roleKeys(.root), threshold: document.threshold(.root)),
        ])
        self.document = document
        self.signedBytes = bytes
    }

    /// The next root, version N+1, signed by a threshold of this root's root keys and a threshold of its
    /// own. Any other version is ROLLBACK (older, equal, or skipping one). Expiry is not checked for the
    /// roots of a chain that are passed through; check the last one with `isExpired(at:)` (bundle
    /// verification does, and refuses with EXPIRED).
    public func rotated(to bytes: [UInt8], maxBytes: Int = defaultMaxBytes) throws(BundleRefusal) -> TrustRoot {
        // The next root's keys are in its payload, so it is parsed (strictly, within the cap) before the
        // signatures can be counted against them.
        let (envelope, next) = try Self.readRoot(bytes, maxBytes: maxBytes)
        try SignatureCheck.authenticate(envelope, requirements: [
            .init(label: "trusted root version \(version)'s root role", keys: document.roleKeys(.root), threshold: document.threshold(.root)),
            .init(label: "new root version \(next.version)'s root role", keys: next.roleKeys(.root), threshold: next.threshold(.root)),
        ])
        guard next.version == version + 1 else {
            let why = next.version <= version ? "is not newer than" : "skips versions after"
            throw BundleRefusal(.rollback, "root version \(next.version) \(why) the trusted version \(version); expected \(version + 1)")
        }
        return TrustRoot(document: next, signedBytes: bytes)
    }

    /// True when `expires` ≤ `now`.
    public func isExpired(at now: Timestamp) -> Bool { expires <= now }

    private init(document: RootDocument, signedBytes: [UInt8]) {
        self.document = document
        self.signedBytes = signedBytes
    }

    /// Steps 1–5 for a root, then its payload.
    private static func readRoot(_ bytes: [UInt8], maxBytes: Int) throws(BundleRefusal) -> (DSSEEnvelope, RootDocument) {
        let envelope = try SignatureCheck.readEnvelope(bytes, payloadType: payloadType, maxBytes: maxBytes, what: "root")
        return (envelope, try RootDocument.parse(envelope.payload))
    }
}
