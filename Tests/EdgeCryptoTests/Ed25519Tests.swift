import EdgeCrypto
import Testing

/// RFC 8032 §7.1 test vectors: secret key, public key, message, signature.
struct RFC8032Vector: Sendable, CustomStringConvertible {
    let name: String
    let secretKey: String
    let publicKey: String
    let message: String
    let signature: String
    var description: String { name }
}

let rfc8032Vectors = [
    RFC8032Vector(
        name: "TEST 1",
        secretKey: "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
        publicKey: "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
        message: "",
        signature: "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
    ),
    RFC8032Vector(
        name: "TEST 2",
        secretKey: "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
        publicKey: "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
        message: "72",
        signature: "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"
    ),
]

func hex(_ text: String) throws -> [UInt8] { try #require(Hex.decode(text)) }

@Suite struct Ed25519Tests {
    @Test(arguments: rfc8032Vectors)
    func rfc8032Vector(_ vector: RFC8032Vector) throws {
        let key = try Ed25519PrivateKey(rawRepresentation: hex(vector.secretKey))
        #expect(Hex.encode(key.publicKey.rawRepresentation) == vector.publicKey)
        let message = try hex(vector.message)
        let signature = try key.signature(for: message)
        #expect(Hex.encode(signature) == vector.signature)
        let verifier = try Ed25519PublicKey(rawRepresentation: hex(vector.publicKey))
        #expect(verifier.isValidSignature(try hex(vector.signature), for: message))
    }

    @Test func keyIDIsSHA256OfRawPublicKey() throws {
        // Computed independently: the raw TEST 1 public key piped through `openssl dgst -sha256`.
        let key = try Ed25519PublicKey(rawRepresentation: hex(rfc8032Vectors[0].publicKey))
        #expect(key.keyID == "21fe31dfa154a261626bf854046fd2271b7bed4b6abe45aa58877ef47f9721b9")
    }

    @Test func signAndVerifyRoundTrip() throws {
        let key = try Ed25519PrivateKey.generate()
        let message = Array("policy bundle v7".utf8)
        let signature = try key.signature(for: message)
        #expect(signature.count == 64)
        #expect(key.publicKey.isValidSignature(signature, for: message))
        #expect(try Ed25519PrivateKey.generate().publicKey != key.publicKey)
    }

    @Test func tamperingIsRejected() throws {
        let key = try Ed25519PrivateKey.generate()
        let message = Array("envelope: 40 kW per phase".utf8)
        let signature = try key.signature(for: message)

        var otherMessage = message
        otherMessage[10] ^= 0x01
        #expect(!key.publicKey.isValidSignature(signature, for: otherMessage))

        for index in [0, 31, 32, 63] {
            var badSignature = signature
            badSignature[index] ^= 0x80
            #expect(!key.publicKey.isValidSignature(badSignature, for: message), "flipped byte \(index)")
        }

        let stranger = try Ed25519PrivateKey.generate()
        #expect(!stranger.publicKey.isValidSignature(signature, for: message))
    }

    @Test(arguments: [0, 1, 63, 65, 128])
    func wrongLengthSignatureIsFalse(length: Int) throws {
        let key = try Ed25519PrivateKey.generate()
        let message = Array("m".utf8)
        let signature = try key.signature(for: message)
        let resized = Array((signature + signature).prefix(length))
        #expect(!key.publicKey.isValidSignature(resized, for: message))
    }

    @Test func pemRoundTrip() throws {
        let key = try Ed25519PrivateKey(rawRepresentation: hex(rfc8032Vectors[1].secretKey))
        let pem = try key.pemRepresentation()
        #expect(pem.hasPrefix("-----BEGIN PRIVATE KEY-----\n"))
        let loaded = try Ed25519PrivateKey(pem: pem)
        #expect(loaded.publicKey == key.publicKey)
        // Ed25519 is deterministic, so the reloaded key must sign identically.
        #expect(try loaded.signature(for: [1, 2, 3]) == key.signature(for: [1, 2, 3]))

        let publicPEM = try key.publicKey.pemRepresentation()
        #expect(publicPEM.hasPrefix("-----BEGIN PUBLIC KEY-----\n"))
        #expect(try Ed25519PublicKey(pem: publicPEM) == key.publicKey)
    }

    @Test func descriptionHidesKeyMaterial() throws {
        let vector = rfc8032Vectors[0]
        let key = try Ed25519PrivateKey(rawRepresentation: hex(vector.secretKey))
        let pemBody = try key.pemRepresentation().split(separator: "\n")[1]
        for text in [key.description, String(describing: key), "\(key)"] {
            #expect(!text.contains(vector.secretKey))
            #expect(!text.contains(pemBody))
            #expect(text.contains(key.publicKey.keyID))
        }
    }

    @Test func badInputsThrowClassifiedErrors() throws {
        let short = #expect(throws: CryptoError.self) { try Ed25519PrivateKey(rawRepresentation: [UInt8](repeating: 1, count: 31)) }
        #expect(short?.label == "crypto.invalid_key_length")
        #expect(short?.message.contains("31") == true)

        let garbage = "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n"
        let first = #expect(throws: CryptoError.self) { try Ed25519PrivateKey(pem: garbage) }
        let second = #expect(throws: CryptoError.self) { try Ed25519PrivateKey(pem: garbage) }
        #expect(first?.label == "crypto.invalid_pem")
        // The queue is drained on each failure, so the second error does not repeat the first one's entries.
        #expect(first?.message == second?.message)

        // A public key PEM is not a private key.
        let publicPEM = try Ed25519PrivateKey.generate().publicKey.pemRepresentation()
        #expect(throws: CryptoError.self) { try Ed25519PrivateKey(pem: publicPEM) }
    }
}
