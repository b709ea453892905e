import AggregatorKit
import GridCore
import MeshPlanner
import Testing

/// The conflicts a new goal takes part in over the rest of its window, found where precedence can change.
@Suite("Goal conflict scan")
struct GoalConflictScanTests {
    static let t0 = Timestamp(rfc3339: "2027-01-15T16:00:00Z")!

    static func goal(_ id: String, _ action: NeighborhoodGoal.Action, from start: Double, to end: Double, priority: Int = 0) -> NeighborhoodGoal {
        NeighborhoodGoal(id: id, start: t0 + start * 3_600, end: t0 + end * 3_600, priority: priority, action: action)
    }

    static let schedule = goal(
        "day-ahead", .schedule([ScheduleStep(at: t0, powerKW: 20), ScheduleStep(at: t0 + 3 * 3_600, powerKW: -40)]), from: 0, to: 8)

    @Test("a discharge window over a schedule overrides it from the window's start; a later cap yields to a lower one from its start")
    func overlapping() {
        let window = Self.goal("evening-peak", .discharge(kilowatts: 80), from: 1.5, to: 3.5)
        let found = GoalConflictScan.conflicts(of: window, among: [Self.schedule], from: Self.t0)
        #expect(found.map(\.conflict.goal) == ["day-ahead"] && found.map(\.conflict.yieldsTo) == ["evening-peak"])
        #expect(found.first?.from == window.start && found.first?.conflict.resolution == .overridden)

        let lowCap = Self.goal("feeder-cap", .importCap(kilowatts: 140), from: 4, to: 5)
        let looseCap = Self.goal("loose-cap", .importCap(kilowatts: 200), from: 2, to: 8)
        let caps = GoalConflictScan.conflicts(of: looseCap, among: [lowCap, Self.schedule, window], from: Self.t0)
        #expect(caps.count == 1 && caps[0].conflict.goal == "loose-cap" && caps[0].conflict.resolution == .looserCap)
        #expect(caps[0].from == lowCap.start, "not before the lower cap begins")
    }

    @Test("a higher priority schedule wins over a window; the window learns it yields")
    func priorityWins() {
        let urgent = Self.goal("urgent", .schedule([ScheduleStep(at: Self.t0 + 2 * 3_600, powerKW: 10)]), from: 2, to: 3, priority: 5)
        let window = Self.goal("evening-peak", .discharge(kilowatts: 80), from: 1.5, to: 3.5)
        let found = GoalConflictScan.conflicts(of: window, among: [urgent], from: Self.t0)
        #expect(found.count == 1 && found[0].conflict.goal == "evening-peak" && found[0].conflict.yieldsTo == "urgent")
        #expect(found[0].from == urgent.start && found[0].conflict.detail.contains("priority 5 over 0"))
    }

    @Test("goals that never overlap, or overlap only before now, do not conflict")
    func noOverlap() {
        let window = Self.goal("evening-peak", .discharge(kilowatts: 80), from: 1.5, to: 3.5)
        let later = Self.goal("late", .absorb(kilowatts: 30), from: 3.5, to: 6)
        #expect(GoalConflictScan.conflicts(of: window, among: [later], from: Self.t0).isEmpty)
        let morning = Self.goal("morning", .absorb(kilowatts: 30), from: 0, to: 2)
        #expect(GoalConflictScan.conflicts(of: window, among: [morning], from: Self.t0 + 2.5 * 3_600).isEmpty)
        #expect(GoalConflictScan.conflicts(of: window, among: [morning], from: Self.t0).count == 1)
    }

    @Test("a goal's summary names its kind, power, window and priority")
    func summary() {
        #expect(Self.goal("w", .discharge(kilowatts: 80), from: 1.5, to: 3.5).summary
            == "discharge 80 kW, 2027-01-15T17:30:00Z to 2027-01-15T19:30:00Z, priority 0")
        #expect(Self.schedule.summary == "schedule of 2 steps (20 → -40 kW), 2027-01-15T16:00:00Z to 2027-01-16T00:00:00Z, priority 0")
        #expect(NeighborhoodGoal.kilowatts(12.5) == "12.5" && NeighborhoodGoal.kilowatts(-3) == "-3")
    }
}
