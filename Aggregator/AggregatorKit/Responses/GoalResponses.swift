public import GridCore
public import MeshPlanner

// The goals API's answers (docs/neighborhood.md, "Goals over the API"). Keys are spelled out in snake_case, so the
// same types decode in v2g-adm; each goal is nested exactly as it is posted.

/// One goal kept: the goal, who set it and when, and whether it is in its window now.
public struct GoalView: Codable, Sendable, Hashable {
    public var goal: NeighborhoodGoal
    public var setBy: String
    public var setAtMs: Int64
    /// `start` ≤ now < `end`.
    public var active: Bool

    public init(_ stored: StoredGoal, now: Timestamp) {
        goal = stored.goal
        setBy = stored.setBy
        setAtMs = stored.setAtMs
        active = stored.goal.isActive(at: now)
    }

    enum CodingKeys: String, CodingKey { case goal, setBy = "set_by", setAtMs = "set_at_ms", active }
}

/// `GET /v1/goals`: every goal kept, what is in force now after precedence, what yielded and why, and the rows that
/// do not read back.
public struct GoalListResponse: Codable, Sendable, Hashable {
    public var nowMs: Int64
    public var goals: [GoalView]
    public var inForce: InForce
    public var conflicts: [GoalConflict]
    public var unreadable: [UnreadableGoal]

    /// The power goal that sets the EV fleet's target and the import cap that binds; absent when none is.
    public struct InForce: Codable, Sendable, Hashable {
        public var power: Power?
        public var cap: Cap?

        public struct Power: Codable, Sendable, Hashable {
            public var goal: String
            /// + = charging.
            public var targetKW: Double
            enum CodingKeys: String, CodingKey { case goal, targetKW = "target_kw" }
        }

        public struct Cap: Codable, Sendable, Hashable {
            public var goal: String
            public var limitKW: Double
            enum CodingKeys: String, CodingKey { case goal, limitKW = "limit_kw" }
        }
    }

    public struct UnreadableGoal: Codable, Sendable, Hashable {
        public var id: String
        public var message: String
    }

    public init(_ listing: GoalListing, now: Timestamp) {
        nowMs = GoalRow.milliseconds(now)
        goals = listing.goals.map { GoalView($0, now: now) }
        let resolved = ResolvedGoals(listing.goals.map(\.goal), at: now)
        inForce = InForce(
            power: resolved.power.map { InForce.Power(goal: $0.goal.id, targetKW: $0.targetKW) },
            cap: resolved.cap.map { InForce.Cap(goal: $0.goal.id, limitKW: $0.limitKW) })
        conflicts = resolved.conflicts
        unreadable = listing.unreadable.map { UnreadableGoal(id: $0.goalID ?? "", message: $0.message) }
    }

    enum CodingKeys: String, CodingKey { case nowMs = "now_ms", goals, inForce = "in_force", conflicts, unreadable }
}

/// `POST /v1/goals` (201): the goal as kept, and every conflict it takes part in over the rest of its window.
public struct GoalSetResponse: Codable, Sendable, Hashable {
    public var result: String
    public var goal: GoalView
    public var conflicts: [Conflict]

    public struct Conflict: Codable, Sendable, Hashable {
        /// The first instant the conflict holds.
        public var fromMs: Int64
        public var goal: String
        public var yieldsTo: String
        public var resolution: ConflictResolution
        public var detail: String
        enum CodingKeys: String, CodingKey { case fromMs = "from_ms", goal, yieldsTo = "yields_to", resolution, detail }
    }

    public init(_ stored: StoredGoal, now: Timestamp, conflicts: [ScheduledConflict]) {
        result = "set"
        goal = GoalView(stored, now: now)
        self.conflicts = conflicts.map {
            Conflict(
                fromMs: GoalRow.milliseconds($0.from), goal: $0.conflict.goal, yieldsTo: $0.conflict.yieldsTo,
                resolution: $0.conflict.resolution, detail: $0.conflict.detail)
        }
    }
}

/// `DELETE /v1/goals/{id}` (200).
public struct GoalClearResponse: Codable, Sendable, Hashable {
    public var result: String
    public var id: String

    public init(id: String) {
        result = "cleared"
        self.id = id
    }
}
