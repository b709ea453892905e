public import GridCore
public import MeshPlanner

/// The conflicts a goal takes part in over what is left of its window, among the goals already kept: what an
/// operator setting it should hear about before the planner meets them (docs/neighborhood.md, "Precedence").
///
/// Precedence only changes where a goal starts or ends or a schedule steps, so `ResolvedGoals` is evaluated at
/// those instants within the window (from `now` on) and each conflict involving the goal is reported once, with
/// the first instant it holds.
public enum GoalConflictScan {
    public static func conflicts(of goal: NeighborhoodGoal, among others: [NeighborhoodGoal], from now: Timestamp) -> [ScheduledConflict] {
        let others = others.filter { $0.id != goal.id && $0.end > now && $0.start < goal.end && $0.end > goal.start }
        let from = max(goal.start, now)
        var instants: Set<Timestamp> = [from]
        for candidate in others + [goal] {
            var edges = [candidate.start, candidate.end]
            if case .schedule(let steps) = candidate.action { edges += steps.map(\.at) }
            instants.formUnion(edges.filter { $0 > from && $0 < goal.end })
        }
        let everyone = others + [goal]
        var seen: Set<String> = []
        var found: [ScheduledConflict] = []
        for instant in instants.sorted() {
            for conflict in ResolvedGoals(everyone, at: instant).conflicts where conflict.goal == goal.id || conflict.yieldsTo == goal.id {
                let key = "\(conflict.goal)\u{0}\(conflict.yieldsTo)\u{0}\(conflict.resolution.rawValue)"
                if seen.insert(key).inserted { found.append(ScheduledConflict(from: instant, conflict: conflict)) }
            }
        }
        return found
    }
}

/// A conflict and the first instant it holds.
public struct ScheduledConflict: Sendable, Hashable {
    public var from: Timestamp
    public var conflict: GoalConflict

    public init(from: Timestamp, conflict: GoalConflict) {
        self.from = from
        self.conflict = conflict
    }
}

extension NeighborhoodGoal {
    /// One line for the audit log and the operator: "discharge 80 kW, 2027-01-15T17:30:00Z to 2027-01-15T19:30:00Z, priority 0".
    public var summary: String {
        let what: String
        switch action {
        case .discharge(let kw): what = "discharge \(Self.kilowatts(kw)) kW"
        case .absorb(let kw): what = "absorb \(Self.kilowatts(kw)) kW"
        case .importCap(let kw): what = "import cap \(Self.kilowatts(kw)) kW"
        case .schedule(let steps):
            let powers = steps.prefix(4).map { Self.kilowatts($0.powerKW) }.joined(separator: " → ")
            what = "schedule of \(steps.count) step\(steps.count == 1 ? "" : "s") (\(powers)\(steps.count > 4 ? " → …" : "") kW)"
        }
        return "\(what), \(start.rfc3339) to \(end.rfc3339), priority \(priority)"
    }

    /// A power as typed: whole kW without a fraction, else the shortest decimal that reads back.
    public static func kilowatts(_ kw: Double) -> String {
        kw == kw.rounded() && abs(kw) < 1e15 ? String(Int64(kw)) : "\(kw)"
    }
}
