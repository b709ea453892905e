import Foundation

/// Real peers on loopback for the EdgeCurl tests: Tests/peers/http/edge_curl_peer.py (HTTP, or HTTPS requiring a
/// client certificate), `openssl s_server`, and certificates from the project's own provisioning/v2g-pki.
///
/// Everything that waits on a child process (its first line, its exit) waits on a thread of its own, never on one of
/// the few threads of Swift's cooperative pool: under load, tests that held those threads starved unrelated ones.
enum Peers {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// A scratch directory for one test, removed by `Scratch.deinit`.
    final class Scratch: Sendable {
        let path = NSTemporaryDirectory() + "edge-curl-\(UUID().uuidString)"
        init() throws { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
        deinit { try? FileManager.default.removeItem(atPath: path) }
    }

    /// Two unrelated CAs, made once per test run (the first caller makes them; the others wait without a thread).
    struct PKI: Sendable {
        let scratch: Scratch
        let ca: String
        let other: String
    }

    private actor PKIOnce {
        /// The one making, shared by every caller (an actor method that awaits can be entered again meanwhile).
        private var making: Task<PKI, any Error>?
        func get() async throws -> PKI {
            let task = making ?? Task {
                let scratch = try Scratch()
                return PKI(
                    scratch: scratch, ca: try await certificateAuthority(in: scratch, name: "ca"),
                    other: try await certificateAuthority(in: scratch, name: "other"))
            }
            making = task
            return try await task.value
        }
    }

    private static let pkiOnce = PKIOnce()

    static func pki() async throws -> PKI { try await pkiOnce.get() }

    /// A CA with a server certificate for 127.0.0.1 (`servers/localhost.*`) and a client certificate `agents/tx-017.*`.
    static func certificateAuthority(in scratch: Scratch, name: String) async throws -> String {
        let dir = scratch.path + "/" + name
        for arguments in [
            ["init-ca", "--dir", dir, "--name", "EdgeCurl test CA \(name)"],
            ["issue-server", "--dir", dir, "--name", "localhost", "--ip", "127.0.0.1"],
            ["issue-agent", "--dir", dir, "--agent-id", "tx-017"],
        ] {
            let status = try await Spawned.runToEnd(root + "/provisioning/v2g-pki", arguments)
            guard status == 0 else { throw PeerError("v2g-pki \(arguments[0]) exited with \(status)") }
        }
        return dir
    }

    /// The Python peer; with `ca`, over HTTPS demanding a client certificate from that CA.
    static func httpPeer(ca: String? = nil) async throws -> (Spawned, port: Int) {
        var arguments = [root + "/Tests/peers/http/edge_curl_peer.py"]
        if let ca { arguments += ["\(ca)/servers/localhost.crt", "\(ca)/servers/localhost.key", "\(ca)/ca.crt"] }
        let peer = try await Spawned.start("/usr/bin/env", ["python3", "-u"] + arguments) { _ in true }
        guard let port = Int(peer.readyLine.trimmingCharacters(in: .whitespaces)) else {
            throw PeerError("the HTTP peer printed \(peer.readyLine.debugDescription), not a port")
        }
        return (peer, port)
    }

    /// `openssl s_server -www`, demanding a client certificate signed by `ca` (-Verify with -verify_return_error).
    static func sServer(ca: String) async throws -> (Spawned, port: Int) {
        let peer = try await Spawned.start("/usr/bin/openssl", [
            "s_server", "-accept", "127.0.0.1:0", "-cert", "\(ca)/servers/localhost.crt", "-key", "\(ca)/servers/localhost.key",
            "-CAfile", "\(ca)/ca.crt", "-Verify", "1", "-verify_return_error", "-www",
        ]) { $0.contains("ACCEPT") }
        guard let port = peer.readyLine.split(separator: ":").last.flatMap({ Int($0) }) else {
            throw PeerError("s_server printed \(peer.readyLine.debugDescription)")
        }
        return (peer, port)
    }
}

/// Runs `body` on a thread of its own and suspends until it returns: a blocking wait that holds no pool thread.
func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
    }
}

/// A child process, killed by its pid when this object goes away.
/// @unchecked Sendable: `process` is set up before the object is shared and only read (pid, isRunning) afterwards.
final class Spawned: @unchecked Sendable {
    private let process = Process()
    /// The first output line `isReady` accepted.
    private(set) var readyLine = ""

    /// Starts the child and waits, on a thread of its own, for the first line `isReady` accepts.
    static func start(_ executable: String, _ arguments: [String], isReady: @escaping @Sendable (String) -> Bool) async throws -> Spawned {
        try await onOwnThread { try Spawned(executable, arguments, isReady: isReady) }
    }

    private init(_ executable: String, _ arguments: [String], isReady: (String) -> Bool) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        var pending = ""
        while true {
            let chunk = pipe.fileHandleForReading.availableData
            guard !chunk.isEmpty else { throw PeerError("\(executable) exited before it was ready: \(pending)") }
            pending += String(decoding: chunk, as: UTF8.self)
            if let line = pending.split(separator: "\n").map(String.init).first(where: isReady), pending.contains("\n") {
                readyLine = line
                return
            }
        }
    }

    /// Runs a tool to its end with its output discarded, waiting on a thread of its own; returns its exit status.
    static func runToEnd(_ executable: String, _ arguments: [String]) async throws -> Int32 {
        try await onOwnThread {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            return process.terminationStatus
        }
    }

    deinit {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        // Waited for here: a test that goes on once its peer is gone expects the peer's port closed. A killed process
        // exits within milliseconds; this is the one short wait a deinit may make.
        process.waitUntilExit()
    }
}

struct PeerError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
