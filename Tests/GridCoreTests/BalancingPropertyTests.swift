import GridCore
import Testing

/// Thousands of seeded random problems with up to 60 chargers.
@Suite struct BalancingPropertyTests {
    @Test(arguments: 0..<8)
    func randomProblemsMeetEveryProperty(batch: Int) throws {
        var rng = BalancingRandom(seed: 0x5EED_0000 &+ UInt64(batch))
        for round in 0..<300 {
            let problem = BalancingCases.problem(&rng, chargers: rng.int(61))
            let solution = PhaseBalancer.solve(problem)
            let reference = BalancingReference(problem)
            let x = solution.setpointsKW
            let label = "batch \(batch) round \(round)"
            try #require(x.count == problem.chargers.count, "\(label)")
            #expect(solution.outcome == .optimal, "\(label)")
            #expect(x.allSatisfy(\.isFinite) && solution.objective.isFinite && solution.neutralCurrentA.isFinite, "\(label)")

            // Inside every box exactly; [0, hi] never gives a negative value; bad data gives exactly 0.
            for (k, box) in reference.boxes.enumerated() {
                #expect(box.contains(x[k]), "\(label) charger \(k)")
                if problem.chargers[k].minKW == 0 { #expect(x[k] >= 0 && x[k].sign == .plus, "\(label) charger \(k)") }
            }

            // General limits are met unless reported relaxed; relaxations only ever widen a limit.
            let requested = reference.requestedLimits
            let applied = reference.appliedLimits(solution)
            #expect(reference.isFeasible(x, limits: applied, tolerance: 1e-7 * (1 + Double(x.count) * 25)), "\(label)")
            for (r, a) in zip(requested, applied) {
                #expect(a.lowerBound <= r.lowerBound && a.upperBound >= r.upperBound, "\(label)")
            }

            #expect(reference.kktViolation(solution) <= 1, "\(label)")

            // x_u = clamp(r) minimises the deviation term D alone over the boxes (D is separable), so when x_u also
            // meets the limits it is feasible and βN*² + D* = J* ≤ J(x_u) = βN_u² + D_u ≤ βN_u² + D*: N* ≤ N_u.
            let uncoordinated = PhaseBalancer.uncoordinatedPlan(problem)
            if problem.neutralWeight > 0, reference.isFeasible(uncoordinated, limits: requested, tolerance: 0) {
                let neutralU = PhaseBalancer.neutralCurrentA(of: uncoordinated, in: problem)
                #expect(solution.neutralCurrentA <= neutralU + 1e-6 * (1 + neutralU), "\(label)")
                #expect(solution.relaxations.isEmpty, "\(label)")
            }

            // Bit-identical on repeat.
            let again = PhaseBalancer.solve(problem)
            #expect(again.setpointsKW.map(\.bitPattern) == x.map(\.bitPattern), "\(label)")
            #expect(again.objective.bitPattern == solution.objective.bitPattern, "\(label)")
        }
    }
}
