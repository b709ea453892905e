public import GridCore
public import MeshPlanner
import FoundationEssentials
import StrictJSON

/// A goal as a store row: its canonical JSON (sorted keys, RFC 3339 times to the millisecond) beside the columns
/// that are indexed (id, start, end in epoch milliseconds), who set it and when. Both stores keep exactly this, so a
/// goal reads back as the canonical form of what was set, and a damaged row is found the same way in each.
public struct GoalRow: Sendable, Hashable {
    public var id: String
    public var startMs: Int64
    public var endMs: Int64
    public var json: String
    public var setBy: String
    public var setAtMs: Int64

    public init(id: String, startMs: Int64, endMs: Int64, json: String, setBy: String, setAtMs: Int64) {
        (self.id, self.startMs, self.endMs, self.json, self.setBy, self.setAtMs) = (id, startMs, endMs, json, setBy, setAtMs)
    }

    public init(_ stored: StoredGoal) {
        let json = Self.canonicalJSON(stored.goal)
        // The columns come from the goal as it reads back, so that they agree with the JSON to the millisecond.
        let goal = Self.decode(json) ?? stored.goal
        self.init(
            id: goal.id, startMs: Self.milliseconds(goal.start), endMs: Self.milliseconds(goal.end), json: json, setBy: stored.setBy,
            setAtMs: stored.setAtMs)
    }

    /// The goal this row holds; `corrupt`, naming the id, when its JSON is not a valid goal or disagrees with the
    /// indexed columns.
    public func stored() throws(GoalStoreError) -> StoredGoal {
        let goal: NeighborhoodGoal
        do {
            goal = try StrictJSON.decodeExactly(NeighborhoodGoal.self, from: Array(json.utf8))
        } catch {
            throw GoalStoreError(.corrupt, "goal \(id): the stored goal does not read back: \(error)", goalID: id)
        }
        guard goal.id == id, Self.milliseconds(goal.start) == startMs, Self.milliseconds(goal.end) == endMs else {
            throw GoalStoreError(
                .corrupt, "goal \(id): the stored goal (id \(goal.id), \(goal.start.rfc3339) to \(goal.end.rfc3339)) disagrees with its row",
                goalID: id)
        }
        return StoredGoal(goal: goal, setBy: setBy, setAtMs: setAtMs)
    }

    /// The goal in its canonical form: what the stores keep and return.
    public static func canonical(_ goal: NeighborhoodGoal) -> NeighborhoodGoal {
        decode(canonicalJSON(goal)) ?? goal
    }

    private static func decode(_ json: String) -> NeighborhoodGoal? {
        try? StrictJSON.decodeExactly(NeighborhoodGoal.self, from: Array(json.utf8))
    }

    static func canonicalJSON(_ goal: NeighborhoodGoal) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // A goal holds strings, finite numbers and times: encoding cannot fail.
        return (try? String(decoding: encoder.encode(goal), as: UTF8.self)) ?? "{}"
    }

    /// What the API asks of a goal's id beyond the goal's own rule, so that `/v1/goals/{id}` names it as it is.
    public static let idRule = "letters, digits, '.', '_', '-' and '~' only"

    /// Whether `id` is made of RFC 3986 unreserved characters only (it then needs no escaping in a URL path).
    public static func fitsInPath(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                true
            default: false
            }
        }
    }

    /// Epoch milliseconds, to the nearest: a time read from millisecond text lands on its millisecond.
    public static func milliseconds(_ time: Timestamp) -> Int64 {
        Int64((time.secondsSinceEpoch * 1_000).rounded())
    }
}
