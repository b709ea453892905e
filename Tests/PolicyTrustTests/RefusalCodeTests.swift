import EdgeCrypto
import GridCore
import PolicyTrust
import Testing

/// One test per refusal code, each built so that only the check under test can catch it: with that check
/// removed, the bundle would be accepted or refused with a later code, and the test fails.
@Suite struct RefusalCodeTests {
    typealias F = TrustFixture

    @Test func aCorrectBundleIsAccepted() throws {
        let root = try F.root()
        let bytes = try F.bundle()
        let bundle = try PolicyBundle.verify(bytes, root: root, agent: F.agent, installedVersion: 6, now: F.now)
        #expect(bundle.envelopeBytes == bytes, "the bytes as received, to store")
        #expect(bundle.version == 7)
        #expect(bundle.policy.version == 7)
        #expect(bundle.policy.voltVar == .categoryB)
        #expect(bundle.signerKeyIDs == [F.key(11).publicKey.keyID])
        #expect(bundle.targets == [.everyAgent])
    }

    @Test func oversize() throws {
        let bytes = try F.bundle()
        // Trailing whitespace keeps it a valid envelope: only the size check can refuse it.
        let padded = bytes + [UInt8](repeating: 0x20, count: 100)
        #expect(F.refusal(padded, root: try F.root(), maxBytes: bytes.count + 99)?.code == .oversize)
        #expect(F.refusal(padded, root: try F.root(), maxBytes: bytes.count + 100) == nil)
    }

    @Test func oversizeIsCheckedBeforeParsing() throws {
        let garbage = [UInt8](repeating: UInt8(ascii: "{"), count: PolicyBundle.defaultMaxBytes + 1)
        let refusal = F.refusal(garbage, root: try F.root())
        #expect(refusal?.code == .oversize)
        #expect(refusal?.reason.contains("\(PolicyBundle.defaultMaxBytes + 1) bytes") == true)
    }

    @Test func malformedTruncatedEnvelope() throws {
        let bytes = try F.bundle()
        for cut in [1, bytes.count / 3, bytes.count / 2, bytes.count - 3] {
            let refusal = F.refusal(Array(bytes.prefix(cut)), root: try F.root())
            #expect(refusal?.code == .malformed, "cut at \(cut): \(String(describing: refusal))")
        }
    }

    /// Payload lengths leaving one and two padding characters, whose last data character has spare bits.
    @Test(arguments: [1, 2])
    func malformedNonCanonicalPayloadBase64(remainder: Int) throws {
        var payload = F.payload()
        while payload.count % 3 != remainder { payload.append(0x20) }
        let bytes = try F.bundle(payload)
        #expect(F.refusal(bytes, root: try F.root()) == nil)
        let text = String(decoding: bytes, as: UTF8.self)
        let encoded = CanonicalBase64.encode(payload)
        let padIndex = encoded.firstIndex(of: "=")!
        let lastData = encoded[encoded.index(before: padIndex)]
        // The next character in the alphabet differs only in the spare bits: same bytes, other spelling.
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        let sibling = alphabet[alphabet.firstIndex(of: lastData)! + 1]
        var variant = encoded
        variant.replaceSubrange(encoded.index(before: padIndex)...encoded.index(before: padIndex), with: String(sibling))
        #expect(try CanonicalBase64.decode(encoded) == payload)
        let tampered = Array(text.replacingOccurrences(of: encoded, with: variant).utf8)
        let refusal = F.refusal(tampered, root: try F.root())
        #expect(refusal?.code == .malformed)
        #expect(refusal?.reason.contains("canonical") == true, "\(String(describing: refusal))")
    }

    @Test func malformedMissingKeyID() throws {
        let bytes = try F.bundle()
        let id = F.key(11).publicKey.keyID
        let refusal = F.refusal(F.edited(bytes, #""keyid" : "\#(id)","#, ""), root: try F.root())
        #expect(refusal?.code == .malformed)
        #expect(refusal?.reason.contains("keyid") == true)
    }

    @Test func wrongPayloadType() throws {
        // Signed over the PAE of the other type, so the signature itself is good.
        let bytes = try F.bundle(payloadType: "application/json")
        let refusal = F.refusal(bytes, root: try F.root())
        #expect(refusal?.code == .wrongPayloadType)
        #expect(refusal?.reason.contains("application/json") == true)
    }

    @Test func unsigned() throws {
        let bytes = try F.bundle(signers: [])
        #expect(F.refusal(bytes, root: try F.root())?.code == .unsigned)
    }

    @Test func duplicateKeyIDCountedOnce() throws {
        // Threshold 2 and one key's signature twice: counting it twice would meet the threshold.
        let root = try F.root(policy: [11, 12], policyThreshold: 2)
        let envelope = try DSSEEnvelope.signed(payloadType: PolicyBundle.payloadType, payload: F.payload(), by: [F.key(11)])
        let doubled = DSSEEnvelope(
            payloadType: envelope.payloadType, payload: envelope.payload, signatures: envelope.signatures + envelope.signatures)
        let refusal = F.refusal(doubled.serialized(), root: root)
        #expect(refusal?.code == .duplicateKey)
        #expect(refusal?.reason.contains("signed twice") == true, "\(String(describing: refusal))")
        #expect(F.refusal(try F.bundle(signers: [11, 12]), root: root) == nil)
    }

    @Test func unknownKey() throws {
        // Signed by the root key: a real key of the root, but not of the policy role.
        let refusal = F.refusal(try F.bundle(signers: [1]), root: try F.root())
        #expect(refusal?.code == .unknownKey)
        #expect(refusal?.reason.contains("policy role") == true)
        #expect(F.refusal(try F.bundle(signers: [99]), root: try F.root())?.code == .unknownKey)
    }

    @Test func signaturesByOtherKeysAreIgnored() throws {
        #expect(F.refusal(try F.bundle(signers: [99, 11, 1]), root: try F.root()) == nil)
    }

    @Test func badSignatureOnAPayloadChangedAfterSigning() throws {
        let bytes = try F.bundle()
        let envelope = try DSSEEnvelope(parsing: bytes)
        let changed = F.edited(bytes, CanonicalBase64.encode(envelope.payload), CanonicalBase64.encode(F.payload(version: 8)))
        let refusal = F.refusal(changed, root: try F.root())
        #expect(refusal?.code == .badSignature)
        #expect(refusal?.reason.contains(String(F.key(11).publicKey.keyID.prefix(16))) == true)
    }

    @Test func badSignatureEvenWhenAnotherSignatureMeetsTheThreshold() throws {
        // Threshold 1 is met by key 11; key 12's signature is over other bytes. No honest signer makes one.
        let root = try F.root(policy: [11, 12], policyThreshold: 1)
        let good = try DSSEEnvelope.signed(payloadType: PolicyBundle.payloadType, payload: F.payload(), by: [F.key(11)])
        let other = try DSSEEnvelope.signed(payloadType: PolicyBundle.payloadType, payload: F.payload(version: 9), by: [F.key(12)])
        let mixed = DSSEEnvelope(payloadType: good.payloadType, payload: good.payload, signatures: good.signatures + other.signatures)
        #expect(F.refusal(mixed.serialized(), root: root)?.code == .badSignature)
    }

    @Test func thresholdNotMet() throws {
        let root = try F.root(policy: [11, 12, 13], policyThreshold: 2)
        let refusal = F.refusal(try F.bundle(signers: [12]), root: root)
        #expect(refusal?.code == .thresholdNotMet)
        #expect(refusal?.reason.contains("1 valid signature") == true && refusal?.reason.contains("threshold 2") == true)
        #expect(F.refusal(try F.bundle(signers: [13, 11]), root: root) == nil)
    }

    @Test func malformedPayloadAfterAuthentication() throws {
        let policy = #"{"volt_var": {"v_ref_pu": 1.0, "v1_pu": 0.92, "q1_pu": 0.44, "v2_pu": 0.98, "q2_pu": 0, "v3_pu": 1.02, "q3_pu": 0, "v4_pu": 1.08, "q4_pu": -0.44, "response_time_s": 5, "tr_s": 3}}"#
        let refusal = F.refusal(try F.bundle(F.payload(policy: policy)), root: try F.root())
        #expect(refusal?.code == .malformed)
        #expect(refusal?.reason.contains("policy.volt_var.tr_s") == true, "\(String(describing: refusal))")
        #expect(refusal?.reason.contains("line 1") == true)
    }

    @Test func malformedWhenTheInnerVersionDisagrees() throws {
        let refusal = F.refusal(try F.bundle(F.payload(version: 7, policy: #"{"version": 6}"#)), root: try F.root())
        #expect(refusal?.code == .malformed)
        #expect(refusal?.reason.contains("policy.version") == true)
        #expect(F.refusal(try F.bundle(F.payload(version: 7, policy: #"{"version": 7}"#)), root: try F.root()) == nil)
    }

    @Test func rollback() throws {
        let root = try F.root()
        #expect(F.refusal(try F.bundle(), root: root, installed: 7)?.code == .rollback)
        #expect(F.refusal(try F.bundle(), root: root, installed: 9)?.code == .rollback)
        #expect(F.refusal(try F.bundle(), root: root, installed: 6) == nil)
    }

    @Test func expiredBundle() throws {
        let refusal = F.refusal(try F.bundle(F.payload(expires: "2026-06-01T00:00:00Z")), root: try F.root())
        #expect(refusal?.code == .expired)
        #expect(refusal?.reason.contains("2026-06-01T00:00:00Z") == true)
        #expect(F.refusal(try F.bundle(F.payload(expires: "2026-06-01T00:00:01Z")), root: try F.root()) == nil)
    }

    @Test func expiredRoot() throws {
        let root = try F.root(expires: F.now)
        let refusal = F.refusal(try F.bundle(), root: root)
        #expect(refusal?.code == .expired)
        #expect(refusal?.reason.hasPrefix("root expired") == true)
    }

    @Test func wrongTarget() throws {
        let root = try F.root()
        let refusal = F.refusal(try F.bundle(F.payload(targets: #"["group:feeder-9", "tx-0413"]"#)), root: root)
        #expect(refusal?.code == .wrongTarget)
        #expect(refusal?.reason.contains("tx-0412") == true)
        #expect(F.refusal(try F.bundle(F.payload(targets: #"["group:feeder-12"]"#)), root: root) == nil)
        #expect(F.refusal(try F.bundle(F.payload(targets: #"["tx-0412"]"#)), root: root) == nil)
    }

    @Test func outOfRangeNamesFieldValueAndRange() throws {
        let policy = #"{"volt_var": {"v_ref_pu": 1.0, "v1_pu": 0.70, "q1_pu": 0.44, "v2_pu": 0.98, "q2_pu": 0, "v3_pu": 1.02, "q3_pu": 0, "v4_pu": 1.08, "q4_pu": -0.44, "response_time_s": 5}, "thermal": {"hot_spot_limit_c": 130}}"#
        let refusal = F.refusal(try F.bundle(F.payload(policy: policy)), root: try F.root())
        #expect(refusal?.code == .outOfRange)
        let reason = refusal?.reason ?? ""
        #expect(reason.contains("volt_var.v1_pu = 0.7 is outside the allowed range 0.82…0.96"), "\(reason)")
        #expect(reason.contains("thermal.hot_spot_limit_c = 130.0 is outside the allowed range 60.0…120.0"), "\(reason)")
    }

    @Test func theFirstFailingCheckWins() throws {
        // Unsigned and expired and wrong target: UNSIGNED comes first.
        let payload = F.payload(expires: "2020-01-01T00:00:00Z", targets: #"["tx-1"]"#)
        #expect(F.refusal(try F.bundle(payload, signers: []), root: try F.root())?.code == .unsigned)
        // Rolled back and expired: ROLLBACK comes first.
        #expect(F.refusal(try F.bundle(payload), root: try F.root(), installed: 9)?.code == .rollback)
    }

    @Test func everyCodeIsStable() {
        #expect(RefusalCode.allCodes.map(\.rawValue) == [
            "OVERSIZE", "MALFORMED", "WRONG_PAYLOAD_TYPE", "UNSIGNED", "DUPLICATE_KEY", "UNKNOWN_KEY", "BAD_SIGNATURE",
            "THRESHOLD_NOT_MET", "ROLLBACK", "EXPIRED", "WRONG_TARGET", "OUT_OF_RANGE",
        ])
        #expect(RefusalCode(rawValue: "EXPIRED") == .expired)
        #expect(RefusalCode(rawValue: "expired") == nil)
    }
}
