#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Replaces a file so that a reader sees the old content or the new, never half of either:
/// write a temporary file beside it, fsync, rename over the target, fsync the directory.
enum AtomicFile {
    /// Every file the agent writes: owner read/write, group read (operators and node-exporter read through the
    /// agent's group), nothing for others.
    static let agentFileMode: mode_t = 0o640

    static func write(_ bytes: [UInt8], to path: String, mode: mode_t = agentFileMode) throws(LocalOutputError) {
        // The temporary name must not end like the target: node-exporter reads only `*.prom`.
        let temporary = "\(path).tmp-\(getpid())"
        let fd = try POSIXCall.check("create \(temporary)", path: path) { open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode) }
        var closed = false
        defer {
            if !closed { close(fd) }
        }
        do {
            var offset = 0
            while offset < bytes.count {
                let written = try POSIXCall.check("write", path: path) {
                    bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
                }
                offset += written
            }
            // The mode asked for, whatever the umask, and whatever an older temporary file had.
            try POSIXCall.check("fchmod", path: path) { fchmod(fd, mode) }
            try POSIXCall.check("fsync", path: path) { fsync(fd) }
            closed = true
            try POSIXCall.check("close", path: path) { close(fd) }
            try POSIXCall.check("rename into place", path: path) { rename(temporary, path) }
        } catch {
            unlink(temporary)
            throw error
        }
        syncDirectory(of: path)
    }

    /// Makes the rename durable; best effort, since the file itself is already complete.
    private static func syncDirectory(of path: String) {
        let directory = path.lastIndex(of: "/").map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }
}
