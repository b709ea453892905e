import EdgeCrypto
import Testing

/// The `openssl` CLI as an independent peer. Skipped (with this reason) only if the binary is missing.
let opensslPath = findExecutable("openssl")

@Suite(.enabled(if: opensslPath != nil, "openssl CLI not found on PATH; interop tests skipped"))
struct OpenSSLInteropTests {
    let openssl = opensslPath ?? "openssl"

    @Test func opensslSignsSwiftVerifies() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let keyPath = folder.file("key.pem"), messagePath = folder.file("msg"), sigPath = folder.file("sig")
        #expect(try run([openssl, "genpkey", "-algorithm", "ed25519", "-out", keyPath]) == 0)
        let message = Array("bundle: transformer T-17, 250 kVA".utf8)
        try writeFile(messagePath, message)
        #expect(try run([openssl, "pkeyutl", "-sign", "-inkey", keyPath, "-rawin", "-in", messagePath, "-out", sigPath]) == 0)

        let key = try Ed25519PrivateKey(pem: String(decoding: try readFile(keyPath), as: UTF8.self))
        let signature = try readFile(sigPath)
        #expect(signature.count == 64)
        #expect(key.publicKey.isValidSignature(signature, for: message))
        #expect(!key.publicKey.isValidSignature(signature, for: message + [0]))
    }

    @Test func swiftSignsOpenSSLVerifies() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let keyPath = folder.file("key.pem"), pubPath = folder.file("pub.pem")
        let messagePath = folder.file("msg"), sigPath = folder.file("sig"), badPath = folder.file("bad")
        let key = try Ed25519PrivateKey.generate()
        try key.write(toPEMFile: keyPath)
        try writeFile(pubPath, Array(try key.publicKey.pemRepresentation().utf8))
        let message = Array("envelope: 32 A per phase until 18:00".utf8)
        try writeFile(messagePath, message)
        var signature = try key.signature(for: message)
        try writeFile(sigPath, signature)
        signature[5] ^= 0x01
        try writeFile(badPath, signature)

        let verify = [openssl, "pkeyutl", "-verify", "-pubin", "-inkey", pubPath, "-rawin", "-in", messagePath, "-sigfile"]
        #expect(try run(verify + [sigPath]) == 0)
        #expect(try run(verify + [badPath]) != 0)

        // openssl reads the key file Swift wrote and derives the same public key.
        let derivedPath = folder.file("derived.pem")
        #expect(try run([openssl, "pkey", "-in", keyPath, "-pubout", "-out", derivedPath]) == 0)
        #expect(try Ed25519PublicKey(pem: String(decoding: try readFile(derivedPath), as: UTF8.self)) == key.publicKey)
    }

    @Test func nonEd25519KeyIsRejected() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let keyPath = folder.file("ec.pem")
        #expect(try run([openssl, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", keyPath]) == 0)
        let error = #expect(throws: CryptoError.self) {
            try Ed25519PrivateKey(pem: String(decoding: try readFile(keyPath), as: UTF8.self))
        }
        #expect(error?.label == "crypto.wrong_key_type")
    }
}
