import AggregatorKit
import AggregatorTesting
import EdgeSQLite
import Foundation
import GridCore
import MeshPlanner
import Testing

/// The SQLite goal store (a real file) and the in-memory one keep the same promises.
@Suite("Goal store")
struct GoalStoreTests {
    enum Kind: String, CaseIterable { case sqlite, memory }

    /// A store of `kind`, and a way to damage goal `id`'s row with new JSON (a hand edit of the file, for SQLite).
    struct Subject {
        let store: any GoalStore
        let damage: (_ id: String, _ json: String) throws -> Void
    }

    static func withStore(_ kind: Kind, _ body: (Subject) async throws -> Void) async throws {
        switch kind {
        case .memory:
            let store = InMemoryGoalStore()
            try await body(Subject(store: store) { id, json in store.overwriteJSON(of: id, with: json) })
        case .sqlite:
            try await withTemporaryDirectory { dir in
                let path = "\(dir)/policy.sqlite"
                let store = try SQLiteGoalStore(path: path)
                defer { store.close() }
                try await body(Subject(store: store) { id, json in
                    let db = try SQLiteDatabase(path: path)
                    let update = try db.prepare("UPDATE neighborhood_goals SET goal_json = ?1 WHERE id = ?2")
                    try update.bind(.text(json), .text(id))
                    while try update.step() {}
                })
            }
        }
    }

    static let t0 = Timestamp(rfc3339: "2027-01-15T16:00:00Z")!

    static func discharge(_ id: String, kw: Double = 80, from start: Double = 5_400, hours: Double = 2, priority: Int = 0) -> StoredGoal {
        StoredGoal(
            goal: NeighborhoodGoal(id: id, start: t0 + start, end: t0 + start + hours * 3_600, priority: priority, action: .discharge(kilowatts: kw)),
            setBy: "ops", setAtMs: 1_000)
    }

    static let schedule = StoredGoal(
        goal: NeighborhoodGoal(
            id: "day-ahead", start: t0, end: t0 + 8 * 3_600,
            action: .schedule([ScheduleStep(at: t0, powerKW: 20), ScheduleStep(at: t0 + 6_300, powerKW: -40.5)])),
        setBy: "planner-desk", setAtMs: 2_000)

    static let cap = StoredGoal(
        goal: NeighborhoodGoal(id: "feeder-cap", start: t0 + 3_600, end: t0 + 5 * 3_600, action: .importCap(kilowatts: 140)),
        setBy: "ops", setAtMs: 3_000)

    @Test("goals read back by start then id; a second goal of an id is a conflict; remove says whether there was one", arguments: Kind.allCases)
    func insertListRemove(kind: Kind) async throws {
        try await Self.withStore(kind) { subject in
            let store = subject.store
            #expect(try await store.goals().isEmpty)
            for goal in [Self.discharge("evening-peak"), Self.cap, Self.schedule, Self.discharge("also-evening")] { try await store.insert(goal) }
            #expect(try await store.goals().map(\.goal.id) == ["day-ahead", "feeder-cap", "also-evening", "evening-peak"])
            #expect(try await store.goal(id: "day-ahead") == Self.schedule)
            #expect(try await store.goal(id: "feeder-cap") == Self.cap)
            #expect(try await store.goal(id: "nobody") == nil)

            await #expect(throws: GoalStoreError.duplicate("evening-peak")) { try await store.insert(Self.discharge("evening-peak", kw: 10)) }
            #expect(try await store.goal(id: "evening-peak")?.goal.action == .discharge(kilowatts: 80), "the first one is kept as it was")

            #expect(try await store.remove(id: "evening-peak"))
            #expect(try await store.remove(id: "evening-peak") == false)
            #expect(try await store.goal(id: "evening-peak") == nil)
            #expect(try await store.listing() == GoalListing(goals: [Self.schedule, Self.cap, Self.discharge("also-evening")], unreadable: []))
        }
    }

    @Test("a time finer than a millisecond reads back as its canonical form, the same in both stores", arguments: Kind.allCases)
    func canonicalForm(kind: Kind) async throws {
        try await Self.withStore(kind) { subject in
            var goal = Self.discharge("fine")
            goal.goal.start = Timestamp(secondsSinceEpoch: Self.t0.secondsSinceEpoch + 0.123_456_7)
            try await subject.store.insert(goal)
            let read = try #require(try await subject.store.goal(id: "fine"))
            #expect(read.goal == GoalRow.canonical(goal.goal))
            #expect(abs(read.goal.start - goal.goal.start) < 0.001)
            #expect(GoalRow(read) == GoalRow(goal), "the row written again is the same row")
        }
    }

    @Test(
        "a damaged row is corrupt naming its id; the other goals still read, and the row can be cleared but not set over",
        arguments: Kind.allCases, [
            #"{"id": "evening-peak", "kind": "discharge""#,  // cut short
            #"{"end":"2027-01-15T19:30:00Z","id":"evening-peak","kind":"discharge","power_kw":-5,"priority":0,"start":"2027-01-15T17:30:00Z"}"#,
            #"{"end":"2027-01-15T19:30:00Z","id":"someone-else","kind":"discharge","power_kw":80,"priority":0,"start":"2027-01-15T17:30:00Z"}"#,
            #"{"end":"2027-01-15T19:30:00Z","id":"evening-peak","kind":"discharge","power_kw":80,"priority":0,"start":"2027-01-15T17:31:00Z"}"#,
        ])
    func damagedRow(kind: Kind, json: String) async throws {
        try await Self.withStore(kind) { subject in
            let store = subject.store
            try await store.insert(Self.discharge("evening-peak"))
            try await store.insert(Self.schedule)
            try subject.damage("evening-peak", json)

            let listing = try await store.listing()
            #expect(listing.goals == [Self.schedule])
            let damaged = try #require(listing.unreadable.first)
            #expect(listing.unreadable.count == 1 && damaged.kind == .corrupt && damaged.goalID == "evening-peak")
            #expect(damaged.message.hasPrefix("goal evening-peak: "), "\(damaged.message)")
            #expect(try await store.goals() == [Self.schedule], "the planner gets every goal that reads")
            await #expect(throws: damaged) { try await store.goal(id: "evening-peak") }
            await #expect(throws: GoalStoreError.duplicate("evening-peak")) { try await store.insert(Self.discharge("evening-peak")) }
            #expect(try await store.remove(id: "evening-peak"))
            #expect(try await store.listing() == GoalListing(goals: [Self.schedule], unreadable: []))
        }
    }

    @Test("the envelope sequence starts at 0 and never goes down", arguments: Kind.allCases)
    func sequenceNeverLowers(kind: Kind) async throws {
        try await Self.withStore(kind) { subject in
            let store = subject.store
            #expect(try await store.envelopeSequence() == 0)
            try await store.setEnvelopeSequence(5)
            #expect(try await store.envelopeSequence() == 5)
            for lower in [3, 5, 0, -7] { try await store.setEnvelopeSequence(lower) }
            #expect(try await store.envelopeSequence() == 5)
            try await store.setEnvelopeSequence(9)
            #expect(try await store.envelopeSequence() == 9)
        }
    }
}

/// What only the file store has: a restart, the policy store in the same file, a full disk, a read-only file.
@Suite("Goal store file")
struct GoalStoreFileTests {
    @Test("a reopened store keeps every goal, who set it and when, and the envelope sequence")
    func reopenKeepsEverything() async throws {
        try await withTemporaryDirectory { dir in
            let path = "\(dir)/policy.sqlite"
            let goals = [GoalStoreTests.schedule, GoalStoreTests.cap, GoalStoreTests.discharge("evening-peak", priority: 3)]
            do {
                let store = try SQLiteGoalStore(path: path)
                defer { store.close() }
                for goal in goals { try await store.insert(goal) }
                try await store.setEnvelopeSequence(41)
            }
            let reopened = try SQLiteGoalStore(path: path)
            defer { reopened.close() }
            #expect(try await reopened.goals() == goals)
            #expect(try await reopened.envelopeSequence() == 41)
            try await reopened.setEnvelopeSequence(40)
            #expect(try await reopened.envelopeSequence() == 41)
        }
    }

    @Test("goals share the policy store's file, whichever of the two opens it first", arguments: [true, false])
    func sharesThePolicyFile(policyFirst: Bool) async throws {
        try await withTemporaryDirectory { dir in
            let path = "\(dir)/policy.sqlite"
            let policy: SQLitePolicyStore
            let goals: SQLiteGoalStore
            if policyFirst {
                policy = try SQLitePolicyStore(path: path)
                goals = try SQLiteGoalStore(path: path)
            } else {
                goals = try SQLiteGoalStore(path: path)
                policy = try SQLitePolicyStore(path: path)
            }
            defer { policy.close(); goals.close() }
            try await goals.insert(GoalStoreTests.cap)
            let entry = try await policy.append(AuditEntry(atMs: 1, operatorName: "ops", action: "goals.set", target: "goal feeder-cap", outcome: "ok", detail: ""))
            try await goals.setEnvelopeSequence(2)
            #expect(entry.id == 1)
            #expect(try await goals.goals() == [GoalStoreTests.cap])
            #expect(try await policy.audit(limit: 5, beforeID: nil).map(\.target) == ["goal feeder-cap"])
        }
    }

    @Test("a full disk is unavailable, says so, and loses none of the goals already kept")
    func fullDisk() async throws {
        try await withTemporaryDirectory { dir in
            let path = "\(dir)/policy.sqlite"
            let store = try SQLiteGoalStore(path: path, maximumPageCount: 40)
            defer { store.close() }
            let steps = (0..<400).map { ScheduleStep(at: GoalStoreTests.t0 + Double($0) * 60, powerKW: Double($0 % 50) - 25.25) }
            var kept: [StoredGoal] = []
            var refusal: GoalStoreError?
            for index in 0..<200 {
                let goal = StoredGoal(
                    goal: NeighborhoodGoal(id: "schedule-\(index)", start: GoalStoreTests.t0, end: GoalStoreTests.t0 + 86_400, action: .schedule(steps)),
                    setBy: "ops", setAtMs: Int64(index))
                do throws(GoalStoreError) { try await store.insert(goal) } catch {
                    refusal = error
                    break
                }
                kept.append(goal)
            }
            let full = try #require(refusal)
            #expect(!kept.isEmpty)
            #expect(full.kind == .unavailable && full.message.contains("the disk is full"), "\(full)")
            #expect(try await store.goals() == kept.sorted { $0.goal.id < $1.goal.id })
        }
    }

    @Test("a read-only store reads every goal and refuses each write as unavailable, saying read-only")
    func readOnly() async throws {
        try await withTemporaryDirectory { dir in
            let path = "\(dir)/policy.sqlite"
            do {
                let store = try SQLiteGoalStore(path: path)
                defer { store.close() }
                try await store.insert(GoalStoreTests.cap)
                try await store.setEnvelopeSequence(3)
            }
            let store = try SQLiteGoalStore(path: path, readOnly: true)
            defer { store.close() }
            #expect(try await store.goals() == [GoalStoreTests.cap])
            #expect(try await store.envelopeSequence() == 3)
            let refusals = [
                await #expect(throws: GoalStoreError.self) { try await store.insert(GoalStoreTests.schedule) },
                await #expect(throws: GoalStoreError.self) { try await store.remove(id: "feeder-cap") },
                await #expect(throws: GoalStoreError.self) { try await store.setEnvelopeSequence(4) },
            ]
            for refusal in refusals {
                #expect(refusal?.kind == .unavailable && refusal?.message.contains("the database is read-only") == true, "\(String(describing: refusal))")
            }
            #expect(try await store.goals() == [GoalStoreTests.cap])
        }
    }

    @Test("a read-only open of a file without the goal tables is unavailable, naming the file")
    func readOnlyWithoutTables() async throws {
        try await withTemporaryDirectory { dir in
            let path = "\(dir)/policy.sqlite"
            _ = try SQLiteDatabase(path: path)  // an empty database
            let error = #expect(throws: GoalStoreError.self) { _ = try SQLiteGoalStore(path: path, readOnly: true) }
            #expect(error?.kind == .unavailable && error?.message.contains(path) == true, "\(String(describing: error))")
        }
    }
}
