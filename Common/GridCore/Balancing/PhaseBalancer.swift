/// Step 5 of the control cycle: per-charger P that minimises the neutral current while keeping
/// each EV near its request. Pure and deterministic: the same problem gives bit-identical setpoints.
/// The method (phase I, active set, KKT check) is described in `BalancingFeasibility` and `BalancingActiveSet`.
public enum PhaseBalancer {
    /// Solves the balancing QP exactly; falls back to the clamped requests moved onto the limits if the KKT check fails.
    public static func solve(_ problem: BalancingProblem) -> BalancingSolution {
        var model = BalancingModel(problem)
        let clamped = clampedRequests(model)
        var (start, relaxations) = BalancingFeasibility.prepare(&model, clamped: clamped)
        if start.contains(where: { !$0.isFinite }) { start = clamped }  // only with absurd magnitudes (overflow)
        let kkt = BalancingKKT(model)
        var solver = BalancingActiveSet(model: model, start: start, multiplierTolerance: 1e-2 * kkt.gradientTolerance)
        let converged = solver.run()
        // Clamp exactly into each box: a [0, hi] box never yields −1e-12 ("0 means stop, never reverse").
        var plan = solver.x
        for i in plan.indices { plan[i] = min(max(plan[i], model.lo[i]), model.hi[i]) }
        var multipliers = solver.mu
        var outcome = BalancingOutcome.optimal
        if !converged || !kkt.holds(model, plan, multipliers: multipliers) {
            plan = start
            multipliers = [0, 0, 0, 0]
            outcome = .fallback
        }
        let (rx, ry) = model.residual(plan)
        return BalancingSolution(
            setpointsKW: plan,
            neutralCurrentA: (rx * rx + ry * ry).squareRoot(),
            objective: model.objective(plan),
            relaxations: relaxations,
            iterations: solver.iterations,
            outcome: outcome,
            limitMultipliers: multipliers
        )
    }

    /// Each charger alone: Pᵢ = clamp(rᵢ, loᵢ, hiᵢ), ignoring the neutral and the general limits (bad data gives 0).
    public static func uncoordinatedPlan(_ problem: BalancingProblem) -> [Double] {
        clampedRequests(BalancingModel(problem))
    }

    /// |Σ base + Σ aᵢPᵢ| in amps for any plan (one setpoint per charger, in order; missing ones count as 0).
    public static func neutralCurrentA(of setpointsKW: [Double], in problem: BalancingProblem) -> Double {
        let (rx, ry) = BalancingModel(problem).residual(padded(setpointsKW, problem.chargers.count))
        return (rx * rx + ry * ry).squareRoot()
    }

    /// J(P) of any plan, with the same data cleaning as `solve`.
    public static func objective(of setpointsKW: [Double], in problem: BalancingProblem) -> Double {
        BalancingModel(problem).objective(padded(setpointsKW, problem.chargers.count))
    }

    static func clampedRequests(_ m: BalancingModel) -> [Double] {
        (0..<m.count).map { min(max(m.request[$0], m.lo[$0]), m.hi[$0]) }
    }

    private static func padded(_ plan: [Double], _ count: Int) -> [Double] {
        (0..<count).map { $0 < plan.count ? plan[$0] : 0 }
    }
}
