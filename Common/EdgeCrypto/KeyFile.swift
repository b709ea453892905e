#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes secret files so that no other user can ever read them, and readers never see half a file.
enum KeyFile {
    /// Owner read/write only.
    static let secretMode: mode_t = 0o600

    /// Creates a temp file next to `path` with O_EXCL and mode 0600, writes and syncs `bytes`,
    /// checks the mode, then renames it over `path`.
    static func writeSecret(_ bytes: [UInt8], to path: String) throws {
        let folder = path.lastIndex(of: "/").map { String(path[..<$0]) }.map { $0.isEmpty ? "/" : $0 } ?? "."
        let temp = "\(path).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = try posixCall("open", path: temp) {
            open(temp, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, secretMode)
        }
        var renamed = false
        defer { if !renamed { unlink(temp) } }
        do {
            // The umask can only clear bits, but set the mode explicitly so 0600 does not depend on it.
            try posixCall("fchmod", path: temp) { fchmod(fd, secretMode) }
            try writeAll(bytes, fd: fd, path: temp)
            try posixCall("fsync", path: temp) { fsync(fd) }
            var info = stat()
            try posixCall("fstat", path: temp) { fstat(fd, &info) }
            let mode = UInt32(info.st_mode) & 0o7777
            guard mode == UInt32(secretMode) else { throw CryptoError.insecureFileMode(path: temp, mode: mode) }
        } catch {
            close(fd)
            throw error
        }
        try posixCall("close", path: temp) { close(fd) }
        try posixCall("rename", path: path) { rename(temp, path) }
        renamed = true
        // Persist the rename itself.
        let dirFD = try posixCall("open", path: folder) { open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        defer { close(dirFD) }
        try posixCall("fsync", path: folder) { fsync(dirFD) }
    }

    private static func writeAll(_ bytes: [UInt8], fd: Int32, path: String) throws {
        try bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = try posixCall("write", path: path) {
                    write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                }
                offset += written
            }
        }
    }
}
