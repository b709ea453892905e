public import MeshPlanner

/// Where the aggregator keeps the operators' neighborhood goals (docs/neighborhood.md, "Goals"). The SQLite store is
/// the embedded default; the SQL stays within what PostgreSQL also runs, so a PostgreSQL store is another
/// implementation. Every method is async and safe from any task.
///
/// Each goal is kept as its canonical JSON (`GoalRow`): what reads back is exactly what a later start of the
/// aggregator will plan with. A row that no longer reads as a goal is reported (`listing()`), never planned, and can
/// still be removed.
public protocol GoalStore: Sendable {
    /// Every goal that reads back, by start then id, ended ones included; a row that does not read back is left out
    /// (so one damaged row does not stop the planner) and named by `listing()`.
    func goals() async throws(GoalStoreError) -> [StoredGoal]
    /// Every goal that reads back (by start then id), and one `corrupt` error, naming the id, per row that does not.
    func listing() async throws(GoalStoreError) -> GoalListing
    /// The goal of that id; nil when there is none, `corrupt` (naming the id) when its row does not read back.
    func goal(id: String) async throws(GoalStoreError) -> StoredGoal?
    /// Adds a goal; an id already kept (even in a damaged row) is `conflict` and nothing is written.
    func insert(_ goal: StoredGoal) async throws(GoalStoreError)
    /// Removes a goal, damaged or not; false when there was none of that id.
    func remove(id: String) async throws(GoalStoreError) -> Bool
    /// The highest envelope sequence issued so far (0 before the first): a restarted planner goes on above it.
    func envelopeSequence() async throws(GoalStoreError) -> Int
    /// Records the highest envelope sequence issued (never lowers it).
    func setEnvelopeSequence(_ sequence: Int) async throws(GoalStoreError)
}

extension GoalStore {
    public func goals() async throws(GoalStoreError) -> [StoredGoal] { try await listing().goals }
}

/// Every goal kept, and the rows that do not read back.
public struct GoalListing: Sendable, Hashable {
    /// By start, then id.
    public var goals: [StoredGoal]
    /// One `corrupt` error per damaged row, by id; its message names the id and what is wrong.
    public var unreadable: [GoalStoreError]

    public init(goals: [StoredGoal], unreadable: [GoalStoreError]) {
        self.goals = goals.sorted { l, r in l.goal.start != r.goal.start ? l.goal.start < r.goal.start : l.goal.id < r.goal.id }
        self.unreadable = unreadable.sorted { ($0.goalID ?? "", $0.message) < ($1.goalID ?? "", $1.message) }
    }
}

/// A goal as kept: the goal, who set it and when.
public struct StoredGoal: Sendable, Hashable {
    public var goal: NeighborhoodGoal
    /// The operator's name, from the certificate that set it.
    public var setBy: String
    public var setAtMs: Int64

    public init(goal: NeighborhoodGoal, setBy: String, setAtMs: Int64) {
        self.goal = goal
        self.setBy = setBy
        self.setAtMs = setAtMs
    }
}

/// Why a goal store call failed.
public struct GoalStoreError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        /// A goal of that id already exists.
        case conflict
        /// The database cannot be reached, is full or read-only.
        case unavailable
        /// A stored row does not read back as a goal (edited by hand, or written by a newer version).
        case corrupt
    }

    public var kind: Kind
    public var message: String
    /// The goal a `conflict` or `corrupt` error is about.
    public var goalID: String?

    public init(_ kind: Kind, _ message: String, goalID: String? = nil) {
        self.kind = kind
        self.message = message
        self.goalID = goalID
    }

    /// The `conflict` of a second goal with an id already kept.
    public static func duplicate(_ id: String) -> Self {
        Self(.conflict, "a goal with id \(id) is already kept: clear it first or choose another id", goalID: id)
    }

    public var label: String { "goal_store.\(kind.rawValue)" }
    public var description: String { "\(label): \(message)" }
}
