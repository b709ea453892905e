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

@Suite struct KeyFileReadingTests {
    @Test func anOwnerOnlyKeyFileLoads() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let path = folder.file("policy.pem")
        let key = try Ed25519PrivateKey.generate()
        try key.write(toPEMFile: path)
        #expect(try Ed25519PrivateKey(pemFile: path).publicKey == key.publicKey)
        #expect(chmod(path, 0o400) == 0)
        #expect(try Ed25519PrivateKey(pemFile: path).publicKey == key.publicKey)
    }

    @Test(arguments: [0o640, 0o604, 0o666, 0o620])
    func aKeyFileOthersCanReachIsRefused(mode: Int) throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let path = folder.file("policy.pem")
        try Ed25519PrivateKey.generate().write(toPEMFile: path)
        #expect(chmod(path, mode_t(mode)) == 0)
        let error = #expect(throws: CryptoError.self) { try Ed25519PrivateKey(pemFile: path) }
        #expect(error?.label == "crypto.insecure_file_mode")
        #expect(error?.message.contains("0\(String(mode, radix: 8))") == true, "\(String(describing: error))")
    }

    @Test func aFolderIsNotAKeyFile() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        #expect(chmod(folder.path, 0o700) == 0)
        #expect(throws: CryptoError.self) { try Ed25519PrivateKey(pemFile: folder.path) }
    }
}
