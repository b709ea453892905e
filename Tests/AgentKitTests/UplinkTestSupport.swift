@testable import AgentKit
import Foundation
import PeerProcesses
import Logging
import Synchronization
import Telemetry

struct UplinkTestError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// Test peers for the uplink: a scripted HTTP(S) aggregator in Python, `openssl s_server`, and a PKI from
/// provisioning/v2g-pki, each a `ChildProcess` (waited on off the cooperative pool).
enum UplinkFixtures {
    static let logger = Logger(label: "test.uplink", factory: { _ in SwiftLogNoOpLogHandler() })
    static let root = "/" + #filePath.split(separator: "/").dropLast(3).joined(separator: "/")
    /// 2026-11-21 18:00:00 UTC, a whole minute.
    static let startMs: Int64 = 1_795_284_000_000
    static let channels = AgentChannels(chargerIDs: ["ev-1", "ev-2"])

    /// A sample whose cells are recognisable: channel c at row r holds c × 1000 + r quanta (every 7th missing).
    static func sample(row: Int, timeMs: Int64) -> TelemetrySample {
        TelemetrySample(timeMs: timeMs, quanta: channels.specs.indices.map { c in
            (c + row) % 7 == 6 ? nil : Int64(c * 1000 + row)
        })
    }

    static func queue(_ directory: TemporaryDirectory, maxRawRows: Int = 1000, maximumPageCount: Int? = nil) throws -> TelemetryQueue {
        try TelemetryQueue(
            path: directory.file("telemetry.sqlite"), agentID: "tx-017", channels: channels, maxRawRows: maxRawRows,
            maximumPageCount: maximumPageCount)
    }

    /// Runs the PKI script: a CA, a server certificate for 127.0.0.1 and an agent certificate for tx-017.
    static func pki(in directory: TemporaryDirectory, name: String = "ca", agents: [String] = ["tx-017"]) async throws -> String {
        let ca = directory.file(name)
        let script = "\(root)/provisioning/v2g-pki"
        let steps = [["init-ca", "--dir", ca], ["issue-server", "--dir", ca, "--name", "localhost", "--ip", "127.0.0.1"]]
            + agents.map { ["issue-agent", "--dir", ca, "--agent-id", $0] }
        for arguments in steps {
            guard try await ChildProcess.runToEnd(script, arguments) == 0 else {
                throw UplinkTestError(message: "v2g-pki \(arguments[0]) failed")
            }
        }
        return ca
    }

    static func agentTLS(_ ca: String, trusting trustedCA: String? = nil) -> UplinkTLSFiles {
        UplinkTLSFiles(
            caPath: "\(trustedCA ?? ca)/ca.crt", certificatePath: "\(ca)/agents/tx-017.crt", keyPath: "\(ca)/agents/tx-017.key")
    }

    /// The scripted aggregator, Tests/peers/http/scripted_aggregator.py (plain HTTP on loopback, or HTTPS requiring a
    /// client certificate from `ca`). State reports are written to `directory` and answered with its `envelope.dsse`
    /// when there is one; the script is checked in.
    static func scriptedServer(in directory: TemporaryDirectory, tlsCA ca: String? = nil) async throws -> (ChildProcess, Int) {
        var arguments = ["-u", "\(root)/Tests/peers/http/scripted_aggregator.py"]
        if let ca { arguments += ["\(ca)/servers/localhost.crt", "\(ca)/servers/localhost.key", "\(ca)/ca.crt"] }
        let child = try await ChildProcess.start(
            "/usr/bin/env", ["python3"] + arguments, environment: ["SCRIPTED_AGGREGATOR_DIR": directory.path])
        guard let port = Int(child.firstLine.trimmingCharacters(in: .whitespaces)) else {
            throw UplinkTestError(message: "the scripted server printed \(child.firstLine), not a port")
        }
        return (child, port)
    }

    /// `openssl s_server -www` demanding a client certificate signed by `ca`.
    static func sServer(_ ca: String) async throws -> (ChildProcess, Int) {
        let child = try await ChildProcess.start("/usr/bin/openssl", [
            "s_server", "-accept", "127.0.0.1:0", "-cert", "\(ca)/servers/localhost.crt", "-key", "\(ca)/servers/localhost.key",
            "-CAfile", "\(ca)/ca.crt", "-Verify", "1", "-verify_return_error", "-www",
        ], mergeStderr: true) { $0.contains("ACCEPT") }
        guard let port = child.firstLine.split(separator: ":").last.flatMap({ Int($0) }) else {
            throw UplinkTestError(message: "s_server printed \(child.firstLine)")
        }
        return (child, port)
    }

    static func settings(port: Int, agentID: String, tls: UplinkTLSFiles? = nil, totalTimeoutS: Double = 10) -> UplinkSettings {
        var settings = UplinkSettings(baseURL: "\(tls == nil ? "http" : "https")://127.0.0.1:\(port)/", agentID: agentID, tls: tls)
        settings.connectTimeoutS = 5
        settings.totalTimeoutS = totalTimeoutS
        return settings
    }
}

/// A transport that answers from a script and records what it was sent.
final class ScriptedTransport: TelemetryTransport {
    private let state: Mutex<(answers: [UplinkResult?], sent: [UInt64])>

    /// nil in the script means "acknowledge what was sent".
    init(_ answers: [UplinkResult?]) { state = Mutex((answers, [])) }

    var sent: [UInt64] { state.withLock { $0.sent } }

    func post(frame: [UInt8], sequence: UInt64) async -> UplinkResult {
        state.withLock { state in
            state.sent.append(sequence)
            let answer = state.answers.isEmpty ? nil : state.answers.removeFirst()
            return answer ?? .acknowledged(sequence: sequence, duplicate: false)
        }
    }
}
