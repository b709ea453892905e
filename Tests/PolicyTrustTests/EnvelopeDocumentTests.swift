import EdgeCrypto
import GridCore
import PolicyTrust
import Testing

/// Neighborhood envelopes: signed with the root's envelope key, for one agent, short-lived, never replayed.
@Suite struct EnvelopeDocumentTests {
    typealias F = TrustFixture
    static let agentID = "tx-0412"

    static func document(
        agent: String = agentID, sequence: Int = 42, issuedAt: Timestamp = F.now, validityS: Double = 120,
        phaseKW: PerPhase<ClosedRange<Double>> = PerPhase(a: -10...20, b: 0...15, c: -5...5), qBiasKvar: Double = 3
    ) -> EnvelopeDocument {
        EnvelopeDocument(
            agentID: agent, sequence: sequence, issuedAt: issuedAt, validUntil: issuedAt + validityS, phaseKW: phaseKW,
            reactiveBiasKvar: qBiasKvar)
    }

    /// Signed as a plain DSSE signer would, without `signed(by:)`'s own checks (to build bad envelopes).
    static func raw(_ document: EnvelopeDocument, signers: [UInt8] = [21], payloadType: String = EnvelopeDocument.payloadType) throws -> [UInt8] {
        try DSSEEnvelope.signed(payloadType: payloadType, payload: document.payload(), by: signers.map(F.key)).serialized()
    }

    static func rawPayload(_ text: String, signers: [UInt8] = [21]) throws -> [UInt8] {
        try DSSEEnvelope.signed(payloadType: EnvelopeDocument.payloadType, payload: Array(text.utf8), by: signers.map(F.key)).serialized()
    }

    static func refusal(
        _ bytes: [UInt8], root: TrustRoot? = nil, agent: String = agentID, lastSequence: Int? = nil, now: Timestamp = F.now
    ) throws -> BundleRefusal? {
        let root = try root ?? F.root()
        do throws(BundleRefusal) {
            _ = try EnvelopeDocument.verify(bytes, root: root, agentID: agent, lastSequence: lastSequence, now: now)
            return nil
        } catch {
            return error
        }
    }

    @Test func aGoodEnvelopeVerifiesWithEveryField() throws {
        let root = try F.root()
        let document = Self.document()
        let bytes = try document.signed(by: [F.key(21)], root: root, now: F.now)
        let verified = try EnvelopeDocument.verify(bytes, root: root, agentID: Self.agentID, lastSequence: 41, now: F.now + 60)
        #expect(verified == document)
        #expect(verified.phaseKW.a == -10...20 && verified.reactiveBiasKvar == 3)
    }

    @Test func anExpiredEnvelopeIsRefused() throws {
        let bytes = try Self.raw(Self.document(issuedAt: F.now + -600, validityS: 120))
        #expect(try Self.refusal(bytes)?.code == .expired)
        // valid_until itself is already too late.
        let edge = try Self.raw(Self.document(issuedAt: F.now + -120, validityS: 120))
        #expect(try Self.refusal(edge)?.code == .expired)
    }

    @Test func aStrangersKeyIsUnknown() throws {
        let refusal = try Self.refusal(try Self.raw(Self.document(), signers: [99]))
        #expect(refusal?.code == .unknownKey)
        #expect(refusal?.reason.contains("envelope role") == true)
    }

    @Test func thePolicyKeyCannotSignAnEnvelope() throws {
        #expect(try Self.refusal(try Self.raw(Self.document(), signers: [11]))?.code == .unknownKey)
        #expect(throws: BundleRefusal.self) { try Self.document().signed(by: [F.key(11)], root: try F.root(), now: F.now) }
    }

    @Test func anUnsignedEnvelopeIsRefused() throws {
        let bytes = DSSEEnvelope(payloadType: EnvelopeDocument.payloadType, payload: Self.document().payload(), signatures: []).serialized()
        #expect(try Self.refusal(bytes)?.code == .unsigned)
    }

    @Test func aPayloadChangedAfterSigningIsABadSignature() throws {
        let good = try DSSEEnvelope(parsing: try Self.raw(Self.document()))
        // Wider bounds on phase A, under the original signature.
        let widened = Self.document(phaseKW: PerPhase(a: -100...200, b: 0...15, c: -5...5)).payload()
        let tampered = DSSEEnvelope(payloadType: good.payloadType, payload: widened, signatures: good.signatures).serialized()
        #expect(try Self.refusal(tampered)?.code == .badSignature)
    }

    @Test func anotherAgentsEnvelopeIsTheWrongTarget() throws {
        let refusal = try Self.refusal(try Self.raw(Self.document(agent: "tx-0413")))
        #expect(refusal?.code == .wrongTarget)
        #expect(refusal?.reason.contains("tx-0413") == true)
    }

    @Test func validityLongerThanTheRootAllowsIsOutOfRange() throws {
        var rootDocument = F.document()
        rootDocument.envelopeMaxValidityS = 60
        let root = try TrustRoot(trusting: F.signed(rootDocument, by: [1]))
        let long = try Self.raw(Self.document(validityS: 61))
        let refusal = try Self.refusal(long, root: root)
        #expect(refusal?.code == .outOfRange)
        #expect(refusal?.reason.contains("max_validity_s") == true)
        #expect(try Self.refusal(try Self.raw(Self.document(validityS: 60)), root: root) == nil)
        // valid_until not after issued_at: no validity at all.
        let backwards = Self.document(issuedAt: F.now, validityS: 0)
        #expect(try Self.refusal(try Self.raw(backwards))?.code == .expired)
        let inverted = EnvelopeDocument(
            agentID: Self.agentID, sequence: 1, issuedAt: F.now + 20, validUntil: F.now + 10, phaseKW: PerPhase(repeating: 0...0))
        #expect(try Self.refusal(try Self.raw(inverted))?.code == .outOfRange)
    }

    @Test func anEnvelopeIssuedInTheFutureIsOutOfRange() throws {
        #expect(try Self.refusal(try Self.raw(Self.document(issuedAt: F.now + 31)))?.code == .outOfRange)
        // Within the skew: accepted.
        #expect(try Self.refusal(try Self.raw(Self.document(issuedAt: F.now + 29))) == nil)
    }

    @Test func anOlderOrEqualSequenceIsAReplay() throws {
        let bytes = try Self.raw(Self.document(sequence: 41))
        #expect(try Self.refusal(bytes, lastSequence: 42)?.code == .rollback)
        #expect(try Self.refusal(bytes, lastSequence: 41)?.code == .rollback)
        #expect(try Self.refusal(bytes, lastSequence: 40) == nil)
    }

    @Test func garbageIsMalformedOrOversize() throws {
        #expect(try Self.refusal(Array("not json".utf8))?.code == .malformed)
        #expect(try Self.refusal([])?.code == .malformed)
        #expect(try Self.refusal([UInt8](repeating: 0x20, count: 20_000))?.code == .oversize)
        let valid = #"{"type": "envelope", "agent_id": "tx-0412", "sequence": 1, "issued_at": "2026-06-01T00:00:00Z", "valid_until": "2026-06-01T00:01:00Z", "phases": {"A": {"p_min_kw": 0, "p_max_kw": 1}, "B": {"p_min_kw": 0, "p_max_kw": 1}, "C": {"p_min_kw": 0, "p_max_kw": 1}}, "q_bias_kvar": 0}"#
        #expect(try Self.refusal(try Self.rawPayload(valid)) == nil)
        for (old, new) in [
            (#""p_min_kw": 0, "p_max_kw": 1}, "C""#, #""p_min_kw": 2, "p_max_kw": 1}, "C""#),  // min above max
            (#""q_bias_kvar": 0"#, #""q_bias_kvar": 0, "extra": 1"#),  // unknown key
            (#""q_bias_kvar": 0"#, #""q_bias_kvar": "0""#),  // wrong type
            (#""sequence": 1"#, #""sequence": 0"#),  // below 1
            (#""sequence": 1"#, #""sequence": 1.5"#),
            (#""valid_until": "2026-06-01T00:01:00Z""#, #""valid_until": "tomorrow""#),
            (#""type": "envelope""#, #""type": "policy""#),
            (#", "C": {"p_min_kw": 0, "p_max_kw": 1}"#, ""),  // a phase missing
            (#""agent_id": "tx-0412""#, #""agent_id": "tx 0412""#),
            (#""q_bias_kvar": 0}"#, #""q_bias_kvar": 0,}"#),  // trailing comma
            (#""sequence": 1"#, #""sequence": 1, "sequence": 2"#),  // duplicate key
        ] {
            let text = valid.replacingOccurrences(of: old, with: new)
            #expect(text != valid)
            #expect(try Self.refusal(try Self.rawPayload(text))?.code == .malformed, "\(new)")
        }
        // A policy bundle's type, however well signed, is not an envelope.
        let policyTyped = try Self.raw(Self.document(), payloadType: "application/vnd.v2g-edge.policy+json")
        #expect(try Self.refusal(policyTyped)?.code == .wrongPayloadType)
    }

    @Test func boundsBeyondAnyFleetAreOutOfRange() throws {
        let huge = Self.document(phaseKW: PerPhase(a: -10...20, b: 0...200_000, c: -5...5))
        let refusal = try Self.refusal(try Self.raw(huge))
        #expect(refusal?.code == .outOfRange)
        #expect(refusal?.reason.contains("phases.B.p_max_kw") == true)
    }

    @Test func anExpiredRootRefusesEnvelopes() throws {
        let root = try F.root(expires: F.now)
        #expect(try Self.refusal(try Self.raw(Self.document()), root: root)?.code == .expired)
    }

    @Test func theKvarBiasIsSpreadOverTheFleetsKVA() {
        let document = Self.document(qBiasKvar: 11)
        let envelope = document.cycleEnvelope(fleetKVA: 44)
        #expect(abs(envelope.reactiveBiasPU - 0.25) < 1e-12)
        #expect(envelope.phaseKW == document.phaseKW && envelope.validUntil == document.validUntil && envelope.sequence == 42)
        #expect(Self.document(qBiasKvar: -100).cycleEnvelope(fleetKVA: 44).reactiveBiasPU == -0.44)
        #expect(document.cycleEnvelope(fleetKVA: 0).reactiveBiasPU == 0)
    }
}
