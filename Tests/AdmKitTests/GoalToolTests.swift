import AdmKit
import AggregatorKit
import Foundation
import GridCore
import MeshPlanner
import Testing

/// `v2g-adm dispatch set`'s flags: the goal they describe, and one line naming the flag when one is wrong.
@Suite("v2g-adm dispatch set flags")
struct GoalToolTests {
    static let now = Timestamp(rfc3339: "2027-01-15T17:00:00.250Z")!

    static func file(_ text: String) throws -> String {
        let path = NSTemporaryDirectory() + "goal-\(UUID().uuidString).json"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test("a discharge window from flags: starts now (whole seconds), ends --for later")
    func dischargeFromFlags() throws {
        let goal = try GoalTool.goal(.init(id: "evening-peak", kind: "discharge", powerKW: 80, duration: "30m", priority: 2), now: Self.now)
        #expect(goal == NeighborhoodGoal(
            id: "evening-peak", start: Timestamp(rfc3339: "2027-01-15T17:00:00Z")!, end: Timestamp(rfc3339: "2027-01-15T17:30:00Z")!,
            priority: 2, action: .discharge(kilowatts: 80)))
        let cap = try GoalTool.goal(
            .init(id: "cap", kind: "import-cap", limitKW: 140, start: "2027-01-15T18:00:00Z", end: "+3h"), now: Self.now)
        #expect(cap.action == .importCap(kilowatts: 140) && cap.end == Timestamp(rfc3339: "2027-01-15T20:00:00Z")!)
    }

    @Test("a schedule from --steps starts at its first step")
    func scheduleFromSteps() throws {
        let steps = try Self.file(#"[{"at": "2027-01-15T18:00:00Z", "power_kw": 20}, {"at": "2027-01-15T19:00:00Z", "power_kw": -40}]"#)
        defer { try? FileManager.default.removeItem(atPath: steps) }
        let goal = try GoalTool.goal(.init(id: "day", kind: "schedule", end: "2027-01-15T23:00:00Z", stepsFile: steps), now: Self.now)
        #expect(goal.start == Timestamp(rfc3339: "2027-01-15T18:00:00Z")!)
        #expect(goal.action == .schedule([
            ScheduleStep(at: Timestamp(rfc3339: "2027-01-15T18:00:00Z")!, powerKW: 20), ScheduleStep(at: Timestamp(rfc3339: "2027-01-15T19:00:00Z")!, powerKW: -40),
        ]))
    }

    @Test("each bad flag is one line that names it", arguments: [
        (GoalTool.Flags(kind: "discharge", powerKW: 5, duration: "1h"), "--id: required"),
        (GoalTool.Flags(id: "x", powerKW: 5, duration: "1h"), "--kind: required"),
        (GoalTool.Flags(id: "x", kind: "discharg", powerKW: 5, duration: "1h"), "--kind: expected discharge, absorb, import-cap or schedule; got discharg"),
        (GoalTool.Flags(id: "x", kind: "discharge", duration: "1h"), "--power-kw: required for a discharge goal"),
        (GoalTool.Flags(id: "x", kind: "import-cap", powerKW: 5, duration: "1h"), "--power-kw: does not apply to an import-cap goal"),
        (GoalTool.Flags(id: "x", kind: "discharge", powerKW: -5, duration: "1h"), "--power-kw: power_kw = -5.0 is outside the allowed range"),
        (GoalTool.Flags(id: "x", kind: "absorb", powerKW: 1e9, duration: "1h"), "--power-kw: power_kw = 1000000000.0 is outside"),
        (GoalTool.Flags(id: "x", kind: "absorb", powerKW: .nan, duration: "1h"), "--power-kw: expected a finite number"),
        (GoalTool.Flags(id: "x", kind: "absorb", powerKW: 5), "--end: required (or --for 30m)"),
        (GoalTool.Flags(id: "x", kind: "absorb", powerKW: 5, end: "+1h", duration: "1h"), "--for: give --end or --for, not both"),
        (GoalTool.Flags(id: "x", kind: "absorb", powerKW: 5, duration: "soon"), "--for: expected a duration"),
        (GoalTool.Flags(id: "x", kind: "absorb", powerKW: 5, start: "tomorrow", duration: "1h"), "--start: expected RFC 3339"),
        (GoalTool.Flags(id: "x", kind: "absorb", powerKW: 5, start: "2027-01-15T18:00:00Z", end: "2027-01-15T17:00:00Z"), "--end: end 2027-01-15T17:00:00Z must be after start"),
        (GoalTool.Flags(id: "x", kind: "absorb", powerKW: 5, duration: "1h", priority: 5_000), "--priority: priority = 5000 is outside"),
        (GoalTool.Flags(file: "goal.json", id: "x"), "--id: give the goal either in --file or in flags, not both"),
        (GoalTool.Flags(id: "x", kind: "schedule", duration: "1h", stepsFile: "/nonexistent/steps.json"), "--steps /nonexistent/steps.json: cannot read the file"),
    ])
    func badFlags(flags: GoalTool.Flags, line: String) {
        let error = #expect(throws: RolloutToolError.self) { try GoalTool.goal(flags, now: Self.now) }
        #expect(error?.exitStatus == 2)
        #expect(error?.message.hasPrefix(line) == true, "\(String(describing: error?.message))")
        #expect(error?.message.contains("\n") == false)
    }

    @Test("a step out of range or out of order names --steps FILE and the step")
    func badSteps() throws {
        let outOfRange = try Self.file(#"[{"at": "2027-01-15T18:00:00Z", "power_kw": 20}, {"at": "2027-01-15T19:00:00Z", "power_kw": -400000}]"#)
        let backwards = try Self.file(#"[{"at": "2027-01-15T18:00:00Z", "power_kw": 20}, {"at": "2027-01-15T17:00:00Z", "power_kw": 5}]"#)
        defer { for path in [outOfRange, backwards] { try? FileManager.default.removeItem(atPath: path) } }
        let range = #expect(throws: RolloutToolError.self) {
            try GoalTool.goal(.init(id: "s", kind: "schedule", end: "2027-01-15T23:00:00Z", stepsFile: outOfRange), now: Self.now)
        }
        #expect(range?.message.hasPrefix("--steps \(outOfRange): line 1: [1].power_kw: power_kw = -400000.0 is outside") == true, "\(String(describing: range))")
        let order = #expect(throws: RolloutToolError.self) {
            try GoalTool.goal(.init(id: "s", kind: "schedule", end: "2027-01-15T23:00:00Z", stepsFile: backwards), now: Self.now)
        }
        #expect(order?.message == "--steps \(backwards): steps[1].at: steps must be in strictly increasing time", "\(String(describing: order))")
    }

    @Test("the documented example files make the goals docs/neighborhood.md shows")
    func examples() throws {
        let window = try GoalTool.goal(.init(file: DispatchPlanTests.example("goal-window.json")), now: Self.now)
        #expect(window.summary == "discharge 80 kW, 2027-01-15T17:30:00Z to 2027-01-15T19:30:00Z, priority 0")
        let schedule = try GoalTool.goal(
            .init(id: "day-ahead", kind: "schedule", end: "2027-01-16T00:00:00Z", stepsFile: DispatchPlanTests.example("steps-day-ahead.json")),
            now: Self.now)
        #expect(schedule.summary == "schedule of 3 steps (20 → -40 → 30 kW), 2027-01-15T16:00:00Z to 2027-01-16T00:00:00Z, priority 0")
        let cap = try GoalTool.goal(
            .init(id: "feeder-cap", kind: "import-cap", limitKW: 140, start: "2027-01-15T17:00:00Z", duration: "4h"), now: Self.now)
        #expect(cap.summary == "import cap 140 kW, 2027-01-15T17:00:00Z to 2027-01-15T21:00:00Z, priority 0")
    }

    @Test("--file is read and checked as the aggregator will: the error names the file, line and field")
    func goalFile() throws {
        let good = try Self.file(#"{"id": "cap", "kind": "import_cap", "limit_kw": 140, "start": "2027-01-15T18:00:00Z", "end": "2027-01-15T20:00:00Z"}"#)
        let bad = try Self.file("{\"id\": \"cap\", \"kind\": \"import_cap\",\n \"power_kw\": 140, \"start\": \"2027-01-15T18:00:00Z\", \"end\": \"2027-01-15T20:00:00Z\"}")
        defer { for path in [good, bad] { try? FileManager.default.removeItem(atPath: path) } }
        #expect(try GoalTool.goal(.init(file: good), now: Self.now).action == .importCap(kilowatts: 140))
        let error = #expect(throws: RolloutToolError.self) { try GoalTool.goal(.init(file: bad), now: Self.now) }
        #expect(error?.message == "\(bad): line 2: power_kw: power_kw does not apply to a import_cap goal", "\(String(describing: error))")
    }
}
