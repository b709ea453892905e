import FoundationEssentials
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The files `v2g-adm telemetry …` reads and writes, refused with a reason in words (never a raw Foundation error).
enum TelemetryFiles {
    /// Largest input file read whole.
    static let maxBytes = 64 << 20

    /// A regular file's bytes, at most `maxBytes`.
    static func read(path: String) throws(TelemetryPackError) -> [UInt8] {
        guard !path.isEmpty else { throw .unreadable(path, "no file name given") }
        var info = stat()
        guard stat(path, &info) == 0 else { throw .unreadable(path, reason(errno)) }
        if let kind = irregularKind(info.st_mode) { throw .unreadable(path, "is \(kind), not a regular file") }
        guard Int(info.st_size) <= maxBytes else {
            throw .unreadable(path, "is \(info.st_size) bytes, above the limit of \(maxBytes) (64 MiB)")
        }
        do {
            return [UInt8](try Data(contentsOf: URL(filePath: path)))
        } catch {
            throw .unreadable(path, reason(error))
        }
    }

    /// Writes `bytes` to `path` atomically (a new file replaces the old one only once complete).
    static func write(_ bytes: [UInt8], path: String) throws(TelemetryPackError) {
        guard !path.isEmpty else { throw .unwritable(path, "no file name given") }
        var info = stat()
        if stat(path, &info) == 0, let kind = irregularKind(info.st_mode) {
            throw .unwritable(path, "is \(kind); give the path of a file to create")
        }
        let parent = URL(filePath: path).deletingLastPathComponent().path
        var parentInfo = stat()
        guard stat(parent, &parentInfo) == 0 else { throw .unwritable(path, "directory \(parent): \(reason(errno))") }
        guard parentInfo.st_mode & S_IFMT == S_IFDIR else { throw .unwritable(path, "\(parent) is not a directory") }
        do {
            try Data(bytes).write(to: URL(filePath: path), options: .atomic)
        } catch {
            throw .unwritable(path, reason(error))
        }
    }

    /// "a directory", "a character device", …, or nil for a regular file.
    private static func irregularKind(_ mode: mode_t) -> String? {
        switch mode & S_IFMT {
        case S_IFREG: nil
        case S_IFDIR: "a directory"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        case S_IFIFO: "a named pipe"
        case S_IFSOCK: "a socket"
        default: "not a plain file"
        }
    }

    /// The POSIX reason under a Foundation error, in words.
    private static func reason(_ error: any Error) -> String {
        if let cocoa = error as? CocoaError, let posix = cocoa.userInfo["NSUnderlyingError"] as? POSIXError {
            return reason(posix.code.rawValue)
        }
        if let posix = error as? POSIXError { return reason(posix.code.rawValue) }
        return "the system refused it (\(type(of: error)))"
    }

    /// `strerror`'s text, lowercased as a clause: "no such file or directory", "permission denied", …
    private static func reason(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "error \(code)" }
        let message = String(cString: text)
        return message.prefix(1).lowercased() + message.dropFirst()
    }
}
