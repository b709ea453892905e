import FoundationEssentials
import StrictJSON

/// A DSSE v1 envelope (secure-systems-lab/dsse, envelope.md):
/// `{"payload": base64, "payloadType": T, "signatures": [{"keyid": K, "sig": base64}]}`.
///
/// This is a strict profile of the standard: `keyid` is required, base64 must be canonical standard base64,
/// and unknown fields are refused, where the standard lets a verifier accept URL-safe base64 and ignore
/// unknown fields. Signers that write the common form (standard base64, no extra fields) interoperate.
public struct DSSEEnvelope: Sendable, Hashable {
    /// One signature and the id of the key that made it (lowercase hex SHA-256 of the raw public key).
    public struct Signature: Sendable, Hashable {
        public let keyID: String
        public let bytes: [UInt8]

        public init(keyID: String, bytes: [UInt8]) {
            self.keyID = keyID
            self.bytes = bytes
        }
    }

    public let payloadType: String
    public let payload: [UInt8]
    public let signatures: [Signature]

    public init(payloadType: String, payload: [UInt8], signatures: [Signature]) {
        self.payloadType = payloadType
        self.payload = payload
        self.signatures = signatures
    }

    /// The pre-authentication encoding that is signed (protocol.md):
    /// "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body, lengths as ASCII decimal byte counts.
    public static func pae(payloadType: String, payload: [UInt8]) -> [UInt8] {
        let type = Array(payloadType.utf8)
        var out = Array("DSSEv1 \(type.count) ".utf8)
        out.reserveCapacity(out.count + type.count + payload.count + 24)
        out += type
        out += Array(" \(payload.count) ".utf8)
        out += payload
        return out
    }

    /// This envelope's PAE.
    public var pae: [UInt8] { Self.pae(payloadType: payloadType, payload: payload) }

    /// Reads an envelope strictly; any problem is MALFORMED with the line and the field.
    /// An empty `signatures` array is read (it is refused later, as UNSIGNED).
    public init(parsing bytes: [UInt8]) throws(BundleRefusal) {
        do throws(StrictJSONError) {
            let top = try StrictJSON.parse(bytes).object("")
            try top.refuseUnknownKeys(["payload", "payloadType", "signatures"])
            payloadType = try top.require("payloadType").string("payloadType")
            payload = try Self.base64(top.require("payload"), "payload")
            var signatures: [Signature] = []
            for (index, node) in try top.require("signatures").array("signatures").enumerated() {
                let entry = try node.object("signatures[\(index)]")
                try entry.refuseUnknownKeys(["keyid", "sig"])
                let keyID = try entry.require("keyid").string(entry.path("keyid"))
                guard !keyID.isEmpty else { throw StrictJSONError.schema(line: node.line, field: entry.path("keyid"), "must not be empty") }
                signatures.append(Signature(keyID: keyID, bytes: try Self.base64(try entry.require("sig"), entry.path("sig"))))
            }
            self.signatures = signatures
        } catch {
            throw BundleRefusal(.malformed, error.isSyntax ? "not a DSSE envelope: \(error)" : "DSSE envelope: \(error)")
        }
    }

    private static func base64(_ node: JSONNode, _ field: String) throws(StrictJSONError) -> [UInt8] {
        let text = try node.string(field)
        do {
            return try CanonicalBase64.decode(text)
        } catch {
            throw .schema(line: node.line, field: field, "not canonical base64: \(error.reason)")
        }
    }

    /// The envelope as JSON, keys sorted, one field per line.
    public func serialized() -> [UInt8] {
        struct Wire: Encodable {
            struct Entry: Encodable {
                let keyid: String
                let sig: String
            }
            let payload: String
            let payloadType: String
            let signatures: [Entry]
        }
        let wire = Wire(
            payload: CanonicalBase64.encode(payload), payloadType: payloadType,
            signatures: signatures.map { Wire.Entry(keyid: $0.keyID, sig: CanonicalBase64.encode($0.bytes)) })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        // Encoding strings and arrays of strings cannot fail.
        return (try? Array(encoder.encode(wire)) + [0x0A]) ?? []
    }
}
