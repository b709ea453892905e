public import AggregatorKit
public import GridCore
import MeshPlanner

extension DashboardPlanSummary {
    /// The dashboard's view of the planner's last pass: the goal and the import cap in force, planned against what the
    /// agents' newest state reports show now (the same figures as `GET /v1/plan`); nil when the pass made no plan.
    public init?(_ pass: PlanBoard.Pass, entries: [FleetStateBoard.Entry], now: Timestamp) {
        guard let plan = pass.plan else { return nil }
        let progress = PlanProgress(plan: plan, entries: entries, now: now)
        var goals: [Goal] = []
        if let outcome = plan.goal {
            goals.append(Goal(
                id: outcome.goal, kind: outcome.kind.rawValue, targetKW: outcome.targetKW, plannedKW: outcome.plannedKW,
                achievedKW: progress.goal?.total.achievedKW, shortfallKW: outcome.shortfallKW, met: outcome.met,
                reason: outcome.reason?.rawValue))
        }
        if let cap = plan.importCap {
            goals.append(Goal(
                id: cap.goal, kind: NeighborhoodGoal.Kind.importCap.rawValue, targetKW: cap.limitKW, plannedKW: cap.importKW,
                achievedKW: progress.importCap?.importKW.achievedKW, shortfallKW: cap.shortfallKW, met: cap.met,
                reason: cap.reason?.rawValue))
        }
        self.init(
            timeMs: Int64((pass.at.secondsSinceEpoch * 1000).rounded(.down)), goals: goals,
            transformers: progress.transformers.map { transformer in
                TransformerPlan(
                    id: transformer.id, plannedKW: transformer.total.plannedKW, achievedKW: transformer.total.achievedKW,
                    phases: Phase.allCases.map { phase in
                        PhasePlan(
                            phase: phase.rawValue, plannedKW: transformer.phases[phase].plannedKW,
                            achievedKW: transformer.phases[phase].achievedKW)
                    })
            })
    }
}
