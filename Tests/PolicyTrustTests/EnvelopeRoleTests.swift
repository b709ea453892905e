import EdgeCrypto
import GridCore
import PolicyTrust
import Testing

/// The generic check that envelopes (and any other document type) share with bundles.
@Suite struct EnvelopeRoleTests {
    typealias F = TrustFixture
    static let type = "application/vnd.v2g-edge.envelope+json"

    @Test func anEnvelopeSignedByTheEnvelopeKeyVerifies() throws {
        let root = try F.root()
        let body = Array(#"{"valid_until": "2026-06-01T00:05:00Z"}"#.utf8)
        let bytes = try DSSEEnvelope.signed(payloadType: Self.type, payload: body, by: [F.key(21)]).serialized()
        let verified = try root.verify(bytes, payloadType: Self.type, role: .envelope, now: F.now, maxBytes: 64 * 1024)
        #expect(verified.payload == body)
        #expect(verified.signerKeyIDs == [F.key(21).publicKey.keyID])
    }

    @Test func aPolicyKeyCannotSignAnEnvelopeNorAnEnvelopeKeyAPolicy() throws {
        let root = try F.root()
        let envelope = try DSSEEnvelope.signed(payloadType: Self.type, payload: [0x7B, 0x7D], by: [F.key(11)]).serialized()
        #expect(throws: BundleRefusal.self) {
            try root.verify(envelope, payloadType: Self.type, role: .envelope, now: F.now, maxBytes: 1024)
        }
        #expect(F.refusal(try F.bundle(signers: [21]), root: root)?.code == .unknownKey)
    }

    @Test func anExpiredRootRefusesEnvelopesToo() throws {
        let root = try F.root(expires: F.now)
        let bytes = try DSSEEnvelope.signed(payloadType: Self.type, payload: [0x7B, 0x7D], by: [F.key(21)]).serialized()
        let refusal = #expect(throws: BundleRefusal.self) {
            try root.verify(bytes, payloadType: Self.type, role: .envelope, now: F.now, maxBytes: 1024)
        }
        #expect(refusal?.code == .expired)
    }
}
