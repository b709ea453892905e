#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A fresh private folder under /tmp, removed by `remove()`.
struct ScratchFolder {
    let path: String

    init() throws {
        var template = Array("/tmp/edgecrypto-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw ScratchError(message: "mkdtemp failed: errno \(errno)") }
        path = String(cString: made)
    }

    func file(_ name: String) -> String { "\(path)/\(name)" }

    /// Names in the folder, without "." and "..".
    func entries() -> [String] {
        guard let dir = opendir(path) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    func remove() {
        for name in entries() { unlink(file(name)) }
        rmdir(path)
    }
}

struct ScratchError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

func writeFile(_ path: String, _ bytes: [UInt8]) throws {
    guard let f = fopen(path, "wb") else { throw ScratchError(message: "fopen \(path): errno \(errno)") }
    defer { fclose(f) }
    if !bytes.isEmpty { guard fwrite(bytes, 1, bytes.count, f) == bytes.count else { throw ScratchError(message: "fwrite \(path)") } }
}

func readFile(_ path: String) throws -> [UInt8] {
    guard let f = fopen(path, "rb") else { throw ScratchError(message: "fopen \(path): errno \(errno)") }
    defer { fclose(f) }
    var out: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = fread(&chunk, 1, chunk.count, f)
        if n == 0 { break }
        out += chunk[0..<n]
    }
    return out
}

/// The first executable `name` on PATH, or nil.
func findExecutable(_ name: String) -> String? {
    guard let pathVar = getenv("PATH") else { return nil }
    for folder in String(cString: pathVar).split(separator: ":") {
        let candidate = "\(folder)/\(name)"
        if access(candidate, X_OK) == 0 { return candidate }
    }
    return nil
}

/// Runs `argv` with stdout/stderr sent to /dev/null and returns its exit status (posix_spawn, no shell).
func run(_ argv: [String]) throws -> Int32 {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    var cArgs = argv.map { strdup($0) }
    cArgs.append(nil)
    defer { for p in cArgs { free(p) } }
    var pid: pid_t = 0
    let rc = posix_spawn(&pid, argv[0], &actions, nil, cArgs, environ)
    guard rc == 0 else { throw ScratchError(message: "posix_spawn \(argv[0]): \(rc)") }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) == -1 {
        guard errno == EINTR else { throw ScratchError(message: "waitpid: errno \(errno)") }
    }
    // WIFEXITED / WEXITSTATUS are macros: exited normally when the low 7 bits are 0.
    return (status & 0x7f) == 0 ? (status >> 8) & 0xff : -1
}
