/// Where and how the agent posts frames (the proposed `uplink` section of agent.json: docs/uplink.md).
public struct UplinkSettings: Sendable, Hashable {
    /// e.g. `https://aggregator.example:8443`; frames go to `{baseURL}/v1/agents/{agentID}/telemetry`.
    public var baseURL: String
    public var agentID: String
    /// Mutual TLS files (docs/provisioning.md); nil only for plain-HTTP tests on loopback.
    public var tls: UplinkTLSFiles?
    public var connectTimeoutS: Double = 10
    /// Whole request, connect included.
    public var totalTimeoutS: Double = 30
    /// Frames above this are never sent (the aggregator's limit; `TelemetryLimits.maxFrameBytes` by default).
    public var maxFrameBytes: Int = 1 << 20
    /// Response bytes kept; the rest is read and discarded.
    public var maxResponseBytes: Int = 64 << 10

    public init(baseURL: String, agentID: String, tls: UplinkTLSFiles?) {
        self.baseURL = baseURL
        self.agentID = agentID
        self.tls = tls
    }

    /// The telemetry endpoint; the agent id is percent-encoded outside RFC 3986 unreserved characters.
    public var telemetryURL: String { Self.agentURL(baseURL: baseURL, agentID: agentID, "telemetry") }

    /// `{base}/v1/agents/{id}/{resource}`, the id percent-encoded outside RFC 3986 unreserved characters.
    public static func agentURL(baseURL: String, agentID: String, _ resource: String) -> String {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        var id = ""
        for byte in agentID.utf8 {
            let unreserved = (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
                || byte == 0x2D || byte == 0x2E || byte == 0x5F || byte == 0x7E
            if unreserved {
                id.append(Character(Unicode.Scalar(byte)))
            } else {
                let hex = String(byte, radix: 16, uppercase: true)
                id += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return "\(base)/v1/agents/\(id)/\(resource)"
    }
}

/// The agent's TLS files, placed at provisioning (docs/provisioning.md).
public struct UplinkTLSFiles: Sendable, Hashable {
    /// The provisioning CA that signed the aggregator's certificate.
    public var caPath: String
    public var certificatePath: String
    /// 0600, owned by the agent's user.
    public var keyPath: String

    public static let provisioned = UplinkTLSFiles(
        caPath: "/etc/v2g/tls/ca.crt", certificatePath: "/etc/v2g/tls/agent.crt", keyPath: "/etc/v2g/tls/agent.key")

    public init(caPath: String, certificatePath: String, keyPath: String) {
        self.caPath = caPath
        self.certificatePath = certificatePath
        self.keyPath = keyPath
    }
}
