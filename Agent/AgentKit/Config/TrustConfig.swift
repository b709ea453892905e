import GridCore
import PolicyTrust

/// The root of trust the agent checks every policy against (docs/agent-config.md, `trust`), and the target groups
/// its bundles may name. With this section every policy must arrive signed, the local `policy_file` included.
public struct TrustConfig: Sendable, Hashable, Codable {
    /// The root pinned at provisioning (a DSSE envelope, docs/policy.md); newer roots are fetched and cached.
    public var rootFile: String = "/etc/v2g/root.json"
    /// The groups a bundle's `group:NAME` target may name for this agent.
    public var groups: [String] = []

    public init(rootFile: String = "/etc/v2g/root.json", groups: [String] = []) {
        self.rootFile = rootFile
        self.groups = groups
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case rootFile = "root_file", groups }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        rootFile = try c.value(.rootFile, default: rootFile)
        groups = try c.value(.groups, default: groups)
    }
}

/// How the agent fetches signed bundles and new roots from the aggregator, and how long a new policy is on
/// probation (docs/agent-config.md, `policy_fetch`). The URL and the TLS files default to the `uplink` section's.
public struct PolicyFetchConfig: Sendable, Hashable, Codable {
    /// The aggregator; nil: `uplink.base_url`.
    public var baseURL: String?
    /// Mutual TLS files; nil: the `uplink` section's (or the provisioned defaults).
    public var caFile: String?
    public var certFile: String?
    public var keyFile: String?
    /// How often the agent asks for a new root and a new bundle.
    public var intervalS: Double = 60
    /// How long after a new policy is applied a trip or the safe state beginning reverts it.
    public var probationS: Double = 900
    public var connectTimeoutS: Double = 10
    public var totalTimeoutS: Double = 30
    /// Longest wait between retries of a report the aggregator has not acknowledged.
    public var backoffCapS: Double = 300

    public init(baseURL: String? = nil) { self.baseURL = baseURL }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case baseURL = "base_url", caFile = "ca_file", certFile = "cert_file", keyFile = "key_file"
        case intervalS = "interval_s", probationS = "probation_s", connectTimeoutS = "connect_timeout_s"
        case totalTimeoutS = "total_timeout_s", backoffCapS = "backoff_cap_s"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        baseURL = try c.decodeIfPresent(String.self, forKey: .baseURL)
        caFile = try c.decodeIfPresent(String.self, forKey: .caFile)
        certFile = try c.decodeIfPresent(String.self, forKey: .certFile)
        keyFile = try c.decodeIfPresent(String.self, forKey: .keyFile)
        intervalS = try c.value(.intervalS, default: intervalS)
        probationS = try c.value(.probationS, default: probationS)
        connectTimeoutS = try c.value(.connectTimeoutS, default: connectTimeoutS)
        totalTimeoutS = try c.value(.totalTimeoutS, default: totalTimeoutS)
        backoffCapS = try c.value(.backoffCapS, default: backoffCapS)
    }
}

/// `policy_fetch` with the defaults taken from `uplink` resolved: what the fetcher uses.
public struct PolicyFetchSettings: Sendable, Hashable {
    public var baseURL: String
    public var caFile: String
    public var certFile: String
    public var keyFile: String
    public var intervalS: Double
    public var probationS: Double
    public var connectTimeoutS: Double
    public var totalTimeoutS: Double
    public var backoffCapS: Double

    public init(
        baseURL: String, caFile: String, certFile: String, keyFile: String, intervalS: Double = 60, probationS: Double = 900,
        connectTimeoutS: Double = 10, totalTimeoutS: Double = 30, backoffCapS: Double = 300
    ) {
        self.baseURL = baseURL
        self.caFile = caFile
        self.certFile = certFile
        self.keyFile = keyFile
        self.intervalS = intervalS
        self.probationS = probationS
        self.connectTimeoutS = connectTimeoutS
        self.totalTimeoutS = totalTimeoutS
        self.backoffCapS = backoffCapS
    }
}

extension AgentConfig {
    /// The fetcher's settings, nil without a `policy_fetch` section (or without a base URL anywhere: `validate()`
    /// refuses that).
    public var policyFetchSettings: PolicyFetchSettings? {
        guard let fetch = policyFetch, let baseURL = fetch.baseURL ?? uplink?.baseURL else { return nil }
        let provisioned = UplinkConfig(baseURL: baseURL)
        return PolicyFetchSettings(
            baseURL: baseURL, caFile: fetch.caFile ?? uplink?.caFile ?? provisioned.caFile,
            certFile: fetch.certFile ?? uplink?.certFile ?? provisioned.certFile,
            keyFile: fetch.keyFile ?? uplink?.keyFile ?? provisioned.keyFile, intervalS: fetch.intervalS,
            probationS: fetch.probationS, connectTimeoutS: fetch.connectTimeoutS, totalTimeoutS: fetch.totalTimeoutS,
            backoffCapS: fetch.backoffCapS)
    }

    /// Checks `trust` and `policy_fetch`: paths absolute, names valid, ranges, and a fetcher only with a root to
    /// check what it fetches.
    func validateTrust() throws(AgentConfigError) {
        if let trust {
            guard trust.rootFile.hasPrefix("/") else {
                throw .invalid("trust.root_file", "must be an absolute path, got \"\(trust.rootFile)\"")
            }
            var seen: [String: Int] = [:]
            for (index, group) in trust.groups.enumerated() {
                guard PolicyTarget.isValidName(group) else {
                    throw .invalid("trust.groups[\(index)]", "\"\(group)\" must be 1–64 letters, digits, '-', '_' or '.'")
                }
                if let first = seen[group] { throw .duplicate("trust.groups[\(index)]", "group \"\(group)\"", first: "trust.groups[\(first)]") }
                seen[group] = index
            }
        }
        guard let fetch = policyFetch else { return }
        guard trust != nil else {
            throw .invalid("policy_fetch", "needs a trust section: a fetched bundle is checked against the pinned root (trust.root_file)")
        }
        guard let baseURL = fetch.baseURL ?? uplink?.baseURL else {
            throw .invalid("policy_fetch.base_url", "required when there is no uplink section to take it from")
        }
        guard baseURL.hasPrefix("https://") else {
            throw .invalid(fetch.baseURL == nil ? "uplink.base_url" : "policy_fetch.base_url", "must start with https:// (mutual TLS), got \"\(baseURL)\"")
        }
        for (key, path) in [("ca_file", fetch.caFile), ("cert_file", fetch.certFile), ("key_file", fetch.keyFile)] {
            if let path, !path.hasPrefix("/") { throw .invalid("policy_fetch.\(key)", "must be an absolute path, got \"\(path)\"") }
        }
        try Self.check("policy_fetch.interval_s", fetch.intervalS, in: 5...86_400)
        try Self.check("policy_fetch.probation_s", fetch.probationS, in: 10...604_800)
        try Self.check("policy_fetch.connect_timeout_s", fetch.connectTimeoutS, in: 1...120)
        try Self.check("policy_fetch.total_timeout_s", fetch.totalTimeoutS, in: 1...600)
        try Self.check("policy_fetch.backoff_cap_s", fetch.backoffCapS, in: 1...3_600)
    }
}
