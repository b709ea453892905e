@testable import AgentKit
import FoundationEssentials
import GridCore
import Testing

@Suite("Agent configuration: defaults, comments, and errors that name the file and the field")
struct AgentConfigTests {
    static let minimal = """
        {"agent_id": "tx-1", "meter": {"transport": {"tcp": {"host": "127.0.0.1", "port": 15020}}},
         "chargers": [{"id": "c1", "phase": "A", "transport": {"tcp": {"host": "127.0.0.1", "port": 15021}}, "rated_charge_kw": 7.4}]}
        """

    static func parse(_ text: String) throws(ConfigFileError) -> (config: AgentConfig, warnings: [String]) {
        try AgentConfig.parse(Data(text.utf8), path: "agent.json")
    }

    @Test("the shipped example decodes, validates, and has a dozen chargers on uneven phases")
    func example() throws {
        let (config, warnings) = try AgentConfig.load(path: "\(CacheFixtures.root)/examples/agent/agent.json")
        #expect(warnings.isEmpty)
        #expect(config.chargers.count == 12)
        let perPhase = Dictionary(grouping: config.chargers, by: { $0.phase.description }).mapValues(\.count)
        #expect(Set(perPhase.values).count > 1)
        #expect(config.meter.calibration.voltageV.a.gain == 1.0012)
        #expect(config.meter.calibration.voltageV.b == .identity)
        guard case .tcp(let tcp) = config.chargers[0].transport else { Issue.record("expected tcp"); return }
        #expect(tcp.host == "127.0.0.1" && tcp.port >= 15020)
    }

    @Test("defaults fill every optional key")
    func defaults() throws {
        let (config, warnings) = try Self.parse(Self.minimal)
        #expect(config.cyclePeriodS == 1)
        #expect(config.cachePath == "/var/lib/v2g-agent/cache.sqlite")
        #expect(config.statusFile == "/run/v2g-agent/status.json")
        #expect(config.metricsTextfile == "/var/lib/prometheus/node-exporter/v2g-agent.prom")
        #expect(config.policyFile == nil && config.temperature == nil)
        #expect(config.modbus == ModbusTiming())
        #expect(config.modbus.responseTimeoutS == 0.5 && config.modbus.reconnectInitialS == 1 && config.modbus.reconnectMaxS == 60)
        #expect(config.disagreementAlarmPercent == 2)
        #expect(config.meter.calibration == MeterCalibration())
        #expect(config.chargers[0].ratedDischargeKW == 0 && config.chargers[0].ratedKVA == 7.4)
        #expect(config.meter.transport == .tcp(.init(host: "127.0.0.1", port: 15020, unitID: 1)))
        #expect(warnings == ["chargers: none on phase B; balancing cannot move that phase", "chargers: none on phase C; balancing cannot move that phase"])
    }

    @Test("an RTU transport decodes with the serial-line defaults")
    func rtu() throws {
        let text = Self.minimal.replacing(
            "{\"tcp\": {\"host\": \"127.0.0.1\", \"port\": 15020}}", with: "{\"rtu\": {\"device\": \"/dev/ttyUSB0\", \"unit_id\": 3}}")
        let config = try Self.parse(text).config
        #expect(config.meter.transport == ModbusTransport.rtu(.init(device: "/dev/ttyUSB0", baud: 19_200, parity: .even, dataBits: 8, stopBits: 1, unitID: 3)))
        #expect(config.meter.transport.description == "rtu /dev/ttyUSB0 19200 8E1 unit 3")
    }

    @Test("no chargers is allowed, with a warning")
    func noChargers() throws {
        let (config, warnings) = try Self.parse("{\"agent_id\": \"tx\", \"meter\": {\"transport\": {\"tcp\": {\"host\": \"m\"}}}}")
        #expect(config.chargers.isEmpty)
        #expect(warnings.count == 1 && warnings[0].contains("none configured"))
    }

    @Test("bad values are refused, naming the file, the field and the range", arguments: [
        ("\"phase\": \"A\"", "\"phase\": \"D\"", "chargers[0].phase"),
        ("\"port\": 15021", "\"port\": 70000", "chargers[0].transport.tcp.port: 70000 is outside the allowed range 1–65535"),
        ("\"port\": 15021", "\"port\": 15021, \"unit_id\": 248", "chargers[0].transport.tcp.unit_id: 248 is outside the allowed range 0–247"),
        ("\"port\": 15021", "\"port\": 15021, \"typo\": 1", "unknown key \"typo\""),
        ("\"agent_id\": \"tx-1\",", "\"agent_id\": \"tx-1\", \"cycle_period\": 1,", "unknown key \"cycle_period\""),
        ("\"agent_id\": \"tx-1\",", "\"agent_id\": \"tx-1\", \"cycle_period_s\": 20,", "cycle_period_s: 20 is outside the allowed range 0.1–10"),
        ("\"rated_charge_kw\": 7.4", "\"rated_charge_kw\": 7.4, \"rated_kva\": 5", "chargers[0].rated_charge_kw: 7.4 is outside the allowed range 0–5"),
        ("{\"tcp\": {\"host\": \"127.0.0.1\", \"port\": 15021}}", "{\"tcp\": {\"host\": \"h\"}, \"rtu\": {\"device\": \"/dev/x\"}}", "exactly one of"),
        ("{\"host\": \"127.0.0.1\", \"port\": 15020}", "{\"host\": \"127.0.0.1\", \"port\": 15021}", "chargers[0].transport: device address tcp 127.0.0.1:15021 unit 1 appears twice (first at meter)"),
        ("\"agent_id\": \"tx-1\"", "\"agent_id\": \"tx 1\"", "agent_id: must be"),
    ])
    func refused(original: String, replacement: String, expected: String) throws {
        let text = Self.minimal.replacing(original, with: replacement)
        #expect(text != Self.minimal, "the fixture edit did not apply")
        let error = try #require(throws: ConfigFileError.self) { try Self.parse(text) }
        #expect(error.description.hasPrefix("agent.json: "))
        #expect(error.description.contains(expected), "\(error)")
    }

    @Test("a duplicate charger id is refused, naming both places")
    func duplicateID() throws {
        let second = ", {\"id\": \"c1\", \"phase\": \"B\", \"transport\": {\"tcp\": {\"host\": \"127.0.0.1\", \"port\": 15022}}, \"rated_charge_kw\": 7.4}]}"
        let text = String(Self.minimal.dropLast(2)) + second
        let error = try #require(throws: ConfigFileError.self) { try Self.parse(text) }
        #expect(error.line == 2)
        #expect(error.description.hasPrefix("agent.json: line 2, column "))
        #expect(error.description.hasSuffix(": chargers[1].id: charger id \"c1\" appears twice (first at chargers[0].id)"), "\(error)")
    }

    @Test("comment lines are blanked, so syntax errors keep their line numbers")
    func commentsKeepLineNumbers() throws {
        let text = """
            # a hash comment
            {
              // a slash comment, with "quotes" and { braces
              "agent_id": "tx-1",
                # indented
              "meter": {"transport": {"tcp": {"host": "http://not-a-comment"}}},
              "chargers": [,]
            }
            """
        let error = try #require(throws: ConfigFileError.self) { try Self.parse(text) }
        #expect(error.description.contains("line 7, column 16"), "\(error)")
        let fixed = try Self.parse(text.replacing("[,]", with: "[]")).config
        guard case .tcp(let tcp) = fixed.meter.transport else { Issue.record("expected tcp"); return }
        #expect(tcp.host == "http://not-a-comment")
    }

    @Test("calibration corrects each channel and refuses unknown phases")
    func calibration() throws {
        let text = Self.minimal.replacing(
            "\"port\": 15020}}", with: "\"port\": 15020}}, \"calibration\": {\"voltage_v\": {\"B\": {\"gain\": 1.01, \"offset\": -0.5}}, \"frequency_hz\": {\"offset\": 0.01}}")
        let calibration = try Self.parse(text).config.meter.calibration
        let reading = MeterReading(
            time: .init(secondsSinceEpoch: 0), voltageV: .init(repeating: 230), currentA: .init(repeating: 10),
            activePowerKW: .init(repeating: 2), reactivePowerKvar: .init(repeating: 0), frequencyHz: 60)
        let corrected = calibration.apply(to: reading)
        #expect(corrected.voltageV == PerPhase(a: 230, b: 1.01 * 230 - 0.5, c: 230))
        #expect(corrected.frequencyHz == 60.01)
        #expect(corrected.currentA == reading.currentA)

        let bad = text.replacing("{\"B\": {\"gain\"", with: "{\"N\": {\"gain\"")
        let error = try #require(throws: ConfigFileError.self) { try Self.parse(bad) }
        #expect(error.description.contains("meter.calibration.voltage_v") && error.description.contains("unknown key \"N\""), "\(error)")
        let tooBig = text.replacing("1.01", with: "3")
        let range = try #require(throws: ConfigFileError.self) { try Self.parse(tooBig) }
        #expect(range.description.hasPrefix("agent.json: line 1, column "))
        #expect(range.description.hasSuffix(": meter.calibration.voltage_v.B.gain: 3 is outside the allowed range 0.5–2"), "\(range)")
    }

    /// The minimal config laid out one key per line, so that each finding has a line of its own.
    static let onePerLine = """
        {
          "agent_id": "tx-1",
          "cycle_period_s": 1,
          "meter": {"transport": {"tcp": {"host": "127.0.0.1", "port": 15020}}},
          "chargers": [{"id": "c1", "phase": "A", "transport": {"tcp": {"host": "127.0.0.1", "port": 15021}}, "rated_charge_kw": 7.4}]
        }
        """

    @Test("lenient JSON is refused with the file, the line and the reason", arguments: [
        // A trailing comma after the last member, and after the last element.
        ("\"rated_charge_kw\": 7.4}]", "\"rated_charge_kw\": 7.4},]", 5, "not valid JSON: trailing comma before ']'"),
        ("\"port\": 15020}}},", "\"port\": 15020,}}},", 4, "not valid JSON: trailing comma before '}'"),
        // A key given twice: a decoder would silently keep one of the two.
        ("\"cycle_period_s\": 1,", "\"cycle_period_s\": 1, \"cycle_period_s\": 0,", 3,
         "not valid JSON: duplicate key \"cycle_period_s\" (first at line 3, column 3): a reader would keep only one of the two values"),
        // An agent id that names a directory (it becomes a URL path segment and a PKI directory name).
        ("\"agent_id\": \"tx-1\"", "\"agent_id\": \"..\"", 2, "agent_id: \"..\" names a directory, not an agent"),
        ("\"agent_id\": \"tx-1\"", "\"agent_id\": \".\"", 2, "agent_id: \".\" names a directory, not an agent"),
        // Numbers JSON does not allow.
        ("\"cycle_period_s\": 1,", "\"cycle_period_s\": 01,", 3, "not valid JSON: leading zero in a number"),
        ("\"cycle_period_s\": 1,", "\"cycle_period_s\": 1.,", 3, "not valid JSON: expected a digit after the decimal point"),
    ])
    func strictJSON(original: String, replacement: String, line: Int, reason: String) throws {
        let text = Self.onePerLine.replacing(original, with: replacement)
        #expect(text != Self.onePerLine, "the fixture edit did not apply")
        let error = try #require(throws: ConfigFileError.self) { try AgentConfig.parse(Data(text.utf8), path: "/etc/v2g/agent.json") }
        #expect(error.path == "/etc/v2g/agent.json" && error.line == line, "\(error)")
        #expect(error.description.hasPrefix("/etc/v2g/agent.json: line \(line), column "), "\(error)")
        #expect(error.description.contains(": " + reason), "\(error)")
    }

    @Test("the strict reading accepts what JSON allows: escapes, exponents, nesting, a byte-order mark")
    func strictAcceptsValid() throws {
        let text = "\u{FEFF}" + Self.onePerLine.replacing("\"tx-1\"", with: "\"tx\\u002d1\"").replacing("\"cycle_period_s\": 1", with: "\"cycle_period_s\": 1.0e0")
        let config = try AgentConfig.parse(Data(text.utf8), path: "agent.json").config
        #expect(config.agentID == "tx-1" && config.cyclePeriodS == 1)
    }
}
