@testable import AgentKit
import Foundation
import Logging
import Synchronization
import Telemetry

/// Test peers for the uplink: a scripted HTTP(S) aggregator in Python, `openssl s_server`, and a PKI from
/// provisioning/v2g-pki. Each one is a child process owned by one object and terminated (by its pid) in deinit.
final class ChildProcess {
    let process = Process()
    /// The first line the child printed (the scripted server's port).
    private(set) var firstLine = ""

    init(_ executable: String, _ arguments: [String], waitForLineContaining marker: String? = nil) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = marker == nil ? FileHandle.nullDevice : output
        try process.run()
        var text = ""
        while !text.contains("\n") || (marker != nil && !text.contains(marker!)) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { throw UplinkTestError(message: "\(executable) exited before it was ready: \(text)") }
            text += String(decoding: chunk, as: UTF8.self)
        }
        firstLine = marker.flatMap { m in text.split(separator: "\n").first { $0.contains(m) }.map(String.init) }
            ?? String(text.prefix { $0 != "\n" })
    }

    deinit {
        // SIGKILL, not terminate(): children of the test process may start with SIGTERM blocked.
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}

struct UplinkTestError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

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
    static func pki(in directory: TemporaryDirectory, name: String = "ca") throws -> String {
        let ca = directory.file(name)
        let script = "\(root)/provisioning/v2g-pki"
        for arguments in [
            ["init-ca", "--dir", ca],
            ["issue-server", "--dir", ca, "--name", "localhost", "--ip", "127.0.0.1"],
            ["issue-agent", "--dir", ca, "--agent-id", "tx-017"],
        ] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: script)
            process.arguments = arguments
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else { throw UplinkTestError(message: "v2g-pki \(arguments[0]) failed") }
        }
        return ca
    }

    static func agentTLS(_ ca: String, trusting trustedCA: String? = nil) -> UplinkTLSFiles {
        UplinkTLSFiles(
            caPath: "\(trustedCA ?? ca)/ca.crt", certificatePath: "\(ca)/agents/tx-017.crt", keyPath: "\(ca)/agents/tx-017.key")
    }

    /// The scripted aggregator (plain HTTP on loopback, or HTTPS requiring a client certificate from `ca`).
    static func scriptedServer(in directory: TemporaryDirectory, tlsCA ca: String? = nil) throws -> (ChildProcess, Int) {
        let script = directory.file("aggregator.py")
        try scriptedServerSource.write(toFile: script, atomically: true, encoding: .utf8)
        var arguments = ["-u", script]
        if let ca { arguments += ["\(ca)/servers/localhost.crt", "\(ca)/servers/localhost.key", "\(ca)/ca.crt"] }
        let child = try ChildProcess("/usr/bin/env", ["python3"] + arguments)
        guard let port = Int(child.firstLine.trimmingCharacters(in: .whitespaces)) else {
            throw UplinkTestError(message: "the scripted server printed \(child.firstLine), not a port")
        }
        return (child, port)
    }

    /// `openssl s_server -www` demanding a client certificate signed by `ca`.
    static func sServer(_ ca: String) throws -> (ChildProcess, Int) {
        let child = try ChildProcess("/usr/bin/openssl", [
            "s_server", "-accept", "127.0.0.1:0", "-cert", "\(ca)/servers/localhost.crt", "-key", "\(ca)/servers/localhost.key",
            "-CAfile", "\(ca)/ca.crt", "-Verify", "1", "-verify_return_error", "-www",
        ], waitForLineContaining: "ACCEPT")
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

let scriptedServerSource = #"""
import http.server, json, ssl, sys, time

# Scripted aggregator stand-in: the agent id in the path picks the answer.
class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        self.rfile.read(length)
        sequence = int(self.headers.get("X-V2G-Sequence", "0"))
        agent = self.path.split("/")[3] if self.path.count("/") >= 4 else ""
        status, body = 200, {"sequence": sequence, "duplicate": False}
        if agent == "dup":
            body["duplicate"] = True
        elif agent == "mismatch":
            body["sequence"] = sequence + 1
        elif agent == "html":
            body = None
        elif agent == "conflict":
            status, body = 409, {"error": "sequence.conflict"}
        elif agent == "too-large":
            status, body = 413, {"error": "frame.too_large"}
        elif agent == "bad-frame":
            status, body = 400, {"error": "frame.bad_crc", "message": "CRC mismatch"}
        elif agent == "forbidden":
            status, body = 403, {"error": "agent.mismatch"}
        elif agent == "unavailable":
            status, body = 503, {"error": "busy"}
        elif agent == "throttled":
            status, body = 429, {"error": "slow down"}
        elif agent == "slow":
            time.sleep(5)
        elif agent == "huge":
            body = {"sequence": sequence, "duplicate": False, "pad": "x" * 200000}
        data = b"<html>ok</html>" if body is None else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html" if body is None else "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        try:
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass

server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
if len(sys.argv) == 4:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(sys.argv[1], sys.argv[2])
    context.load_verify_locations(sys.argv[3])
    context.verify_mode = ssl.CERT_REQUIRED
    server.socket = context.wrap_socket(server.socket, server_side=True)
print(server.server_address[1], flush=True)
server.serve_forever()
"""#
