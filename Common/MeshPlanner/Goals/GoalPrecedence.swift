public import GridCore

/// The goals in force at one instant once precedence has spoken: at most one power target and one import cap,
/// and what yielded to them (docs/neighborhood.md, "Precedence").
public struct ResolvedGoals: Sendable, Hashable {
    /// The power goal that sets the EV fleet's target, and that target (+ = charging), in kW.
    public var power: (goal: NeighborhoodGoal, targetKW: Double)? {
        powerGoal.flatMap { goal in goal.fleetTargetKW(at: now).map { (goal, $0) } }
    }
    /// The import cap in force, and its limit in kW.
    public var cap: (goal: NeighborhoodGoal, limitKW: Double)? {
        capGoal.flatMap { goal in
            if case .importCap(let kw) = goal.action { return (goal, kw) }
            return nil
        }
    }
    public var conflicts: [GoalConflict]

    let now: Timestamp
    let powerGoal: NeighborhoodGoal?
    let capGoal: NeighborhoodGoal?

    /// Among the goals active at `now`:
    /// 1. the lowest import cap binds; a looser cap yields to it;
    /// 2. one power goal sets the target: the highest priority, then a discharge or absorb window before a schedule
    ///    (a window is a deliberate exception to the standing schedule), then the latest start (the newest
    ///    instruction), then the smaller id, so that the order is total and the result repeatable.
    /// Physical limits rank above every goal, and the cap above the power goal (the planner trims a target that
    /// would break it and reports that too).
    public init(_ goals: [NeighborhoodGoal], at now: Timestamp) {
        self.now = now
        let active = goals.filter { $0.isActive(at: now) }
        var conflicts: [GoalConflict] = []

        let caps = active.compactMap { goal -> (NeighborhoodGoal, Double)? in
            if case .importCap(let kw) = goal.action { return (goal, kw) }
            return nil
        }.sorted { l, r in l.1 != r.1 ? l.1 < r.1 : l.0.id < r.0.id }
        capGoal = caps.first?.0
        if let (winner, limit) = caps.first {
            for (loser, looser) in caps.dropFirst() {
                conflicts.append(GoalConflict(
                    goal: loser.id, yieldsTo: winner.id, resolution: .looserCap,
                    detail: "import cap \(format(looser)) kW is implied by the lower cap \(format(limit)) kW"))
            }
        }

        let powers = active.filter { $0.kind != .importCap && $0.fleetTargetKW(at: now) != nil }.sorted(by: Self.precedes)
        powerGoal = powers.first
        if let winner = powers.first {
            for loser in powers.dropFirst() {
                let why = loser.priority != winner.priority
                    ? "priority \(winner.priority) over \(loser.priority)"
                    : Self.rank(winner) != Self.rank(loser)
                        ? "a \(winner.kind.rawValue) window overrides a schedule"
                        : winner.start != loser.start ? "the later start (\(winner.start.rfc3339)) wins" : "the smaller id wins a full tie"
                conflicts.append(GoalConflict(goal: loser.id, yieldsTo: winner.id, resolution: .overridden, detail: why))
            }
        }
        self.conflicts = conflicts
    }

    private static func rank(_ goal: NeighborhoodGoal) -> Int { goal.kind == .schedule ? 1 : 0 }

    /// True when `l` takes precedence over `r`.
    static func precedes(_ l: NeighborhoodGoal, _ r: NeighborhoodGoal) -> Bool {
        if l.priority != r.priority { return l.priority > r.priority }
        if rank(l) != rank(r) { return rank(l) < rank(r) }
        if l.start != r.start { return l.start > r.start }
        return l.id < r.id
    }

    public static func == (l: ResolvedGoals, r: ResolvedGoals) -> Bool {
        l.now == r.now && l.powerGoal == r.powerGoal && l.capGoal == r.capGoal && l.conflicts == r.conflicts
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(now)
        hasher.combine(powerGoal)
        hasher.combine(capGoal)
    }
}

/// A kW figure for a message: one decimal.
func format(_ kw: Double) -> String {
    guard kw.isFinite else { return "\(kw)" }
    let tenths = (kw * 10).rounded()
    let text = String(Int(abs(tenths)) / 10) + "." + String(Int(abs(tenths)) % 10)
    return tenths < 0 ? "-" + text : text
}
