import Testing
@testable import GridCore

/// Random plans checked against the rules every plan must keep, and tiny plans against brute force.
@Suite struct HorizonPlannerPropertyTests {
    static let start = Timestamp(secondsSinceEpoch: 1_752_598_800)
    static let connections: [PhaseConnection] = [.single(.a), .single(.b), .single(.c), .threePhase]

    static func randomProblem(_ rng: inout BalancingRandom, evs count: Int) -> HorizonProblem {
        let stepS = [300.0, 600, 900][rng.int(3)]
        var evs: [PlannedEV] = []
        for i in 0..<count {
            let charge = [3.7, 7.4, 11][rng.int(3)]
            let v2g = rng.chance(0.4)
            let hours = rng.uniform(0.3, 6)
            let need = rng.chance(0.1) ? charge * hours * 1.3 : rng.uniform(0, 0.9) * charge * hours
            let most = rng.chance(0.3) ? need + rng.uniform(0, 20) : need
            evs.append(PlannedEV(
                id: "ev\(i)", connection: connections[rng.int(4)], maxChargeKW: charge, maxDischargeKW: v2g ? charge : 0,
                departure: start + hours * 3600, neededKWh: need, mostKWh: most,
                floorKWh: v2g ? -rng.uniform(0, 15) : 0, dischargeBudgetKWh: v2g && rng.chance(0.3) ? rng.uniform(0, 5) : nil))
        }
        let base = (0..<80).map { _ in PerPhase { _ in rng.uniform(0, 25) } }
        var problem = HorizonProblem(
            start: start, stepS: stepS, evs: evs, baseKW: base, baseKvar: base.map { $0.map { $0 * 0.3 } },
            nominalPhaseVoltageV: 230)
        if rng.chance(0.3) { problem.phaseLimitA = rng.uniform(80, 200) }
        if rng.chance(0.3) { problem.neutralLimitA = rng.uniform(20, 120) }
        return problem
    }

    /// Net energy into each EV after each step, with the part of a step it is plugged in for.
    static func running(_ plan: HorizonPlan, _ problem: HorizonProblem, _ i: Int) -> [Double] {
        var energy = 0.0
        return plan.powerKW[i].enumerated().map { t, kw in
            let left = problem.evs[i].departure - (plan.start + Double(t) * plan.stepS)
            energy += kw * min(1, left / plan.stepS) * plan.stepS / 3600
            return energy
        }
    }

    @Test("targets met when reachable, never past the most allowed, within each EV's own limits, SoC floor kept", arguments: 0..<3)
    func rulesHold(seed: Int) {
        var rng = BalancingRandom(seed: UInt64(100 + seed))
        for _ in 0..<8 {
            let problem = Self.randomProblem(&rng, evs: 1 + rng.int(5))
            let plan = HorizonPlanner.plan(problem)
            #expect(plan.outcome == .optimal, "\(plan.failedStage ?? "") \(problem)")
            for (i, ev) in problem.evs.enumerated() {
                for kw in plan.powerKW[i] {
                    #expect(kw <= ev.maxChargeKW + 1e-6, "above the request")
                    #expect(kw >= -ev.maxDischargeKW - 1e-6, "V2G beyond what is agreed")
                }
                let energy = Self.running(plan, problem, i)
                if plan.unreachable[i], problem.phaseLimitA == nil, problem.neutralLimitA == nil {
                    #expect(plan.powerKW[i].allSatisfy { abs($0 - ev.maxChargeKW) < 1e-9 })
                } else if plan.shortfallKWh[i] > 1e-3 {
                    // Only a cap may take energy from an EV whose target is reachable on its own.
                    #expect(problem.phaseLimitA != nil || problem.neutralLimitA != nil)
                }
                for e in energy {
                    #expect(e <= max(ev.mostKWh, ev.neededKWh) + 1e-3, "past the target at some time")
                    #expect(e >= min(ev.floorKWh, 0) - 1e-3, "below the SoC floor")
                }
                if problem.phaseLimitA == nil, problem.neutralLimitA == nil, !plan.unreachable[i] {
                    #expect((energy.last ?? 0) >= ev.neededKWh - 1e-3, "target reachable but not planned")
                }
            }
        }
    }

    @Test("the same problem gives the same plan, bit for bit")
    func idempotent() {
        var rng = BalancingRandom(seed: 7)
        let problem = Self.randomProblem(&rng, evs: 4)
        #expect(HorizonPlanner.plan(problem) == HorizonPlanner.plan(problem))
    }

    @Test("two EVs, two steps: the plan's peak is within the polygon's 2 % of the brute-force optimum", arguments: 0..<6)
    func bruteForce(seed: Int) {
        var rng = BalancingRandom(seed: UInt64(900 + seed))
        let kappa = 1000.0 / 230
        let evs = (0..<2).map { i in
            PlannedEV(id: "ev\(i)", connection: Self.connections[rng.int(3)], maxChargeKW: 6, departure: Self.start + 7200,
                      neededKWh: rng.uniform(0, 12))
        }
        let base = (0..<2).map { _ in PerPhase { _ in rng.uniform(0, 15) } }
        let problem = HorizonProblem(start: Self.start, stepS: 3600, evs: evs, baseKW: base, nominalPhaseVoltageV: 230)
        let plan = HorizonPlanner.plan(problem)
        #expect(plan.outcome == .optimal)
        // Brute force on a 0.02 kW grid: each EV's first step sets its second (the energy is exact).
        let grid = 0.02
        var best = Double.infinity
        func neutral(_ step: Int, _ kw: [Double]) -> Double {
            var n = Phasor.zero
            for phase in Phase.allCases {
                var load = base[step][phase]
                for (i, ev) in evs.enumerated() { load += ev.connection.share(of: phase) * kw[i] }
                n += (kappa * load) * Phasor(magnitude: 1, angleDegrees: phase.nominalAngleDegrees)
            }
            return n.magnitude
        }
        let steps0 = Int(6 / grid)
        for a in 0...steps0 {
            let a0 = Double(a) * grid, a1 = evs[0].neededKWh - a0
            guard a1 >= -1e-9, a1 <= 6 + 1e-9 else { continue }
            for b in 0...steps0 {
                let b0 = Double(b) * grid, b1 = evs[1].neededKWh - b0
                guard b1 >= -1e-9, b1 <= 6 + 1e-9 else { continue }
                best = min(best, max(neutral(0, [a0, b0]), neutral(1, [a1, b1])))
            }
        }
        let slack = 2 * kappa * grid
        #expect(plan.peakNeutralA >= best - slack - 1e-6)
        #expect(plan.peakNeutralA <= best * 1.0196 + slack + 1e-6)
    }

    @Test("the structured normal equations solve what the dense ones solve")
    func normalEquationsAgree() {
        var rng = BalancingRandom(seed: 11)
        var problem = Self.randomProblem(&rng, evs: 5)
        problem.neutralLimitA = 30
        problem.phaseLimitA = 60
        var formulation = HorizonPlanner.prepare(problem).formulation
        if let v2g = formulation.variables.firstIndex(where: { $0.maxDischargeKW > 0 }) { formulation.pathRows = [(v2g, 0)] }
        for stage in [HorizonFormulation.Stage.energy, .peak, .quadratic(zCap: 80)] {
            let qp = formulation.build(stage).qp
            let theta = (0..<qp.columnCount).map { _ in rng.logUniform(1e-3, 1e3) }
            var dense = DenseNormalEquations()
            var block = BlockNormalEquations(qp)
            let denseFactored = dense.factor(qp, theta: theta, regularization: 1e-9)
            let blockFactored = block.factor(qp, theta: theta, regularization: 1e-9)
            #expect(denseFactored && blockFactored)
            var a = (0..<qp.rowCount).map { _ in rng.uniform(-10, 10) }
            var b = a
            dense.solve(&a)
            block.solve(&b)
            let scale = a.map { abs($0) }.max() ?? 1
            #expect(zip(a, b).allSatisfy { abs($0 - $1) <= 1e-7 * max(scale, 1) })
        }
    }

    @Test("the interior-point method solves a small LP exactly: min −x−y, x+2y ≤ 4, 3x+y ≤ 6, 0 ≤ x, y ≤ 10")
    func smallLP() {
        var qp = SparseQP()
        let r1 = qp.addRow(rhs: 0, block: -1), r2 = qp.addRow(rhs: 0, block: -1)
        qp.addColumn(cost: -1, lower: 0, upper: 10, entries: [(r1, 1), (r2, 3)])
        qp.addColumn(cost: -1, lower: 0, upper: 10, entries: [(r1, 2), (r2, 1)])
        qp.addColumn(cost: 0, lower: -.infinity, upper: 4, entries: [(r1, -1)])
        qp.addColumn(cost: 0, lower: -.infinity, upper: 6, entries: [(r2, -1)])
        var normal = DenseNormalEquations()
        let result = InteriorPoint().solve(qp, normal: &normal)
        #expect(result.converged)
        // The vertex x = 1.6, y = 1.2.
        #expect(abs(result.x[0] - 1.6) < 1e-6 && abs(result.x[1] - 1.2) < 1e-6)
    }
}
