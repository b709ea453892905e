#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The agent's SQLite files (cache, telemetry queue) are created 0640 and tightened to it when an older version left
/// them more open: they hold the policy, the event log and the site's measurements. SQLite gives its `-wal` and `-shm`
/// files the mode of the database file, so creating that one first is enough for new files.
enum PrivateFile {
    /// Owner read/write, group read, nothing for others.
    static let mode: mode_t = 0o640

    /// Creates `path` empty with `mode` unless it exists; removes group write and every permission of others from it
    /// and from its `-wal` and `-shm` files. Best effort: SQLite reports a file it cannot open.
    static func prepare(_ path: String) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        if fd >= 0 {
            fchmod(fd, mode)
            close(fd)
        }
        for file in [path, path + "-wal", path + "-shm"] {
            var info = stat()
            guard stat(file, &info) == 0 else { continue }
            let current = mode_t(info.st_mode) & 0o7777
            if current & 0o027 != 0 { chmod(file, current & ~0o027) }
        }
    }
}
