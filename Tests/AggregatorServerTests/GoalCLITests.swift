import AdmKit
import AggregatorServer
import Foundation
import GridCore
import MeshPlanner
import Testing

/// `v2g-adm dispatch set|list|clear` against the real server over mutual TLS: AdmKit's client (libcurl) with the
/// operator's kit, and the built binary for the output and the exit statuses.
@Suite("v2g-adm dispatch goals")
struct GoalCLITests {
    static var now: Timestamp { Timestamp(secondsSinceEpoch: Date().timeIntervalSince1970) }

    @Test("set from flags prints the conflicts it causes, list shows the table and what is in force, clear removes")
    func setListClear() async throws {
        try await withPolicyTestServer { curl, _, _, _ in
            let client = try RolloutCLITests.client(curl.port)
            let schedule = try GoalTool.goal(
                .init(id: "day-ahead", kind: "schedule", duration: "8h", stepsFile: try Self.steps([(0, 20)])), now: Self.now)
            _ = try await GoalTool.set(client, goal: schedule)
            let window = try GoalTool.goal(.init(id: "evening-peak", kind: "discharge", powerKW: 80, duration: "2h"), now: Self.now)
            let set = try await GoalTool.set(client, goal: window)
            #expect(set.exitStatus == 0)
            #expect(set.lines.first?.hasPrefix("set goal evening-peak: discharge 80 kW, ") == true, "\(set.lines)")
            #expect(set.lines.first?.hasSuffix("priority 0 (active now)") == true, "\(set.lines)")
            #expect(set.lines.count == 2 && set.lines[1].contains("day-ahead yields to evening-peak (overridden: a discharge window overrides a schedule)"), "\(set.lines)")

            let list = try await GoalTool.list(client, json: false)
            #expect(list.lines.first?.hasPrefix("ID ") == true && list.lines.count == 5, "\(list.lines)")
            #expect(list.lines.contains { $0.hasPrefix("evening-peak  discharge  80 ") && $0.hasSuffix("active  ops") }, "\(list.lines)")
            #expect(list.lines.contains("in force now: power evening-peak (fleet target -80 kW); no import cap"), "\(list.lines)")
            #expect(list.lines.contains { $0.hasPrefix("conflict: day-ahead yields to evening-peak (overridden") }, "\(list.lines)")
            let json = try await GoalTool.list(client, json: true)
            #expect(json.lines.count == 1 && json.lines[0].hasPrefix("{") && json.lines[0].contains(#""in_force""#))

            #expect(try await GoalTool.clear(client, id: "evening-peak").lines == ["cleared goal evening-peak"])
            let missing = await #expect(throws: RolloutToolError.self) { try await GoalTool.clear(client, id: "evening-peak") }
            #expect(missing?.exitStatus == 1 && missing?.message.hasPrefix("REFUSED 404 goal.not_found") == true)
        }
    }

    @Test("the binary: set, a duplicate refused (exit 1), a bad flag (exit 2, one line naming it), list, clear")
    func binary() async throws {
        try await withPolicyTestServer { curl, _, _, _ in
            let connection = ["--aggregator", "https://127.0.0.1:\(curl.port)", "--kit", RolloutCLITests.kit]
            let set = try await RolloutCLITests.adm(["dispatch", "set"] + connection + ["--id", "cap", "--kind", "import-cap", "--limit-kw", "140", "--for", "1h"])
            #expect(set.status == 0 && set.output.hasPrefix("set goal cap: import cap 140 kW, "), "\(set.output)")
            let again = try await RolloutCLITests.adm(["dispatch", "set"] + connection + ["--id", "cap", "--kind", "import-cap", "--limit-kw", "90", "--for", "1h"])
            #expect(again.status == 1 && again.output == "error: REFUSED 409 goal.exists: a goal with id cap is already kept: clear it first or choose another id\n", "\(again.output)")
            let bad = try await RolloutCLITests.adm(["dispatch", "set"] + connection + ["--id", "x", "--kind", "discharge", "--power-kw", "-5", "--for", "1h"])
            #expect(bad.status == 2 && bad.output.hasPrefix("error: --power-kw: power_kw = -5.0 is outside the allowed range"), "\(bad.output)")
            #expect(bad.output.split(separator: "\n").count == 1)
            let list = try await RolloutCLITests.adm(["dispatch", "list"] + connection)
            #expect(list.status == 0 && list.output.contains("in force now: no power goal; cap cap (140 kW)"), "\(list.output)")
            let clear = try await RolloutCLITests.adm(["dispatch", "clear"] + connection + ["--id", "cap"])
            #expect(clear.status == 0 && clear.output == "cleared goal cap\n", "\(clear.output)")
            let empty = try await RolloutCLITests.adm(["dispatch", "list"] + connection)
            #expect(empty.output.hasPrefix("no goal kept\n"), "\(empty.output)")
        }
    }

    /// A steps file: (minutes from now, whole seconds, kW).
    static func steps(_ steps: [(minutes: Double, kw: Double)]) throws -> String {
        let base = Date().timeIntervalSince1970.rounded(.down)
        let items = steps.map { #"{"at": "\#(Timestamp(secondsSinceEpoch: base + $0.minutes * 60).rfc3339)", "power_kw": \#($0.kw)}"# }
        let path = NSTemporaryDirectory() + "steps-\(UUID().uuidString).json"
        try Data("[\(items.joined(separator: ", "))]".utf8).write(to: URL(fileURLWithPath: path))
        return path
    }
}
