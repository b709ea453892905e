public import GridCore

/// Where and how the agent uploads telemetry (docs/uplink.md). The link is never needed to regulate.
public struct UplinkConfig: Sendable, Hashable, Codable {
    /// The aggregator, e.g. https://aggregator.example:8443
    public var baseURL: String
    public var caFile: String = "/etc/v2g/tls/ca.crt"
    public var certFile: String = "/etc/v2g/tls/agent.crt"
    public var keyFile: String = "/etc/v2g/tls/agent.key"
    /// A batch (one frame) is sealed this often.
    public var batchIntervalS: Double = 10
    /// Raw samples kept while the link is down before the oldest fold into one-minute means (86 400 = a day at 1 Hz).
    public var queueMaxRows: Int = 86_400
    public var connectTimeoutS: Double = 10
    public var totalTimeoutS: Double = 30
    /// Longest wait between retries (exponential backoff with full jitter, from 1 s).
    public var backoffCapS: Double = 300
    /// How often the live state report is posted (and an envelope fetched with its answer); 0 = never.
    public var stateIntervalS: Double = 2

    enum CodingKeys: String, CodingKey, CaseIterable {
        case baseURL = "base_url", caFile = "ca_file", certFile = "cert_file", keyFile = "key_file"
        case batchIntervalS = "batch_interval_s", queueMaxRows = "queue_max_rows"
        case connectTimeoutS = "connect_timeout_s", totalTimeoutS = "total_timeout_s", backoffCapS = "backoff_cap_s"
        case stateIntervalS = "state_interval_s"
    }

    public init(baseURL: String) { self.baseURL = baseURL }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        baseURL = try c.decode(String.self, forKey: .baseURL)
        caFile = try c.value(.caFile, default: caFile)
        certFile = try c.value(.certFile, default: certFile)
        keyFile = try c.value(.keyFile, default: keyFile)
        batchIntervalS = try c.value(.batchIntervalS, default: batchIntervalS)
        queueMaxRows = try c.value(.queueMaxRows, default: queueMaxRows)
        connectTimeoutS = try c.value(.connectTimeoutS, default: connectTimeoutS)
        totalTimeoutS = try c.value(.totalTimeoutS, default: totalTimeoutS)
        backoffCapS = try c.value(.backoffCapS, default: backoffCapS)
        stateIntervalS = try c.value(.stateIntervalS, default: stateIntervalS)
        guard baseURL.hasPrefix("https://") else {
            throw DecodingError.dataCorruptedError(forKey: .baseURL, in: c, debugDescription: "must start with https:// (mutual TLS), got \"\(baseURL)\"")
        }
        for (key, value, range) in [(CodingKeys.batchIntervalS, batchIntervalS, 1.0...3600), (.connectTimeoutS, connectTimeoutS, 1...120), (.totalTimeoutS, totalTimeoutS, 1...600), (.backoffCapS, backoffCapS, 1...3600)]
        where !(value.isFinite && range.contains(value)) {
            throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "\(value) is outside \(range.lowerBound)…\(range.upperBound)")
        }
        guard stateIntervalS == 0 || (stateIntervalS.isFinite && (0.5...60).contains(stateIntervalS)) else {
            throw DecodingError.dataCorruptedError(forKey: .stateIntervalS, in: c, debugDescription: "\(stateIntervalS) is neither 0 (off) nor within 0.5…60")
        }
        guard (60...10_000_000).contains(queueMaxRows) else {
            throw DecodingError.dataCorruptedError(forKey: .queueMaxRows, in: c, debugDescription: "\(queueMaxRows) is outside 60…10000000")
        }
    }
}
