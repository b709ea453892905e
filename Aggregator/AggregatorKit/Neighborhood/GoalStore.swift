public import MeshPlanner

/// Where the aggregator keeps the operators' neighborhood goals (docs/neighborhood.md, "Goals"). The SQLite store is
/// the embedded default; the SQL stays within what PostgreSQL also runs, so a PostgreSQL store is another
/// implementation. Every method is async and safe from any task.
public protocol GoalStore: Sendable {
    /// Every goal kept, ended ones included until `prune` removes them, by start then id.
    func goals() async throws(GoalStoreError) -> [StoredGoal]
    /// Adds a goal; an id already kept is `conflict` and nothing is written.
    func insert(_ goal: StoredGoal) async throws(GoalStoreError)
    /// Removes a goal; false when there was none of that id.
    func remove(id: String) async throws(GoalStoreError) -> Bool
    /// The highest envelope sequence issued so far (0 before the first): a restarted planner goes on above it.
    func envelopeSequence() async throws(GoalStoreError) -> Int
    /// Records the highest envelope sequence issued (never lowers it).
    func setEnvelopeSequence(_ sequence: Int) async throws(GoalStoreError)
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
public struct GoalStoreError: Error, Sendable, Hashable {
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

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var label: String { "goal_store.\(kind.rawValue)" }
}
