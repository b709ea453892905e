public import EdgeCurl
import FoundationEssentials

/// `v2g-adm`'s connection to the aggregator: HTTPS with mutual TLS, the operator's certificate from their kit
/// (`v2g-pki issue-operator`), the deployment CA as the only trust anchor (docs/rollout.md).
public struct AggregatorClient: Sendable {
    public let baseURL: String
    let client: CurlClient

    /// `kit` is the folder `v2g-pki issue-operator` wrote (`ca.crt`, `operator.crt`, `operator.key`); `ca`, `cert`
    /// and `key` override its files one by one.
    public init(url: String, kit: String?, ca: String?, cert: String?, key: String?, timeoutS: Double = 30) throws(RolloutToolError) {
        func file(_ explicit: String?, _ name: String, _ option: String) throws(RolloutToolError) -> String {
            if let explicit { return explicit }
            guard let kit else { throw .usage("give --kit DIR (the operator's kit from v2g-pki issue-operator) or \(option)") }
            return kit + "/" + name
        }
        let tls = MutualTLSFiles(
            caPath: try file(ca, "ca.crt", "--ca"), certificatePath: try file(cert, "operator.crt", "--cert"),
            keyPath: try file(key, "operator.key", "--key"))
        for path in [tls.caPath, tls.certificatePath, tls.keyPath] where !FileManager.default.isReadableFile(atPath: path) {
            throw .usage("\(path): cannot read it")
        }
        guard url.hasPrefix("https://") else { throw .usage("--aggregator \(url): expected https://HOST:PORT") }
        baseURL = url.hasSuffix("/") ? String(url.dropLast()) : url
        do {
            client = try CurlClient(
                settings: CurlSettings(tls: tls, connectTimeoutS: 10, totalTimeoutS: timeoutS, maxResponseBytes: 32 << 20), label: "v2g-adm")
        } catch {
            throw .unreachable("cannot set up the HTTPS client: \(error)")
        }
    }

    /// GET `path`; the body of a 2xx answer, else the aggregator's refusal.
    func get(_ path: String) async throws(RolloutToolError) -> [UInt8] {
        let result: ConditionalGetResult
        do { result = try await client.get(baseURL + path) } catch { throw .unreachable("\(baseURL): \(error.message)") }
        switch result {
        case .notModified(let response), .response(let response): return try Self.accepted(response)
        }
    }

    /// POST `body` (JSON) to `path`; the body of a 2xx answer, else the aggregator's refusal.
    func post(_ path: String, body: [UInt8]) async throws(RolloutToolError) -> (status: Int, body: [UInt8]) {
        let response: CurlResponse
        do {
            response = try await client.post(baseURL + path, body: body, headers: ["Content-Type: application/json"])
        } catch {
            throw .unreachable("\(baseURL): \(error.message)")
        }
        return (response.status, try Self.accepted(response))
    }

    /// DELETE `path`; the body of a 2xx answer, else the aggregator's refusal.
    func delete(_ path: String) async throws(RolloutToolError) -> [UInt8] {
        let response: CurlResponse
        do { response = try await client.delete(baseURL + path) } catch { throw .unreachable("\(baseURL): \(error.message)") }
        return try Self.accepted(response)
    }

    private static func accepted(_ response: CurlResponse) throws(RolloutToolError) -> [UInt8] {
        guard (200..<300).contains(response.status) else {
            struct Refusal: Decodable {
                let error: String
                let message: String?
            }
            let refusal = try? JSONDecoder().decode(Refusal.self, from: Data(response.body))
            throw .refused(
                status: response.status, label: refusal?.error ?? "http.\(response.status)",
                message: refusal?.message ?? String(decoding: response.body.prefix(200), as: UTF8.self))
        }
        return response.body
    }
}

/// Why a `v2g-adm rollout …` or `roots …` command failed, and its exit status: 1 the aggregator refused, 2 a bad
/// command line or local file, 3 the aggregator could not be reached (network, TLS).
public struct RolloutToolError: Error, Sendable, CustomStringConvertible {
    private enum Code: Int32, Sendable {
        case refused = 1
        case usage = 2
        case unreachable = 3
    }

    private let code: Code
    public let message: String

    private init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    static func usage(_ message: String) -> Self { Self(.usage, message) }
    static func unreachable(_ message: String) -> Self { Self(.unreachable, message) }
    static func refused(status: Int, label: String, message: String) -> Self {
        Self(.refused, "REFUSED \(status) \(label): \(message)")
    }

    /// The process exit status for this failure.
    public var exitStatus: Int32 { code.rawValue }
    public var description: String { message }
}
