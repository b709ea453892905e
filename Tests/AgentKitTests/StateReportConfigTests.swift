@testable import AgentKit
import FoundationEssentials
import Testing

@Suite("State report key of agent.json, and the one root of trust envelopes are checked against")
struct StateReportConfigTests {
    static func parse(_ extra: String) throws(ConfigFileError) -> (config: AgentConfig, warnings: [String]) {
        try AgentConfigTests.parse(AgentConfigTests.minimal.replacing("\"agent_id\": \"tx-1\",", with: "\"agent_id\": \"tx-1\", \(extra),"))
    }

    @Test("state reports every 2 s by default, 0 turns them off")
    func defaults() throws {
        #expect(try Self.parse(#""uplink": {"base_url": "https://agg:8443"}"#).config.uplink?.stateIntervalS == 2)
        #expect(try Self.parse(#""uplink": {"base_url": "https://agg:8443", "state_interval_s": 0}"#).config.uplink?.stateIntervalS == 0)
    }

    @Test("state reports without a trust section are a warning: every envelope in their answers would be refused")
    func reportsWithoutTrust() throws {
        let warnings = try Self.parse(#""uplink": {"base_url": "https://agg:8443"}"#).warnings
        #expect(warnings.contains { $0.hasPrefix("trust: absent, so every neighborhood envelope") }, "\(warnings)")
        let trusted = try Self.parse(#""uplink": {"base_url": "https://agg:8443"}, "trust": {"root_file": "/etc/v2g/root.json"}"#)
        #expect(trusted.warnings.allSatisfy { !$0.hasPrefix("trust:") }, "\(trusted.warnings)")
        let silent = try Self.parse(#""uplink": {"base_url": "https://agg:8443", "state_interval_s": 0}"#)
        #expect(silent.warnings.allSatisfy { !$0.hasPrefix("trust:") }, "\(silent.warnings)")
    }

    @Test("bad values are refused, naming the field; there is no second root of trust for envelopes", arguments: [
        (#""uplink": {"base_url": "https://agg:8443", "state_interval_s": 0.1}"#, "state_interval_s"),
        (#""uplink": {"base_url": "https://agg:8443", "state_interval_s": 61}"#, "state_interval_s"),
        (#""envelope": {"root_file": "/srv/root.json"}"#, "envelope"),
    ])
    func refused(extra: String, expected: String) throws {
        let error = try #require(throws: ConfigFileError.self) { try Self.parse(extra) }
        #expect(error.description.contains(expected), "\(error)")
    }
}
