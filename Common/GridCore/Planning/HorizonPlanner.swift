#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The horizon planner: each plugged-in EV's power, step by step to its departure, with priorities in strict order:
///   1. hard limits: each EV's own limits, and the phase, neutral and transformer caps;
///   2. each EV's energy by departure (where the caps make that impossible, the largest relative shortfall is
///      minimised first); never past its target unless its driver consents, never above its request;
///   3. the peak neutral current, then Σ|I_N|² over the plan;
///   4. flatness of each EV's power.
/// Each priority is its own stage, solved exactly (to 1e-8) by `InteriorPoint`; later stages keep what the earlier
/// ones reached. Pure and deterministic: the same problem gives the same plan, bit for bit.
public enum HorizonPlanner {
    public static func plan(_ problem: HorizonProblem) -> HorizonPlan {
        var prepared = prepare(problem)
        var plan = prepared.plan
        guard prepared.formulation.steps > 0, !prepared.formulation.variables.isEmpty else {
            plan.neutralPhasorA = neutral(prepared, y: [])
            plan.neutralA = plan.neutralPhasorA.map(\.magnitude)
            return plan
        }
        var iterations = 0, solves = 0
        var failure = ""
        var last: [[Double]]?
        var ok = true
        var fixed: [(index: Int, fractions: [Double], y: [Double])] = []
        func fixFullPower(_ profile: (Int) -> [Double]) {
            for vi in prepared.formulation.variables.indices.reversed() where prepared.formulation.variables[vi].fullPower {
                let v = prepared.formulation.variables[vi]
                let y = profile(vi)
                fixed.append((v.index, v.fractions, y))
                prepared.formulation.fix(vi, profile: y)
            }
        }
        // Stage 1: only when a cap can bind (otherwise every need is reachable on its own, and the EVs that need
        // full power throughout get it).
        if prepared.formulation.hasCaps {
            if let (y, _) = solveWithPaths(&prepared.formulation, .energy, &iterations, &solves, &failure) {
                for (vi, v) in prepared.formulation.variables.enumerated() {
                    let achieved = energy(y[vi], stepH: prepared.formulation.stepH)
                    // 1 Wh below what the energy stage reached: its iterate meets the rows only to the solver's tolerance.
                    prepared.formulation.variables[vi].lowKWh = min(v.lowKWh, max(achieved - 1e-3, min(v.floorKWh, 0)))
                }
                fixFullPower { y[$0] }
            } else {
                ok = false
                plan.failedStage = "energy: " + failure
            }
        } else {
            let f = prepared.formulation
            fixFullPower { vi in f.variables[vi].fractions.map { $0 * f.variables[vi].maxChargeKW } }
        }
        if prepared.formulation.variables.isEmpty { last = [] }
        // Stage 2: the peak.
        var zStar: Double?
        if prepared.formulation.variables.isEmpty {
            // Nothing left to optimise.
        } else if ok, let (y, z) = solveWithPaths(&prepared.formulation, .peak, &iterations, &solves, &failure) {
            last = y
            zStar = z
        } else if ok {
            ok = false
            plan.failedStage = "peak: " + failure
        }
        // Stage 3: Σ|I_N|² and flatness under the peak.
        if ok, let zStar, !prepared.formulation.variables.isEmpty {
            let cap = zStar * (1 + 1e-4) + 1e-3
            if let (y, _) = solveWithPaths(&prepared.formulation, .quadratic(zCap: cap), &iterations, &solves, &failure) {
                last = y
            } else {
                ok = false
                plan.failedStage = "quadratic: " + failure
            }
        }
        let y = last ?? flatNeed(prepared.formulation)
        for (index, fractions, profile) in fixed {
            plan.powerKW[index] = zip(profile, fractions).map { $0 / $1 }
            plan.plannedKWh[index] = energy(profile, stepH: prepared.formulation.stepH) + prepared.beyondKWh[index]
            plan.shortfallKWh[index] = max(0, problem.evs[index].neededKWh - plan.plannedKWh[index])
        }
        plan.outcome = ok ? .optimal : .fallback
        plan.iterations = iterations
        plan.solves = solves
        for (vi, v) in prepared.formulation.variables.enumerated() {
            plan.powerKW[v.index] = zip(y[vi], v.fractions).map { $0 / $1 }
            plan.plannedKWh[v.index] = energy(y[vi], stepH: prepared.formulation.stepH) + prepared.beyondKWh[v.index]
            plan.shortfallKWh[v.index] = max(0, problem.evs[v.index].neededKWh - plan.plannedKWh[v.index])
        }
        plan.neutralPhasorA = neutral(prepared, y: y)
        plan.neutralA = plan.neutralPhasorA.map(\.magnitude)
        return plan
    }

    /// Solves one stage, adding SoC path rows for V2G EVs whose running energy leaves [floor, most] until none does.
    private static func solveWithPaths(
        _ f: inout HorizonFormulation, _ stage: HorizonFormulation.Stage, _ iterations: inout Int, _ solves: inout Int,
        _ failure: inout String
    ) -> ([[Double]], Double)? {
        for _ in 0..<12 {
            let built = f.build(stage)
            var normal = BlockNormalEquations(built.qp)
            let result = InteriorPoint().solve(built.qp, normal: &normal)
            iterations += result.iterations
            solves += 1
            guard result.converged else { failure = "did not converge in \(result.iterations) iterations"; return nil }
            let y = built.plus.indices.map { vi in
                built.plus[vi].indices.map { t in
                    (built.plus[vi][t] >= 0 ? result.x[built.plus[vi][t]] : 0)
                        - (built.minus[vi].isEmpty || built.minus[vi][t] < 0 ? 0 : result.x[built.minus[vi][t]])
                }
            }
            let added = addViolatedPaths(&f, y)
            let z = built.peakColumn.map { result.x[$0] } ?? 0
            if !added { return (y, z) }
        }
        failure = "SoC rows still violated after 12 rounds"
        return nil
    }

    /// Adds a path row wherever a V2G EV's running energy leaves [floor, most]; true if any was added.
    private static func addViolatedPaths(_ f: inout HorizonFormulation, _ y: [[Double]]) -> Bool {
        var added = false
        for (vi, v) in f.variables.enumerated() where v.maxDischargeKW > 0 {
            var running = 0.0
            let tolerance = 1e-4
            for t in 0..<max(0, y[vi].count - 1) {
                running += y[vi][t] * f.stepH
                guard running < v.floorKWh - tolerance || running > v.highKWh + tolerance else { continue }
                if !f.pathRows.contains(where: { $0.variable == vi && $0.step == t }) {
                    f.pathRows.append((vi, t))
                    added = true
                }
            }
        }
        return added
    }

    private static func energy(_ y: [Double], stepH: Double) -> Double { y.reduce(0, +) * stepH }

    /// When the optimisation fails: each EV at the flat power its need requires, within its limits.
    private static func flatNeed(_ f: HorizonFormulation) -> [[Double]] {
        f.variables.map { v in
            let hours = v.fractions.reduce(0, +) * f.stepH
            let kw = hours > 0 ? min(max(v.lowKWh, 0) / hours, v.maxChargeKW) : 0
            return v.fractions.map { $0 * kw }
        }
    }

    private static func neutral(_ p: Prepared, y: [[Double]]) -> [Phasor] {
        let f = p.formulation
        return (0..<f.steps).map { t in
            var (x, yy) = f.baseNeutral[t]
            for (vi, v) in f.variables.enumerated() where v.group < 3 && t < y[vi].count {
                x += f.ampsPerKW[v.group].0 * y[vi][t]
                yy += f.ampsPerKW[v.group].1 * y[vi][t]
            }
            return Phasor(real: x, imaginary: yy)
        }
    }
}
