/// Turns a `HorizonProblem` into the formulation: windows, the parts of each need that fall beyond the horizon,
/// EVs that are fixed (unreachable targets at full power; nothing to do), the forecast's neutral, and the caps that
/// could bind (a cap that no plan could reach adds no rows).
extension HorizonPlanner {
    struct Prepared {
        var formulation: HorizonFormulation
        var plan: HorizonPlan
        /// Energy each EV is assumed to take after the plan's end (its departure lies beyond the horizon).
        var beyondKWh: [Double]
    }

    static func prepare(_ problem: HorizonProblem) -> Prepared {
        let stepS = problem.stepS.isFinite && problem.stepS > 0 ? problem.stepS : 600
        let steps = problem.stepCount
        let stepH = stepS / 3600
        let volts = problem.nominalPhaseVoltageV.isFinite && problem.nominalPhaseVoltageV > 0 ? problem.nominalPhaseVoltageV : 230
        let kappa = 1000 / volts
        let unit = Phase.allCases.map { Phasor(magnitude: 1, angleDegrees: $0.nominalAngleDegrees) }
        let ampsPerKW = unit.map { (kappa * $0.real, kappa * $0.imaginary) } + [(0.0, 0.0)]
        let horizonEnd = problem.start + Double(steps) * stepS
        let count = problem.evs.count
        var plan = HorizonPlan(
            start: problem.start, stepS: stepS, evIDs: problem.evs.map(\.id),
            powerKW: Array(repeating: [], count: count), neutralA: [], plannedKWh: Array(repeating: 0, count: count),
            shortfallKWh: Array(repeating: 0, count: count), unreachable: Array(repeating: false, count: count),
            outcome: .optimal, iterations: 0, solves: 0)
        var beyond = [Double](repeating: 0, count: count)
        var variables: [HorizonFormulation.Variable] = []
        for (i, ev) in problem.evs.enumerated() {
            let charge = finiteNonNegative(ev.maxChargeKW)
            let discharge = finiteNonNegative(ev.maxDischargeKW)
            let group: Int = switch ev.connection {
            case .single(let p): Phase.allCases.firstIndex(of: p)!
            case .threePhase: 3
            }
            var fractions: [Double] = []
            for t in 0..<steps {
                let left = ev.departure - (problem.start + Double(t) * stepS)
                guard left > 0 else { break }
                fractions.append(min(1, left / stepS))
            }
            let afterH = max(0, ev.departure - horizonEnd) / 3600
            let need = finiteNonNegative(ev.neededKWh)
            let most = max(need, finiteNonNegative(ev.mostKWh))
            beyond[i] = min(need, charge * afterH)
            let reachable = fractions.reduce(0, +) * stepH * charge
            let low = max(0, need - charge * afterH)
            let high = min(max(most - beyond[i], low), reachable)
            let floor = discharge > 0 ? min(0, ev.floorKWh.isFinite ? ev.floorKWh : 0) : 0
            // Reachable only at full power throughout, or not even then (reported up front).
            let fullPower = low >= reachable - 1e-6 && charge > 0 && !fractions.isEmpty
            plan.unreachable[i] = low > reachable + 1e-6
            if fullPower {
                variables.append(HorizonFormulation.Variable(
                    index: i, group: group, fractions: fractions, maxChargeKW: charge, maxDischargeKW: 0,
                    lowKWh: reachable, highKWh: reachable, floorKWh: 0, budgetKWh: nil, fullPower: true))
                continue
            }
            if fractions.isEmpty || (high <= 1e-9 && discharge == 0) || (charge == 0 && discharge == 0) {
                plan.powerKW[i] = fractions.map { _ in 0 }
                plan.plannedKWh[i] = beyond[i]
                plan.shortfallKWh[i] = max(0, need - beyond[i])
                continue
            }
            variables.append(HorizonFormulation.Variable(
                index: i, group: group, fractions: fractions, maxChargeKW: charge, maxDischargeKW: discharge,
                lowKWh: low, highKWh: high, floorKWh: floor,
                budgetKWh: ev.dischargeBudgetKWh.map { finiteNonNegative($0) }))
        }
        // The forecast per step, with the fixed EVs.
        var baseNeutral: [(Double, Double)] = []
        var baseP: [PerPhase<Double>] = [], baseQ: [PerPhase<Double>] = []
        for t in 0..<steps {
            let last = max(0, min(t, problem.baseKW.count - 1))
            let p = problem.baseKW.isEmpty ? PerPhase(repeating: 0.0) : problem.baseKW[last].map(finiteOrZero)
            let q = problem.baseKvar.isEmpty ? PerPhase(repeating: 0.0) : problem.baseKvar[min(t, problem.baseKvar.count - 1)].map(finiteOrZero)
            var n = Phasor.zero
            for (g, phase) in Phase.allCases.enumerated() {
                n += (kappa * Phasor(real: p[phase], imaginary: -q[phase])) * unit[g]
            }
            baseNeutral.append((n.real, n.imaginary))
            baseP.append(p)
            baseQ.append(q)
        }
        // Caps, only where some plan could break them.
        var phaseAllowance = [PerPhase<Double?>](), totalAllowance = [Double?](), neutralCap = [Double?]()
        var largest = 0.0
        for t in 0..<steps {
            var most = [0.0, 0, 0, 0], least = [0.0, 0, 0, 0]
            for v in variables where t < v.fractions.count {
                most[v.group] += v.fractions[t] * v.maxChargeKW
                least[v.group] -= v.fractions[t] * v.maxDischargeKW
            }
            phaseAllowance.append(PerPhase { phase in
                guard let limitA = problem.phaseLimitA, limitA.isFinite, limitA > 0 else { return nil }
                let g = Phase.allCases.firstIndex(of: phase)!
                let limitKVA = limitA * volts / 1000
                let room = max(0, limitKVA * limitKVA - baseQ[t][phase] * baseQ[t][phase]).squareRoot() - baseP[t][phase]
                let allowance = max(0, room)
                return most[g] + most[3] / 3 > allowance ? allowance : nil
            })
            if let kva = problem.transformerLimitKVA, kva.isFinite, kva > 0 {
                let q = baseQ[t].sum
                let allowance = max(0, max(0, kva * kva - q * q).squareRoot() - baseP[t].sum)
                totalAllowance.append(most.reduce(0, +) > allowance ? allowance : nil)
            } else {
                totalAllowance.append(nil)
            }
            // The largest neutral any plan could make: a corner of the box of phase totals.
            var worst = 0.0
            for corner in 0..<8 {
                var (x, y) = baseNeutral[t]
                for g in 0..<3 {
                    let kw = (corner >> g) & 1 == 1 ? most[g] : least[g]
                    x += ampsPerKW[g].0 * kw
                    y += ampsPerKW[g].1 * kw
                }
                worst = max(worst, (x * x + y * y).squareRoot())
            }
            largest = max(largest, worst)
            if let limit = problem.neutralLimitA, limit.isFinite, limit > 0, worst > limit {
                let base = (baseNeutral[t].0 * baseNeutral[t].0 + baseNeutral[t].1 * baseNeutral[t].1).squareRoot()
                neutralCap.append(max(limit, base * 1.0001 + 1e-6))
            } else {
                neutralCap.append(nil)
            }
        }
        let formulation = HorizonFormulation(
            steps: steps, stepH: stepH, variables: variables, baseNeutral: baseNeutral,
            phaseAllowanceKW: phaseAllowance, totalAllowanceKW: totalAllowance, neutralCapA: neutralCap,
            bound: 2 * largest + 10, ampsPerKW: ampsPerKW)
        return Prepared(formulation: formulation, plan: plan, beyondKWh: beyond)
    }

    private static func finiteNonNegative(_ value: Double) -> Double { value.isFinite ? max(0, value) : 0 }
    private static func finiteOrZero(_ value: Double) -> Double { value.isFinite ? value : 0 }
}
