public import AggregatorKit
import Synchronization

/// The goal store in memory, with the same semantics as `SQLiteGoalStore`: each goal kept as its canonical JSON row
/// (`GoalRow`), read back through the same decoding, so damaged rows, conflicts and the order are the same.
public final class InMemoryGoalStore: GoalStore {
    private struct Contents {
        var rows: [String: GoalRow] = [:]
        var sequence = 0
        var closed = false
    }

    private let contents = Mutex(Contents())

    public init() {}

    public func close() { contents.withLock { $0.closed = true } }

    /// Replaces the JSON of goal `id`'s row, as a hand edit of the database would (for tests of damaged rows).
    public func overwriteJSON(of id: String, with json: String) {
        contents.withLock { $0.rows[id]?.json = json }
    }

    private func open<T>(_ body: (inout Contents) throws(GoalStoreError) -> T) throws(GoalStoreError) -> T {
        try contents.withLock { (contents: inout Contents) throws(GoalStoreError) -> T in
            guard !contents.closed else { throw GoalStoreError(.unavailable, "the in-memory goal store is closed") }
            return try body(&contents)
        }
    }

    public func listing() async throws(GoalStoreError) -> GoalListing {
        let rows = try open { $0.rows.values }
        var goals: [StoredGoal] = []
        var unreadable: [GoalStoreError] = []
        for row in rows {
            do throws(GoalStoreError) { goals.append(try row.stored()) } catch { unreadable.append(error) }
        }
        return GoalListing(goals: goals, unreadable: unreadable)
    }

    public func goal(id: String) async throws(GoalStoreError) -> StoredGoal? {
        try open { $0.rows[id] }.map { row throws(GoalStoreError) in try row.stored() }
    }

    public func insert(_ goal: StoredGoal) async throws(GoalStoreError) {
        let row = GoalRow(goal)
        try open { (contents: inout Contents) throws(GoalStoreError) in
            guard contents.rows[row.id] == nil else {
                throw GoalStoreError.duplicate(row.id)
            }
            contents.rows[row.id] = row
        }
    }

    public func remove(id: String) async throws(GoalStoreError) -> Bool {
        try open { $0.rows.removeValue(forKey: id) != nil }
    }

    public func envelopeSequence() async throws(GoalStoreError) -> Int {
        try open { $0.sequence }
    }

    public func setEnvelopeSequence(_ sequence: Int) async throws(GoalStoreError) {
        try open { $0.sequence = max($0.sequence, sequence) }
    }
}
