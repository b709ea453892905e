import EdgeCrypto
import GridCore
import PolicyTrust
import Testing

/// The root payload's schema: key ids, duplicates, thresholds, unknown keys.
@Suite struct RootDocumentTests {
    typealias F = TrustFixture

    static func hex(_ n: UInt8) -> String { Hex.encode(F.key(n).publicKey.rawRepresentation) }
    static func id(_ n: UInt8) -> String { F.key(n).publicKey.keyID }

    /// A root payload written by hand, signed by key 1.
    static func root(keys: String? = nil, roles: String? = nil, extra: String = "") throws -> [UInt8] {
        let keys = keys ?? #"{"\#(id(1))": {"keytype": "ed25519", "public": "\#(hex(1))"}, "\#(id(11))": {"keytype": "ed25519", "public": "\#(hex(11))"}}"#
        let roles = roles ?? #"{"root": {"keyids": ["\#(id(1))"], "threshold": 1}, "policy": {"keyids": ["\#(id(11))"], "threshold": 1}, "envelope": {"keyids": ["\#(id(11))"], "threshold": 1, "max_validity_s": 300}}"#
        let payload = #"{"type": "root", "version": 1, "expires": "2027-01-01T00:00:00Z", "keys": \#(keys), "roles": \#(roles)\#(extra)}"#
        return try DSSEEnvelope.signed(payloadType: TrustRoot.payloadType, payload: Array(payload.utf8), by: [F.key(1)]).serialized()
    }

    static func refusal(_ bytes: [UInt8]) -> BundleRefusal? {
        do {
            _ = try TrustRoot(trusting: bytes)
            return nil
        } catch {
            return error
        }
    }

    @Test func aHandWrittenRootIsTrusted() throws {
        let root = try TrustRoot(trusting: Self.root())
        #expect(root.version == 1)
        #expect(root.expires == Timestamp(rfc3339: "2027-01-01T00:00:00Z"))
        #expect(root.document.roleKeys(.policy).keys.sorted() == [Self.id(11)])
        #expect(root.document.envelopeMaxValidityS == 300)
    }

    @Test func theSamePublicKeyUnderASecondIDIsDuplicateKey() throws {
        let keys = #"{"\#(Self.id(1))": {"keytype": "ed25519", "public": "\#(Self.hex(1))"}, "\#(Self.id(11))": {"keytype": "ed25519", "public": "\#(Self.hex(11))"}, "\#(Self.id(12))": {"keytype": "ed25519", "public": "\#(Self.hex(11))"}}"#
        let refusal = Self.refusal(try Self.root(keys: keys))
        #expect(refusal?.code == .duplicateKey, "\(String(describing: refusal))")
    }

    @Test func oneKeyListedTwiceInARoleIsDuplicateKey() throws {
        let roles = #"{"root": {"keyids": ["\#(Self.id(1))"], "threshold": 1}, "policy": {"keyids": ["\#(Self.id(11))", "\#(Self.id(11))"], "threshold": 2}, "envelope": {"keyids": ["\#(Self.id(11))"], "threshold": 1, "max_validity_s": 300}}"#
        #expect(Self.refusal(try Self.root(roles: roles))?.code == .duplicateKey)
    }

    @Test func aKeyIDThatIsNotTheHashOfItsKeyIsMalformed() throws {
        let keys = #"{"\#(Self.id(1))": {"keytype": "ed25519", "public": "\#(Self.hex(1))"}, "\#(Self.id(11))": {"keytype": "ed25519", "public": "\#(Self.hex(12))"}}"#
        let refusal = Self.refusal(try Self.root(keys: keys))
        #expect(refusal?.code == .malformed)
        #expect(refusal?.reason.contains("not the SHA-256") == true)
    }

    @Test(arguments: [
        (#""threshold": 0"#, "threshold = 0"),
        (#""threshold": 2"#, "threshold = 2"),
    ])
    func thresholdsOutsideOneToTheKeyCountAreMalformed(threshold: String, mentions: String) throws {
        let roles = #"{"root": {"keyids": ["\#(Self.id(1))"], "threshold": 1}, "policy": {"keyids": ["\#(Self.id(11))"], \#(threshold)}, "envelope": {"keyids": ["\#(Self.id(11))"], "threshold": 1, "max_validity_s": 300}}"#
        let refusal = Self.refusal(try Self.root(roles: roles))
        #expect(refusal?.code == .malformed)
        #expect(refusal?.reason.contains(mentions) == true, "\(String(describing: refusal))")
    }

    @Test func aRoleKeyMissingFromKeysIsMalformed() throws {
        let roles = #"{"root": {"keyids": ["\#(Self.id(1))"], "threshold": 1}, "policy": {"keyids": ["\#(Self.id(12))"], "threshold": 1}, "envelope": {"keyids": ["\#(Self.id(11))"], "threshold": 1, "max_validity_s": 300}}"#
        #expect(Self.refusal(try Self.root(roles: roles))?.code == .malformed)
    }

    @Test(arguments: [
        #", "spec_version": "1.0""#,
        #", "type": "root""#,
    ])
    func unknownOrDuplicateTopLevelKeysAreMalformed(extra: String) throws {
        #expect(Self.refusal(try Self.root(extra: extra))?.code == .malformed)
    }

    @Test func aRootWithoutAVersionIsMalformed() throws {
        let payload = Array(#"{"type": "root", "expires": "2027-01-01T00:00:00Z", "keys": {}, "roles": {}}"#.utf8)
        let bytes = try DSSEEnvelope.signed(payloadType: TrustRoot.payloadType, payload: payload, by: [F.key(1)]).serialized()
        let refusal = Self.refusal(bytes)
        #expect(refusal?.code == .malformed)
        #expect(refusal?.reason.contains("\"version\" is missing") == true, "\(String(describing: refusal))")
    }

    @Test func theBytesAsReceivedAreKept() throws {
        let bytes = try Self.root()
        #expect(try TrustRoot(trusting: bytes).signedBytes == bytes)
    }

    @Test func otherKeyTypesAndUppercaseHexAreMalformed() throws {
        let rsa = #"{"\#(Self.id(1))": {"keytype": "ed25519", "public": "\#(Self.hex(1))"}, "\#(Self.id(11))": {"keytype": "rsa", "public": "\#(Self.hex(11))"}}"#
        #expect(Self.refusal(try Self.root(keys: rsa))?.code == .malformed)
        let upper = #"{"\#(Self.id(1))": {"keytype": "ed25519", "public": "\#(Self.hex(1))"}, "\#(Self.id(11))": {"keytype": "ed25519", "public": "\#(Self.hex(11).uppercased())"}}"#
        #expect(Self.refusal(try Self.root(keys: upper))?.code == .malformed)
    }

    @Test func theEnvelopeRoleNeedsItsValidityAndOnlyIt() throws {
        let missing = #"{"root": {"keyids": ["\#(Self.id(1))"], "threshold": 1}, "policy": {"keyids": ["\#(Self.id(11))"], "threshold": 1}, "envelope": {"keyids": ["\#(Self.id(11))"], "threshold": 1}}"#
        #expect(Self.refusal(try Self.root(roles: missing))?.code == .malformed)
        let misplaced = #"{"root": {"keyids": ["\#(Self.id(1))"], "threshold": 1, "max_validity_s": 300}, "policy": {"keyids": ["\#(Self.id(11))"], "threshold": 1}, "envelope": {"keyids": ["\#(Self.id(11))"], "threshold": 1, "max_validity_s": 300}}"#
        #expect(Self.refusal(try Self.root(roles: misplaced))?.code == .malformed)
    }

    @Test func aDocumentWrittenBySwiftReadsBackTheSame() throws {
        let document = F.document(root: [1, 2], rootThreshold: 2, policy: [11, 12, 13], policyThreshold: 2)
        let root = try TrustRoot(trusting: F.signed(document, by: [1, 2]))
        for role in TrustRole.allCases {
            #expect(root.document.roles[role] == document.roles[role])
        }
        #expect(root.document.keys.keys.sorted() == document.keys.keys.sorted())
        #expect(root.expires == F.inAYear)
    }
}
