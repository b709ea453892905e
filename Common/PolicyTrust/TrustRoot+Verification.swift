public import GridCore

/// A payload whose envelope passed the signature checks of a role. The payload bytes are the ones that were
/// verified (DSSE: never re-parse the envelope to get them again).
public struct VerifiedPayload: Sendable {
    public let payloadType: String
    public let payload: [UInt8]
    /// Key ids of the role keys whose signatures verified.
    public let signerKeyIDs: [String]
}

extension TrustRoot {
    /// Verifies any DSSE document of type `payloadType` against `role` of this root: OVERSIZE, MALFORMED,
    /// WRONG_PAYLOAD_TYPE, UNSIGNED, DUPLICATE_KEY, UNKNOWN_KEY, BAD_SIGNATURE, THRESHOLD_NOT_MET in that order,
    /// then EXPIRED if this root has expired at `now`. The caller then parses the payload (strictly) and
    /// applies its own checks; policy bundles do this through `PolicyBundle.verify`, envelopes of type
    /// `application/vnd.v2g-edge.envelope+json` against `.envelope` (see `document.envelopeMaxValidityS`).
    public func verify(
        _ bytes: [UInt8], payloadType: String, role: TrustRole, now: Timestamp, maxBytes: Int
    ) throws(BundleRefusal) -> VerifiedPayload {
        let verified = try authenticate(bytes, payloadType: payloadType, role: role, maxBytes: maxBytes)
        try refuseIfExpired(now: now)
        return verified
    }

    /// EXPIRED when this root has expired at `now`: nothing it signed can be accepted until a newer root
    /// arrives.
    public func refuseIfExpired(now: Timestamp) throws(BundleRefusal) {
        guard !isExpired(at: now) else {
            throw BundleRefusal(.expired, "root expired: the trusted root version \(version) expired at \(expires.rfc3339)")
        }
    }

    /// Steps 1–8 against `role`.
    func authenticate(_ bytes: [UInt8], payloadType: String, role: TrustRole, maxBytes: Int) throws(BundleRefusal) -> VerifiedPayload {
        let what = payloadType == PolicyBundle.payloadType ? "bundle" : "document"
        let envelope = try SignatureCheck.readEnvelope(bytes, payloadType: payloadType, maxBytes: maxBytes, what: what)
        let signers = try SignatureCheck.authenticate(envelope, requirements: [
            .init(label: "the \(role.rawValue) role of root version \(version)", keys: document.roleKeys(role), threshold: document.threshold(role)),
        ])
        return VerifiedPayload(payloadType: envelope.payloadType, payload: envelope.payload, signerKeyIDs: signers)
    }
}
