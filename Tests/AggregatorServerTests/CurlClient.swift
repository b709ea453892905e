import Foundation

/// The `curl` CLI as the independent client (the agent's uplink will be libcurl too).
struct CurlResult: Sendable {
    /// curl's exit status: 0 when an HTTP exchange happened, non-zero on a TLS or transport failure.
    let exitStatus: Int32
    /// HTTP status, 0 when no response arrived.
    let httpStatus: Int
    let body: [UInt8]
    /// Response headers as curl wrote them (`Name: value` lines).
    var headers: String = ""
    var text: String { String(decoding: body, as: UTF8.self) }
}

struct CurlClient: Sendable {
    let port: Int
    let pki: PKIFixture

    /// Runs curl against `path` with an optional client identity and body; waits off the cooperative pool.
    func request(
        _ path: String, method: String = "GET", agent: String? = "a1", otherCA: Bool = false, body: [UInt8]? = nil,
        identity: (cert: String, key: String)? = nil, headers: [String] = [], maxTimeS: Int = 20
    ) async throws -> CurlResult {
        let scratch = NSTemporaryDirectory() + "curl-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        var arguments = ["-sS", "--max-time", String(maxTimeS), "-o", scratch + "/out", "-D", scratch + "/headers", "-w", "%{http_code}", "--cacert", pki.caFile, "-X", method]
        if let identity {
            arguments += ["--cert", identity.cert, "--key", identity.key]
        } else if let agent {
            arguments += ["--cert", pki.agentCert(agent, otherCA: otherCA), "--key", pki.agentKey(agent, otherCA: otherCA)]
        }
        if let body {
            try Data(body).write(to: URL(fileURLWithPath: scratch + "/body"))
            arguments += ["-H", "Content-Type: application/octet-stream", "--data-binary", "@" + scratch + "/body"]
        }
        for header in headers { arguments += ["-H", header] }
        arguments.append("https://127.0.0.1:\(port)\(path)")

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = arguments
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }
        let code = String(decoding: stdout.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let out = (try? Data(contentsOf: URL(fileURLWithPath: scratch + "/out"))).map { [UInt8]($0) } ?? []
        let headers = (try? String(contentsOfFile: scratch + "/headers", encoding: .utf8)) ?? ""
        return CurlResult(exitStatus: status, httpStatus: Int(code) ?? 0, body: out, headers: headers)
    }
}
