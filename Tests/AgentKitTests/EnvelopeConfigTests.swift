@testable import AgentKit
import FoundationEssentials
import Testing

@Suite("Envelope and state report keys of agent.json")
struct EnvelopeConfigTests {
    static func config(_ extra: String) throws(ConfigFileError) -> AgentConfig {
        let text = AgentConfigTests.minimal.replacing("\"agent_id\": \"tx-1\",", with: "\"agent_id\": \"tx-1\", \(extra),")
        return try AgentConfigTests.parse(text).config
    }

    @Test("state reports every 2 s by default, 0 turns them off; the root file defaults to the provisioned one")
    func defaults() throws {
        let config = try Self.config(#""uplink": {"base_url": "https://agg:8443"}, "envelope": {}"#)
        #expect(config.uplink?.stateIntervalS == 2)
        #expect(config.envelope?.rootFile == "/etc/v2g/root.json")
        #expect(try Self.config(#""uplink": {"base_url": "https://agg:8443", "state_interval_s": 0}"#).uplink?.stateIntervalS == 0)
        #expect(try Self.config(#""envelope": {"root_file": "/srv/root.json"}"#).envelope?.rootFile == "/srv/root.json")
        #expect(try Self.config(#""cycle_period_s": 1"#).envelope == nil)
    }

    @Test("an envelope section without state reports is a warning: no envelope could arrive")
    func envelopeWithoutReports() throws {
        let text = AgentConfigTests.minimal.replacing("\"agent_id\": \"tx-1\",", with: #""agent_id": "tx-1", "envelope": {},"#)
        let warnings = try AgentConfigTests.parse(text).warnings
        #expect(warnings.contains { $0.hasPrefix("envelope: set, but no state reports") }, "\(warnings)")
        let withReports = AgentConfigTests.minimal.replacing(
            "\"agent_id\": \"tx-1\",", with: #""agent_id": "tx-1", "envelope": {}, "uplink": {"base_url": "https://agg:8443"},"#)
        #expect(try AgentConfigTests.parse(withReports).warnings.allSatisfy { !$0.hasPrefix("envelope:") })
    }

    @Test("bad values are refused, naming the field", arguments: [
        (#""uplink": {"base_url": "https://agg:8443", "state_interval_s": 0.1}"#, "state_interval_s"),
        (#""uplink": {"base_url": "https://agg:8443", "state_interval_s": 61}"#, "state_interval_s"),
        (#""envelope": {"root": "/srv/root.json"}"#, "unknown key \"root\""),
    ])
    func refused(extra: String, expected: String) throws {
        let error = try #require(throws: ConfigFileError.self) { try Self.config(extra) }
        #expect(error.description.contains(expected), "\(error)")
    }
}
