import EdgeCrypto
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@Suite struct KeyFileTests {
    @Test func pemFileIsOwnerOnlyAndLoadsBack() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let path = folder.file("signing.pem")
        let key = try Ed25519PrivateKey.generate()
        try key.write(toPEMFile: path)

        var info = stat()
        #expect(stat(path, &info) == 0)
        #expect(UInt32(info.st_mode) & 0o7777 == 0o600)
        #expect(folder.entries() == ["signing.pem"], "no temp file left behind")

        let text = String(decoding: try readFile(path), as: UTF8.self)
        #expect(try Ed25519PrivateKey(pem: text).publicKey == key.publicKey)
    }

    @Test func overwritingReplacesTheKeyAndTightensTheMode() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let path = folder.file("signing.pem")
        try writeFile(path, Array("old".utf8))
        #expect(chmod(path, 0o644) == 0)

        let key = try Ed25519PrivateKey.generate()
        try key.write(toPEMFile: path)
        var info = stat()
        #expect(stat(path, &info) == 0)
        #expect(UInt32(info.st_mode) & 0o7777 == 0o600)
        let text = String(decoding: try readFile(path), as: UTF8.self)
        #expect(try Ed25519PrivateKey(pem: text).publicKey == key.publicKey)
    }

    @Test func missingFolderIsAFileSystemError() throws {
        let key = try Ed25519PrivateKey.generate()
        let error = #expect(throws: CryptoError.self) { try key.write(toPEMFile: "/nonexistent-v2g/key.pem") }
        #expect(error?.label == "crypto.file_system")
        #expect(error?.message.contains("No such file") == true)
    }
}
