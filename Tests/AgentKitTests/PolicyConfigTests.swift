@testable import AgentKit
import Foundation
import Testing

/// The `trust` and `policy_fetch` sections of agent.json: defaults, the uplink's URL and TLS files taken over, and
/// refusals naming the file, the line and the field.
@Suite("Agent config: trust and policy_fetch")
struct PolicyConfigTests {
    static let base = """
        {
          "agent_id": "tx-0412",
          "meter": {"transport": {"tcp": {"host": "127.0.0.1"}}},
          "uplink": {"base_url": "https://agg.example:8443", "key_file": "/etc/v2g/tls/tx.key"},
          "trust": {"root_file": "/etc/v2g/root.json", "groups": ["feeder-12"]},
          "policy_fetch": {"interval_s": 30}
        }
        """

    static func parse(_ text: String) throws -> AgentConfig {
        try AgentConfig.parse(Data(text.utf8), path: "agent.json").config
    }

    @Test("the fetcher takes the uplink's URL and TLS files unless given its own; probation defaults to 15 minutes")
    func defaultsFromUplink() throws {
        let settings = try #require(try Self.parse(Self.base).policyFetchSettings)
        #expect(settings.baseURL == "https://agg.example:8443" && settings.keyFile == "/etc/v2g/tls/tx.key")
        #expect(settings.caFile == "/etc/v2g/tls/ca.crt" && settings.certFile == "/etc/v2g/tls/agent.crt")
        #expect(settings.intervalS == 30 && settings.probationS == 900)
        let own = try Self.parse(Self.base.replacing(
            "{\"interval_s\": 30}", with: "{\"base_url\": \"https://other:9443\", \"key_file\": \"/k\", \"probation_s\": 60}"))
        #expect(own.policyFetchSettings?.baseURL == "https://other:9443" && own.policyFetchSettings?.keyFile == "/k")
        #expect(own.policyFetchSettings?.probationS == 60)
        #expect(try Self.parse(Self.base).trust == TrustConfig(rootFile: "/etc/v2g/root.json", groups: ["feeder-12"]))
    }

    @Test("bad values are refused with the file, the line and the field", arguments: [
        ("{\"interval_s\": 30}", "{\"interval_s\": 1}", 6, "policy_fetch.interval_s: 1 is outside the allowed range 5–86400"),
        ("{\"interval_s\": 30}", "{\"probation_s\": 5}", 6, "policy_fetch.probation_s: 5 is outside the allowed range 10–604800"),
        ("{\"interval_s\": 30}", "{\"intervall_s\": 30}", 6, "unknown key \"intervall_s\""),
        ("{\"interval_s\": 30}", "{\"base_url\": \"http://agg\"}", 6, "policy_fetch.base_url: must start with https://"),
        ("\"groups\": [\"feeder-12\"]", "\"groups\": [\"feeder 12\"]", 5, "trust.groups[0]: \"feeder 12\" must be 1–64"),
        ("\"groups\": [\"feeder-12\"]", "\"groups\": [\"f\", \"f\"]", 5, "trust.groups[1]: group \"f\" appears twice"),
        ("\"root_file\": \"/etc/v2g/root.json\"", "\"root_file\": \"root.json\"", 5, "trust.root_file: must be an absolute path"),
    ])
    func refused(original: String, replacement: String, line: Int, reason: String) throws {
        let text = Self.base.replacing(original, with: replacement)
        #expect(text != Self.base)
        let error = try #require(throws: ConfigFileError.self) { try Self.parse(text) }
        #expect(error.line == line && error.description.contains(reason), "\(error)")
    }

    @Test("a fetcher needs a root to check against, and a URL")
    func needsTrustAndURL() throws {
        let noTrust = Self.base.replacing("  \"trust\": {\"root_file\": \"/etc/v2g/root.json\", \"groups\": [\"feeder-12\"]},\n", with: "")
        let error = try #require(throws: ConfigFileError.self) { try Self.parse(noTrust) }
        #expect(error.description.contains("policy_fetch: needs a trust section"), "\(error)")
        let noURL = Self.base.replacing("  \"uplink\": {\"base_url\": \"https://agg.example:8443\", \"key_file\": \"/etc/v2g/tls/tx.key\"},\n", with: "")
        let missing = try #require(throws: ConfigFileError.self) { try Self.parse(noURL) }
        #expect(missing.description.contains("policy_fetch.base_url: required when there is no uplink section"), "\(missing)")
    }
}
