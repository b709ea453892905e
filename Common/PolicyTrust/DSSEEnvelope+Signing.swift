public import EdgeCrypto

extension DSSEEnvelope {
    /// Signs `payload` under `payloadType` with each key, in order (Ed25519 over the PAE).
    public static func signed(payloadType: String, payload: [UInt8], by keys: [Ed25519PrivateKey]) throws -> DSSEEnvelope {
        let message = pae(payloadType: payloadType, payload: payload)
        let signatures = try keys.map { key in
            Signature(keyID: key.publicKey.keyID, bytes: try key.signature(for: message))
        }
        return DSSEEnvelope(payloadType: payloadType, payload: payload, signatures: signatures)
    }
}
