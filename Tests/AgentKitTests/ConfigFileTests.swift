@testable import AgentKit
import FoundationEssentials
import GridCore
import Testing

@Suite("Snapshot and policy files: every bad input gets a message naming the file and the place")
struct ConfigFileTests {
    static let root = String(#filePath.split(separator: "/").dropLast(3).joined(separator: "/")).withLeadingSlash

    @Test("every example snapshot decodes and plans without NaN", arguments: ["evening-unbalanced", "voltage-sag", "meter-stale"])
    func examplesPlan(name: String) throws {
        let snapshot = try ConfigFile.load(PlanSnapshot.self, path: "\(Self.root)/examples/snapshots/\(name).json")
        let policy = try ConfigFile.loadPolicy(path: "\(Self.root)/examples/policy/default.json")
        let outcome = ControlCycle(policy: policy).run(snapshot.state, inputs: snapshot.inputs, now: snapshot.time)
        #expect(outcome.setpoints.count == snapshot.inputs.chargers.count)
        #expect(outcome.setpoints.allSatisfy { $0.activePowerKW.isFinite && $0.reactivePowerKvar.isFinite })
        let report = PlanReport(snapshot: snapshot, outcome: outcome)
        #expect(report.text().contains("neutral current"))
        #expect(try report.json().contains("\"p_kw\""))
    }

    @Test("syntax errors name line and column", arguments: [
        ("{\"a\": 1,\n \"b\": }", "line 2, column 7", "expected a value"),
        ("{\"a\": [1, 2", "line 1, column 12", "unexpected end of text"),
        ("{\n\n  x: 1}", "line 3, column 3", "expected a quoted key"),
        ("{\"a\": tru}", "line 1, column 7", "expected true"),
        ("{} extra", "line 1, column 4", "unexpected 'e' after the end of the JSON value"),
        ("{\"a\": 1,\n \"a\": 2}", "line 2, column 2", "duplicate key \"a\" (first at line 1, column 2)"),
        ("\u{FEFF}{\"a\": tru}", "line 1, column 7", "expected true"),
    ])
    func syntaxLocation(text: String, place: String, reason: String) throws {
        let error = try #require(throws: ConfigFileError.self) { try ConfigFile.parse(Data(text.utf8), path: "f.json") }
        #expect(error.description.hasPrefix("f.json: \(place): not valid JSON: "), "\(error)")
        #expect(error.reason.contains(reason), "\(error)")
    }

    @Test("valid JSON has no syntax error")
    func validJSON() throws {
        _ = try ConfigFile.parse(Data("{\"a\": [1, -2.5e3, true, null, \"x\\\"y\"]}".utf8), path: "f.json")
    }

    @Test("a range refusal points at the line and column of the value")
    func rangeRefusalPlace() throws {
        let text = "{\n  \"thermal\": {\n    \"hot_spot_limit_c\": 130\n  }\n}"
        let error = try #require(throws: ConfigFileError.self) { try ConfigFile.policy(from: Data(text.utf8), path: "p.json") }
        #expect(error.line == 3 && error.column == 25, "\(error)")
    }

    @Test("semantic errors name the field", arguments: [
        ("{\"time\": 1, \"chargers\": [{\"id\": \"x\", \"phase\": \"D\", \"rated_charge_kw\": 7}]}", "chargers[0].phase"),
        ("{\"time\": 1, \"chargers\": [{\"id\": \"x\", \"phase\": \"A\", \"rated_charge_kw\": 7, \"typo\": 1}]}", "unknown key \"typo\""),
        ("{\"time\": 1, \"chargers\": [{\"id\": \"x\", \"phase\": \"A\"}]}", "chargers[0].rated_charge_kw: required key is missing"),
        ("{\"time\": 1, \"chargers\": [{\"id\": \"x\", \"phase\": \"A\", \"rated_charge_kw\": 7}, {\"id\": \"x\", \"phase\": \"B\", \"rated_charge_kw\": 7}]}", "appears twice"),
        ("{\"time\": 1, \"chargers\": [], \"envelope\": {\"agent_id\": \"t\", \"sequence\": 1, \"valid_until\": 9, \"transformer_kw\": [5, 1]}}", "min ≤ max"),
    ])
    func semanticErrors(text: String, expected: String) {
        #expect {
            _ = try ConfigFile.decode(PlanSnapshot.self, from: Data(text.utf8), path: "s.json")
        } throws: { error in
            "\(error)".hasPrefix("s.json: ") && "\(error)".contains(expected)
        }
    }

    @Test("a policy value out of range is refused, naming the key and the range")
    func policyRange() throws {
        let path = "/tmp/v2g-policy-\(UInt32.random(in: 0...UInt32.max)).json"
        try Data("{\"thermal\": {\"hot_spot_limit_c\": 130}}".utf8).write(to: URL(filePath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect {
            _ = try ConfigFile.loadPolicy(path: path)
        } throws: { error in
            "\(error)".contains("thermal.hot_spot_limit_c = 130.0 is outside the allowed range 60.0…120.0")
        }
    }

    @Test("a missing file says so in plain words")
    func missingFile() {
        #expect {
            _ = try ConfigFile.load(PlanSnapshot.self, path: "/nonexistent/snapshot.json")
        } throws: { error in
            "\(error)" == "/nonexistent/snapshot.json: cannot open: No such file or directory"
        }
    }
}

extension ConfigFileTests {
    /// Each kind of JSON file the agent reads, with a loader that reads it as the agent does.
    static let readers: [(kind: String, valid: String, read: @Sendable (String) throws -> Void)] = [
        ("policy", "{\n  \"version\": 2,\n  \"cycle_period_s\": 1\n}", { _ = try ConfigFile.loadPolicy(path: $0) }),
        ("snapshot", "{\n  \"time\": 1,\n  \"chargers\": []\n}", { _ = try ConfigFile.load(PlanSnapshot.self, path: $0) }),
        ("clock", "{\n  \"wall_start_s\": 1,\n  \"sim_start_s\": 1,\n  \"scale\": 1\n}", { _ = try AgentClock.simulation(clockFile: $0) }),
        ("status", "{\n  \"agent_id\": \"tx\",\n  \"policy_version\": 1,\n  \"alarms\": [],\n  \"chargers\": [],\n  \"written_at\": 1\n}",
         { _ = try StatusFile(path: $0).read() }),
    ]

    @Test("every JSON file the agent reads refuses a duplicated key and a trailing comma, naming the file and the line",
          arguments: readers.indices)
    func strictEverywhere(index: Int) throws {
        let (kind, valid, read) = Self.readers[index]
        let dir = try TemporaryDirectory()
        let path = dir.file("\(kind).json")
        try Data(valid.utf8).write(to: URL(filePath: path))
        try read(path)  // the valid text is read
        let lines = valid.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // The second line's key again on the second line, then a comma before the closing brace.
        let duplicated: [String] = [lines[0], lines[1] + " " + lines[1]] + Array(lines.dropFirst(2))
        let trailing: [String] = Array(lines.prefix(lines.count - 2)) + [lines[lines.count - 2] + ",", lines[lines.count - 1]]
        for (text, line, reason) in [
            (duplicated.joined(separator: "\n"), 2, "duplicate key"), (trailing.joined(separator: "\n"), lines.count - 1, "trailing comma"),
        ] {
            try Data(text.utf8).write(to: URL(filePath: path))
            let error = try #require(throws: ConfigFileError.self) { try read(path) }
            #expect(error.description.hasPrefix("\(path): line \(line), column "), "\(kind): \(error)")
            #expect(error.reason.contains(reason), "\(kind): \(error)")
        }
    }
}

extension String {
    var withLeadingSlash: String { hasPrefix("/") ? self : "/" + self }
}
