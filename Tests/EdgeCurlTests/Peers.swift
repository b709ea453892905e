import Foundation
import PeerProcesses

/// Real peers on loopback for the EdgeCurl tests: Tests/peers/http/edge_curl_peer.py (HTTP, or HTTPS requiring a
/// client certificate), `openssl s_server`, and certificates from the project's own provisioning/v2g-pki.
/// Every wait on a child happens off the cooperative pool (`PeerProcesses`).
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
            let status = try await ChildProcess.runToEnd(root + "/provisioning/v2g-pki", arguments)
            guard status == 0 else { throw PeerError("v2g-pki \(arguments[0]) exited with \(status)") }
        }
        return dir
    }

    /// The Python peer; with `ca`, over HTTPS demanding a client certificate from that CA.
    static func httpPeer(ca: String? = nil) async throws -> (ChildProcess, port: Int) {
        var arguments = [root + "/Tests/peers/http/edge_curl_peer.py"]
        if let ca { arguments += ["\(ca)/servers/localhost.crt", "\(ca)/servers/localhost.key", "\(ca)/ca.crt"] }
        let peer = try await ChildProcess.start("/usr/bin/env", ["python3", "-u"] + arguments, mergeStderr: true)
        guard let port = Int(peer.firstLine.trimmingCharacters(in: .whitespaces)) else {
            throw PeerError("the HTTP peer printed \(peer.firstLine.debugDescription), not a port")
        }
        return (peer, port)
    }

    /// `openssl s_server -www`, demanding a client certificate signed by `ca` (-Verify with -verify_return_error).
    static func sServer(ca: String) async throws -> (ChildProcess, port: Int) {
        let peer = try await ChildProcess.start("/usr/bin/openssl", [
            "s_server", "-accept", "127.0.0.1:0", "-cert", "\(ca)/servers/localhost.crt", "-key", "\(ca)/servers/localhost.key",
            "-CAfile", "\(ca)/ca.crt", "-Verify", "1", "-verify_return_error", "-www",
        ], mergeStderr: true) { $0.contains("ACCEPT") }
        guard let port = peer.firstLine.split(separator: ":").last.flatMap({ Int($0) }) else {
            throw PeerError("s_server printed \(peer.firstLine.debugDescription)")
        }
        return (peer, port)
    }
}

struct PeerError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
