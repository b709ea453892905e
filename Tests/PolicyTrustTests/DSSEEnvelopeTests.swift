import EdgeCrypto
import PolicyTrust
import Testing

@Suite struct DSSEEnvelopeTests {
    @Test func paeMatchesTheSpecificationsVector() {
        // protocol.md, "Test Vectors".
        let pae = DSSEEnvelope.pae(payloadType: "http://example.com/HelloWorld", payload: Array("hello world".utf8))
        #expect(String(decoding: pae, as: UTF8.self) == "DSSEv1 29 http://example.com/HelloWorld 11 hello world")
    }

    @Test func paeCountsBytesNotCharacters() {
        let pae = DSSEEnvelope.pae(payloadType: "é", payload: [])
        #expect(pae == Array("DSSEv1 2 é 0 ".utf8))
    }

    @Test func theSpecificationsEnvelopeParsesOnceItNamesItsKey() throws {
        let sig = "A3JqsQGtVsJ2O2xqrI5IcnXip5GToJ3F+FnZ+O88SjtR6rDAajabZKciJTfUiHqJPcIAriEGAHTVeCUjW2JIZA=="
        let withoutKeyID = #"{"payload": "aGVsbG8gd29ybGQ=", "payloadType": "http://example.com/HelloWorld", "signatures": [{"sig": "\#(sig)"}]}"#
        let refusal = #expect(throws: BundleRefusal.self) { try DSSEEnvelope(parsing: Array(withoutKeyID.utf8)) }
        #expect(refusal?.code == .malformed)
        #expect(refusal?.reason.contains("\"keyid\" is missing") == true, "\(String(describing: refusal))")

        let withKeyID = #"{"payload": "aGVsbG8gd29ybGQ=", "payloadType": "http://example.com/HelloWorld", "signatures": [{"keyid": "66301bbf", "sig": "\#(sig)"}]}"#
        let envelope = try DSSEEnvelope(parsing: Array(withKeyID.utf8))
        #expect(envelope.payload == Array("hello world".utf8))
        #expect(envelope.signatures.first?.keyID == "66301bbf")
        #expect(envelope.signatures.first?.bytes.count == 64)
    }

    @Test func serializedEnvelopesParseBackIdentically() throws {
        let key = try Ed25519PrivateKey(rawRepresentation: [UInt8](repeating: 7, count: 32))
        let envelope = try DSSEEnvelope.signed(payloadType: "application/x-test", payload: Array("{\"a\": \"\\\"/\"}".utf8), by: [key])
        let parsed = try DSSEEnvelope(parsing: envelope.serialized())
        #expect(parsed == envelope)
        #expect(key.publicKey.isValidSignature(parsed.signatures[0].bytes, for: parsed.pae))
    }

    @Test(arguments: [
        (#"{"payload": "", "payloadType": "t", "signatures": [], "extra": 1}"#, "unknown key \"extra\""),
        (#"{"payload": "", "payloadType": "t", "signatures": [{"keyid": "a", "sig": "", "cert": ""}]}"#, "unknown key \"cert\""),
        (#"{"payload": "", "payloadType": "t", "signatures": [{"keyid": "", "sig": ""}]}"#, "must not be empty"),
        (#"{"payload": "aGk", "payloadType": "t", "signatures": []}"#, "not canonical base64"),
        (#"{"payload": "aG k", "payloadType": "t", "signatures": []}"#, "whitespace"),
        (#"{"payload": "", "payloadType": "t", "signatures": [{"keyid": "a", "sig": "-_8="}]}"#, "URL-safe"),
        (#"{"payload": "", "payloadType": 1, "signatures": []}"#, "expected a string"),
        (#"{"payload": "", "payloadType": "t", "payloadType": "u", "signatures": []}"#, "duplicate key"),
        (#"{"payload": "", "payloadType": "t", "signatures": [],}"#, "trailing comma"),
        (#"["payload"]"#, "expected an object"),
        ("", "empty document"),
    ])
    func malformedEnvelopes(text: String, mentions: String) {
        let refusal = #expect(throws: BundleRefusal.self) { try DSSEEnvelope(parsing: Array(text.utf8)) }
        #expect(refusal?.code == .malformed)
        #expect(refusal?.reason.contains(mentions) == true, "\(String(describing: refusal))")
    }

    @Test func anEmptySignatureListParses() throws {
        let envelope = try DSSEEnvelope(parsing: Array(#"{"payload": "", "payloadType": "t", "signatures": []}"#.utf8))
        #expect(envelope.signatures.isEmpty)
    }
}
