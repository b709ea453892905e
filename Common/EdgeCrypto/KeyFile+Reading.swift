internal import COpenSSL

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension KeyFile {
    /// A key PEM is a few hundred bytes; anything far larger is not one.
    static let maxSecretBytes = 64 * 1024

    /// Reads a secret file, refusing one that is not a regular file or that group or others may access
    /// (mode & 0077). The mode is read from the open descriptor, so the file checked is the file read.
    static func readSecret(_ path: String) throws -> [UInt8] {
        let fd = try posixCall("open", path: path) { open(path, O_RDONLY | O_CLOEXEC) }
        defer { close(fd) }
        var info = stat()
        try posixCall("fstat", path: path) { fstat(fd, &info) }
        guard UInt32(info.st_mode) & 0o170000 == 0o100000 else { throw CryptoError.notAKeyFile(path: path, "not a regular file") }
        let mode = UInt32(info.st_mode) & 0o7777
        guard mode & 0o077 == 0 else { throw CryptoError.exposedKeyFile(path: path, mode: mode) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        defer { chunk.withUnsafeMutableBytes { OPENSSL_cleanse($0.baseAddress, $0.count) } }
        while true {
            let count = try posixCall("read", path: path) { chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) } }
            if count == 0 { return bytes }
            bytes.append(contentsOf: chunk[0..<count])
            guard bytes.count <= maxSecretBytes else {
                bytes.withUnsafeMutableBytes { OPENSSL_cleanse($0.baseAddress, $0.count) }
                throw CryptoError.notAKeyFile(path: path, "larger than \(maxSecretBytes) bytes: not a key")
            }
        }
    }
}

extension Ed25519PrivateKey {
    /// Loads an unencrypted PKCS#8 PEM key file, refusing one that group or others may read (a key others
    /// could read must be treated as disclosed, not quietly used).
    public convenience init(pemFile path: String) throws {
        var bytes = try KeyFile.readSecret(path)
        defer { bytes.withUnsafeMutableBytes { OPENSSL_cleanse($0.baseAddress, $0.count) } }
        try self.init(pem: String(decoding: bytes, as: UTF8.self))
    }
}
