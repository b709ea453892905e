import EdgeModbus
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A SunSpec-like block: unit 1, 300 holding registers from 40000, each preset to a value derived from its address.
func sunSpecLikeMap() throws -> HoldingRegisterMap {
    let map = try HoldingRegisterMap(unitID: 1, startAddress: 40000, count: 300)
    try map.withRegisters(unit: 1) { registers in
        for i in registers.indices { registers[i] = presetValue(address: 40000 + i) }
    }
    return map
}

/// The preset for `address`; distinct for neighbouring addresses so an off-by-one chunk shows.
func presetValue(address: Int) -> UInt16 { UInt16(truncatingIfNeeded: address &* 7 &+ 3) }

/// A client on loopback to `server`, unit 1.
func client(for server: ModbusTCPServer) throws -> ModbusClient {
    let client = try ModbusClient.tcp(host: "127.0.0.1", port: server.port)
    try client.connect()
    return client
}

/// Register writes the server reported, in order.
final class WriteLog: Sendable {
    struct Entry: Equatable, Sendable {
        var unit: UInt8
        var address: Int
        var count: Int
    }

    private let entries = Mutex<[Entry]>([])

    var hook: RegisterWriteHook {
        { unit, address, count in self.entries.withLock { $0.append(Entry(unit: unit, address: address, count: count)) } }
    }

    var all: [Entry] { entries.withLock { $0 } }
}

struct FixtureError: Error, CustomStringConvertible {
    let description: String
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

/// A child process (posix_spawn, no shell, output to /dev/null), ended with SIGTERM by `stop()`.
final class ChildProcess {
    let pid: pid_t

    init(_ argv: [String]) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        // The test runner blocks most signals and a spawned child inherits that mask: unblock them,
        // or SIGTERM stays pending forever and stop() hangs in waitpid.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t(), termOnly = sigset_t()
        sigemptyset(&noSignals)
        sigemptyset(&termOnly)
        sigaddset(&termOnly, SIGTERM)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &termOnly)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var cArgs = argv.map { strdup($0) }
        cArgs.append(nil)
        defer { for p in cArgs { free(p) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, argv[0], &actions, &attributes, cArgs, environ)
        guard rc == 0 else { throw FixtureError(description: "posix_spawn \(argv[0]) failed: \(rc)") }
        self.pid = pid
    }

    func stop() {
        kill(pid, SIGTERM)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
    }
}

/// A fresh private folder under /tmp.
struct ScratchFolder {
    let path: String

    init() throws {
        var template = Array("/tmp/edgemodbus-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw FixtureError(description: "mkdtemp failed: errno \(errno)") }
        path = String(cString: made)
    }

    func remove(_ names: [String]) {
        for name in names { unlink("\(path)/\(name)") }
        rmdir(path)
    }
}
