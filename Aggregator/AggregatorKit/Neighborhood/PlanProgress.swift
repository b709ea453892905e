public import GridCore
public import MeshPlanner

/// Planned against achieved for one plan (docs/neighborhood.md, "Planned against achieved"): what the plan set per
/// goal, transformer and phase, and what the agents' newest state reports show the EV fleet doing now. Pure: the plan,
/// the board's entries and the time in. EV power (+ = charging) is the sum of the online chargers' measured power; a
/// three-phase charger counts a third on each phase.
public struct PlanProgress: Sendable, Hashable {
    public struct Figures: Sendable, Hashable {
        /// nil when the plan sets none (a left-out transformer, no pass).
        public var plannedKW: Double?
        /// nil when the agent has no report on the board.
        public var achievedKW: Double?
    }

    public struct Transformer: Sendable, Hashable {
        public var id: String
        public var total: Figures
        public var phases: PerPhase<Figures>
        /// Age of the report `achieved` comes from, in seconds at the time of the figures.
        public var reportAgeS: Double?
    }

    /// The power goal in force: its target, the plan's total and the planned transformers' measured total.
    public struct Goal: Sendable, Hashable {
        public var goal: String
        public var kind: NeighborhoodGoal.Kind
        public var targetKW: Double
        public var total: Figures
        /// target − planned: what the limits did not allow (0 when met).
        public var plannedShortfallKW: Double
        /// |target − achieved|: how far the fleet is from the goal now.
        public var achievedShortfallKW: Double?
        /// Planned transformers with a report on the board, of those planned.
        public var reporting: Int
        public var planned: Int
    }

    /// The import cap in force: the neighborhood's import with the plan and as measured (meter P of every transformer
    /// in the pass, left-out ones included).
    public struct Cap: Sendable, Hashable {
        public var goal: String
        public var limitKW: Double
        public var importKW: Figures
    }

    public var at: Timestamp
    public var goal: Goal?
    public var importCap: Cap?
    public var transformers: [Transformer]

    public init(plan: NeighborhoodPlan, entries: [FleetStateBoard.Entry], now: Timestamp) {
        let reports = Dictionary(entries.map { ($0.report.id, $0.report) }, uniquingKeysWith: { first, _ in first })
        at = now
        transformers = plan.transformers.map { allocation in
            let report = reports[allocation.id]
            let measured = report.map(Self.evPhaseKW)
            return Transformer(
                id: allocation.id,
                total: Figures(plannedKW: allocation.plannedKW, achievedKW: measured?.sum),
                phases: PerPhase { phase in Figures(plannedKW: allocation.phaseKW?[phase], achievedKW: measured?[phase]) },
                reportAgeS: report.map { now - $0.reportTime })
        }
        let planned = transformers.filter { $0.total.plannedKW != nil }
        let achieved = planned.compactMap(\.total.achievedKW)
        let achievedKW: Double? = achieved.isEmpty ? nil : achieved.reduce(0, +)
        goal = plan.goal.map { outcome in
            Goal(
                goal: outcome.goal, kind: outcome.kind, targetKW: outcome.targetKW,
                total: Figures(plannedKW: outcome.plannedKW, achievedKW: achievedKW), plannedShortfallKW: outcome.shortfallKW,
                achievedShortfallKW: achievedKW.map { abs(outcome.targetKW - $0) }, reporting: achieved.count, planned: planned.count)
        }
        let inPass = plan.transformers.map(\.id) + plan.leftOut.map(\.id)
        let imports = inPass.compactMap { reports[$0].map { $0.phases.a.activePowerKW + $0.phases.b.activePowerKW + $0.phases.c.activePowerKW } }
        importCap = plan.importCap.map { cap in
            Cap(goal: cap.goal, limitKW: cap.limitKW, importKW: Figures(
                plannedKW: plan.totals.importKW, achievedKW: imports.isEmpty ? nil : imports.reduce(0, +)))
        }
    }

    /// The EV fleet's measured power per phase: Σ of the online chargers, a three-phase one a third on each.
    public static func evPhaseKW(_ report: TransformerReport) -> PerPhase<Double> {
        var kw = PerPhase<Double>(repeating: 0)
        for charger in report.chargers where charger.online {
            for phase in charger.connection.phases { kw[phase] += charger.connection.share(of: phase) * charger.powerKW }
        }
        return kw
    }
}
