public import EdgeCrypto
public import GridCore
import FoundationEssentials

extension EnvelopeDocument {
    /// Signs this envelope with `keys`, which must be distinct envelope keys of `root`, at least its threshold, then
    /// checks the written bytes as the agent will (`verify` at `now`, with no sequence floor), so nothing is sent that
    /// the agent would refuse for its content, dates or signatures. Refusals are `BundleRefusal`; other errors are
    /// the crypto library's. For the aggregator and for tests.
    public func signed(by keys: [Ed25519PrivateKey], root: TrustRoot, now: Timestamp) throws -> [UInt8] {
        try root.refuseUnlessSigningKeys(keys, of: .envelope)
        let payload = payload()
        let bytes = try DSSEEnvelope.signed(payloadType: Self.payloadType, payload: payload, by: keys).serialized()
        let check = try Self.verify(bytes, root: root, agentID: agentID, lastSequence: nil, now: now)
        // Times are written to the millisecond: what must survive is the text that was signed.
        guard check.payload() == payload else {
            throw BundleRefusal(.malformed, "the envelope does not read back as written (an encoding bug); nothing was signed")
        }
        return bytes
    }

    /// The payload JSON, keys sorted. Signers need not use this spelling: any strict JSON with these keys verifies.
    public func payload() -> [UInt8] {
        struct Bounds: Encodable {
            let p_min_kw: Double
            let p_max_kw: Double
        }
        struct Wire: Encodable {
            let type = "envelope"
            let agent_id: String
            let sequence: Int
            let issued_at: String
            let valid_until: String
            let phases: [String: Bounds]
            let q_bias_kvar: Double
        }
        var phases: [String: Bounds] = [:]
        for phase in Phase.allCases {
            phases[phase.rawValue] = Bounds(p_min_kw: phaseKW[phase].lowerBound, p_max_kw: phaseKW[phase].upperBound)
        }
        let wire = Wire(
            agent_id: agentID, sequence: sequence, issued_at: issuedAt.rfc3339, valid_until: validUntil.rfc3339,
            phases: phases, q_bias_kvar: reactiveBiasKvar)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Strings, integers and finite numbers cannot fail to encode; a non-finite bound makes an empty payload,
        // which `signed` then refuses as MALFORMED.
        return (try? Array(encoder.encode(wire))) ?? []
    }
}
