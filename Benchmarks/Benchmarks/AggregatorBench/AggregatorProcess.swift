import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A deployment PKI made by `provisioning/v2g-pki` and the real `v2g-aggregator serve` on it, in a child process,
/// on 127.0.0.1 with fresh SQLite stores in a temporary directory.
///
/// A child process because `AggregatorServer` is not a library product of the root package (only products can be
/// imported here); it is also how the aggregator runs in the field. Its CPU time is read from /proc.
public final class AggregatorProcess: @unchecked Sendable {  // immutable after init; `process` is only stopped once, from teardown
    public let root: String
    public let port: Int
    public let agentIDs: [String]
    /// The CA directory (`v2g-pki`): `agents/ID.crt|key`, `kits/operator-bench/`, `ca.crt`.
    public let ca: String
    private let process: Process

    public var baseURL: String { "https://127.0.0.1:\(port)" }
    public var storePath: String { root + "/telemetry.sqlite" }
    /// The operator kit (`ca.crt`, `operator.crt`, `operator.key`) of operator `bench`.
    public var operatorKit: String { ca + "/kits/operator-bench" }

    /// Provisions (or reuses, see `provision`) the CA, the server certificate (127.0.0.1), `agents` agent
    /// certificates and operator `bench`, then starts the server: the binary at `executable` (default:
    /// `aggregatorPath`), with `storage` keys added to its storage section and `config` members to the top level.
    public init(agents: Int, executable: String = AggregatorProcess.aggregatorPath, storage: String = "", config extra: String = "") throws {
        root = NSTemporaryDirectory() + "v2g-aggregator-bench-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        agentIDs = (1...agents).map { "bench-\($0)" }
        ca = try Self.provision(agents: agentIDs)

        port = try Self.freePort()
        let config = """
            {"listen": {"host": "127.0.0.1", "port": \(port)},
             "tls": {"ca_file": "\(ca)/ca.crt", "cert_file": "\(ca)/servers/localhost.crt",
                     "key_file": "\(ca)/servers/localhost.key", "crl_file": "\(ca)/crl.pem"},
             "storage": {"path": "\(root)/telemetry.sqlite"\(storage)}\(extra.isEmpty ? "" : ", " + extra)}
            """
        try config.write(toFile: root + "/aggregator.json", atomically: true, encoding: .utf8)
        process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["serve", "--config", root + "/aggregator.json"]
        // Not the benchmark's malloc-counting interposer: the server must run as it does in the field.
        process.environment = ProcessInfo.processInfo.environment.filter { $0.key != "LD_PRELOAD" }
        _ = FileManager.default.createFile(atPath: root + "/aggregator.log", contents: nil)
        let log = FileHandle(forWritingAtPath: root + "/aggregator.log")
        process.standardOutput = log
        process.standardError = log
        try process.run()
    }

    /// The CA, the server certificate and the agents' certificates, issued once per agent count and kept in the
    /// temporary directory (issuing a thousand certificates takes minutes); the CRL is renewed on every run so a
    /// kept CA is never refused for an expired list.
    static func provision(agents: [String]) throws -> String {
        let ca = NSTemporaryDirectory() + "v2g-bench-pki-\(agents.count)"
        let done = ca + "/.provisioned"
        if FileManager.default.fileExists(atPath: done) {
            try pki("crl", "--dir", ca)
            return ca
        }
        try? FileManager.default.removeItem(atPath: ca)
        try pki("init-ca", "--dir", ca)
        try pki("issue-server", "--dir", ca, "--name", "localhost", "--ip", "127.0.0.1")
        try pki("issue-operator", "--dir", ca, "--name", "bench")
        for id in agents { try pki("issue-agent", "--dir", ca, "--agent-id", id) }
        FileManager.default.createFile(atPath: done, contents: nil)
        return ca
    }

    /// The server's log (its standard output and error).
    public var logPath: String { root + "/aggregator.log" }

    /// The server's user + system CPU time so far, in microseconds (/proc/PID/stat, clock ticks of 10 ms).
    public func cpuMicroseconds() -> Int {
        guard let stat = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")")
        else { return 0 }
        // Fields after "(comm)": state is field 3, utime 14, stime 15.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Int(fields[11]), let system = Int(fields[12]) else { return 0 }
        return (user + system) * 1_000_000 / Int(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// The server's peak resident memory so far (VmHWM from /proc/PID/status), in KiB.
    public func peakResidentKiB() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
        }
        return 0
    }

    /// The binary the "before" figures come from: `V2G_AGGREGATOR_BASELINE` (built from an earlier commit in its own
    /// scratch path, docs/benchmarks.md), or nil.
    public static var baselinePath: String? { ProcessInfo.processInfo.environment["V2G_AGGREGATOR_BASELINE"] }

    /// SIGTERM (graceful stop), then removes the temporary directory unless `V2G_BENCH_KEEP` is set.
    public func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        if ProcessInfo.processInfo.environment["V2G_BENCH_KEEP"] == nil {
            try? FileManager.default.removeItem(atPath: root)
        } else {
            print("kept \(root)")
        }
    }

    /// `V2G_AGGREGATOR`, else `v2g-aggregator` next to this benchmark's executable (same build directory).
    public static var aggregatorPath: String {
        if let path = ProcessInfo.processInfo.environment["V2G_AGGREGATOR"] { return path }
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: exe).deletingLastPathComponent().appendingPathComponent("v2g-aggregator").path
    }

    /// provisioning/v2g-pki, found from this file (Benchmarks/Benchmarks/AggregatorBench/ → repository root).
    static var toolPath: String {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.appendingPathComponent("provisioning/v2g-pki").path
    }

    private static func pki(_ arguments: String...) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: toolPath)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw BenchSetupError("v2g-pki \(arguments.joined(separator: " ")) failed") }
    }

    /// A port the kernel hands out for 127.0.0.1 now (bound and released; the server binds it right after).
    private static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw BenchSetupError("socket: errno \(errno)") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(fd, socketAddress, length) == 0 && getsockname(fd, socketAddress, &length) == 0
            }
        }
        guard bound else { throw BenchSetupError("bind 127.0.0.1:0: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// The benchmark's fixture could not be built (a missing binary, a failed tool); the message says which.
public struct BenchSetupError: Error, CustomStringConvertible {
    public let description: String
    public init(_ message: String) { description = message }
}
