import FoundationEssentials

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// File access for the trust commands: bounded reads, atomic writes, folders with the right modes.
enum TrustFiles {
    /// Signed documents and policies are refused above 256 KiB by their verifiers; read a little more so the
    /// verifier, not the reader, reports OVERSIZE.
    static let maxReadBytes = 4 << 20

    static func read(_ path: String) throws(TrustToolError) -> [UInt8] {
        let data: Data
        do {
            data = try Data(contentsOf: URL(filePath: path), options: [])
        } catch {
            throw .unreadable(path, reason(error))
        }
        guard data.count <= maxReadBytes else { throw .unreadable(path, "larger than \(maxReadBytes) bytes") }
        return [UInt8](data)
    }

    /// Writes `bytes` atomically (temp file, then rename); with `exclusive`, refuses to replace an existing file.
    static func write(_ bytes: [UInt8], to path: String, exclusive: Bool = false) throws(TrustToolError) {
        do {
            try Data(bytes).write(to: URL(filePath: path), options: exclusive ? [.withoutOverwriting] : [.atomic])
        } catch {
            throw .unwritable(path, reason(error))
        }
    }

    static func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

    /// Creates `path` (and parents) if missing, with `mode` for the folders it creates.
    static func makeFolder(_ path: String, mode: Int) throws(TrustToolError) {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: mode])
        } catch {
            throw .unwritable(path, reason(error))
        }
    }

    /// File names in a folder, sorted; none when it does not exist.
    static func list(_ path: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
    }

    static func move(_ from: String, to: String) throws(TrustToolError) {
        do {
            try FileManager.default.moveItem(atPath: from, toPath: to)
        } catch {
            throw .unwritable(to, reason(error))
        }
    }

    /// errno's words ("No such file or directory") rather than Foundation's error dump.
    private static func reason(_ error: any Error) -> String {
        let posix = (error as? POSIXError) ?? ((error as? CocoaError)?.userInfo["NSUnderlyingError"] as? POSIXError)
        return posix.map { String(cString: strerror($0.code.rawValue)) } ?? "\(error)"
    }
}
