#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The horizon planner's optimisation, prepared once per plan and built as a `SparseQP` per stage.
///
/// Variables, for T steps of Δ hours:
/// - yᵢₜ⁺ ∈ [0, fᵢₜ·Pᵢ], yᵢₜ⁻ ∈ [0, fᵢₜ·Dᵢ] (V2G only): EV i's average charging and discharging power over step t
///   (fᵢₜ < 1 in the step it leaves in);
/// - nₜ = (nxₜ, nyₜ): the neutral current phasor of step t, defined by two rows
///   nₜ − Σᵢ κ·aᵢ·(yᵢₜ⁺ − yᵢₜ⁻) = cₜ (cₜ: the forecast base load's neutral; aᵢ the unit phasor of EV i's phase,
///   0 for a three-phase EV; κ = 1000/V);
/// - z: the peak of |nₜ| over the plan (stage "peak" only).
/// |nₜ| ≤ z is written as the 16 rows dₖ·nₜ ≤ z (dₖ unit vectors 22.5° apart), a polygon around the circle:
/// |nₜ| ≤ z / cos(11.25°) = 1.0196 z.
/// Rows spanning steps (the border): each EV's energy Δ·Σₜ(y⁺ − y⁻) ∈ [need, most], a discharge budget, and any
/// SoC path rows (added lazily by the planner: the running energy stays within [floor, most]).
struct HorizonFormulation {
    enum Stage: Equatable {
        /// Caps bind: minimise the largest relative shortfall σ, then maximise the energies.
        case energy
        /// Minimise the peak neutral current z.
        case peak
        /// Minimise Σ|nₜ|² + flatness with every |nₜ| ≤ zCap.
        case quadratic(zCap: Double)
    }

    struct Variable {
        /// Index into the problem's EVs.
        var index: Int
        /// 0, 1, 2 for phases A, B, C; 3 for three-phase.
        var group: Int
        var fractions: [Double]
        var maxChargeKW: Double
        var maxDischargeKW: Double
        var lowKWh: Double
        var highKWh: Double
        var floorKWh: Double
        var budgetKWh: Double?
        /// Its need takes full power throughout (or more): fixed at full power unless a cap binds first.
        var fullPower = false
    }

    struct Built {
        var qp: SparseQP
        var plus: [[Int]]
        var minus: [[Int]]
        var peakColumn: Int?
    }

    static let directions = 16
    let steps: Int
    let stepH: Double
    var variables: [Variable]
    /// Base neutral per step (forecast plus the EVs fixed at full power or zero), as (real, imaginary) A.
    private(set) var baseNeutral: [(Double, Double)]
    /// EV load each phase may add, per step, where a phase cap could bind (nil: it cannot).
    private(set) var phaseAllowanceKW: [PerPhase<Double?>]
    private(set) var totalAllowanceKW: [Double?]
    /// Effective neutral cap per step where it could bind.
    private(set) var neutralCapA: [Double?]
    let bound: Double
    /// κ·aₚ per phase group (three-phase: 0).
    let ampsPerKW: [(Double, Double)]
    /// Path rows: (variable, step) with the running energy bounded to [floor, most].
    var pathRows: [(variable: Int, step: Int)] = []

    var hasCaps: Bool {
        phaseAllowanceKW.contains { $0.a != nil || $0.b != nil || $0.c != nil }
            || totalAllowanceKW.contains { $0 != nil } || neutralCapA.contains { $0 != nil }
    }

    init(
        steps: Int, stepH: Double, variables: [Variable], baseNeutral: [(Double, Double)],
        phaseAllowanceKW: [PerPhase<Double?>], totalAllowanceKW: [Double?], neutralCapA: [Double?],
        bound: Double, ampsPerKW: [(Double, Double)]
    ) {
        self.steps = steps
        self.stepH = stepH
        self.variables = variables
        self.baseNeutral = baseNeutral
        self.phaseAllowanceKW = phaseAllowanceKW
        self.totalAllowanceKW = totalAllowanceKW
        self.neutralCapA = neutralCapA
        self.bound = bound
        self.ampsPerKW = ampsPerKW
    }

    /// Takes variable `vi` out of the optimisation at the profile `y`: its load joins the base, the caps' room
    /// shrinks by it, and its SoC rows go.
    mutating func fix(_ vi: Int, profile y: [Double]) {
        let v = variables[vi]
        for (t, kw) in y.enumerated() where t < steps {
            baseNeutral[t].0 += ampsPerKW[v.group].0 * kw
            baseNeutral[t].1 += ampsPerKW[v.group].1 * kw
            for (p, phase) in Phase.allCases.enumerated() {
                if let room = phaseAllowanceKW[t][phase] { phaseAllowanceKW[t][phase] = max(0, room - Self.share(group: v.group, phase: p) * kw) }
            }
            if let room = totalAllowanceKW[t] { totalAllowanceKW[t] = max(0, room - kw) }
            if let cap = neutralCapA[t] {
                let base = (baseNeutral[t].0 * baseNeutral[t].0 + baseNeutral[t].1 * baseNeutral[t].1).squareRoot()
                neutralCapA[t] = max(cap, base * 1.0001 + 1e-6)
            }
        }
        variables.remove(at: vi)
        pathRows = pathRows.filter { $0.variable != vi }.map { ($0.variable > vi ? $0.variable - 1 : $0.variable, $0.step) }
    }

    static func share(group: Int, phase: Int) -> Double { group == 3 ? 1.0 / 3.0 : (group == phase ? 1 : 0) }

    func build(_ stage: Stage) -> Built {
        var qp = SparseQP()
        let k = Self.directions
        // Block rows per step.
        var rowX = [Int](), rowY = [Int]()
        var polygon = [[Int]](), cap = [[Int]](), phaseRows = [[Int?]](), totalRows = [Int?]()
        for t in 0..<steps {
            rowX.append(qp.addRow(rhs: baseNeutral[t].0, block: t))
            rowY.append(qp.addRow(rhs: baseNeutral[t].1, block: t))
            var poly: [Int] = []
            if stage != .energy { for _ in 0..<k { poly.append(qp.addRow(rhs: 0, block: t)) } }
            polygon.append(poly)
            var capped: [Int] = []
            if !isQuadratic(stage), neutralCapA[t] != nil {
                for _ in 0..<k { capped.append(qp.addRow(rhs: 0, block: t)) }
            }
            cap.append(capped)
            let allowance = phaseAllowanceKW[t]
            phaseRows.append((0..<3).map { p in allowance[Phase.allCases[p]] == nil ? nil : qp.addRow(rhs: 0, block: t) })
            totalRows.append(totalAllowanceKW[t] == nil ? nil : qp.addRow(rhs: 0, block: t))
        }
        // Border rows.
        var energyRow = [Int](), energyLowRow = [Int?](), budgetRow = [Int?]()
        for v in variables {
            if stage == .energy {
                energyRow.append(qp.addRow(rhs: 0, block: -1))
                let floor = v.maxDischargeKW > 0 ? v.floorKWh : 0
                energyLowRow.append(v.lowKWh > floor ? qp.addRow(rhs: 0, block: -1) : nil)
            } else {
                energyRow.append(qp.addRow(rhs: v.lowKWh == v.highKWh ? v.lowKWh : 0, block: -1))
                energyLowRow.append(nil)
            }
            budgetRow.append(v.maxDischargeKW > 0 && v.budgetKWh != nil ? qp.addRow(rhs: 0, block: -1) : nil)
        }
        let paths = pathRows.map { _ in qp.addRow(rhs: 0, block: -1) }
        let quadratic = isQuadratic(stage)
        // EV columns.
        var plus = [[Int]](), minus = [[Int]]()
        for (vi, v) in variables.enumerated() {
            var p = [Int](), m = [Int]()
            let h = max(v.maxChargeKW, v.maxDischargeKW, 0.1)
            let ridge = quadratic ? 2.0 / (h * h) : 2e-5 / (h * h)
            for t in 0..<v.fractions.count {
                for sign in [1.0, -1.0] {
                    let limit = sign > 0 ? v.fractions[t] * v.maxChargeKW : v.fractions[t] * v.maxDischargeKW
                    guard limit > 1e-9 else {
                        if sign > 0 { p.append(-1) } else { m.append(-1) }
                        continue
                    }
                    var entries: [(row: Int, value: Double)] = []
                    if v.group < 3 {
                        entries.append((rowX[t], -sign * ampsPerKW[v.group].0))
                        entries.append((rowY[t], -sign * ampsPerKW[v.group].1))
                    }
                    for phase in 0..<3 {
                        if let row = phaseRows[t][phase] { entries.append((row, sign * Self.share(group: v.group, phase: phase))) }
                    }
                    if let row = totalRows[t] { entries.append((row, sign)) }
                    entries.append((energyRow[vi], sign * stepH))
                    if let row = energyLowRow[vi] { entries.append((row, sign * stepH)) }
                    if sign < 0, let row = budgetRow[vi] { entries.append((row, stepH)) }
                    for (r, path) in pathRows.enumerated() where path.variable == vi && path.step >= t {
                        entries.append((paths[r], sign * stepH))
                    }
                    // Stage "energy" maximises the energies (normalised by each need) after the shortfall.
                    var cost = sign < 0 ? (quadratic ? 0.1 : 1e-4) : 0
                    if stage == .energy { cost -= sign * stepH / (Double(variables.count) * max(v.lowKWh, 1)) }
                    let column = qp.addColumn(cost: cost, quadratic: ridge, lower: 0, upper: limit, entries: entries)
                    if sign > 0 { p.append(column) } else { m.append(column) }
                }
            }
            plus.append(p)
            minus.append(m)
        }
        // Neutral phasor columns.
        for t in 0..<steps {
            let nq = quadratic ? 2.0 : 2e-6
            for axis in 0..<2 {
                var entries: [(row: Int, value: Double)] = [(axis == 0 ? rowX[t] : rowY[t], 1)]
                for d in 0..<polygon[t].count { entries.append((polygon[t][d], direction(d, axis))) }
                for d in 0..<cap[t].count { entries.append((cap[t][d], direction(d, axis))) }
                qp.addColumn(cost: 0, quadratic: nq, lower: -bound, upper: bound, entries: entries)
            }
        }
        // The peak.
        var peakColumn: Int?
        if stage == .peak {
            var entries: [(row: Int, value: Double)] = []
            for t in 0..<steps { for row in polygon[t] { entries.append((row, -1)) } }
            // z + z²/2 has the same minimiser as z (it only grows for z ≥ 0), and the curvature keeps z's weight in the
            // normal equations bounded: without it z's Θ grows without limit as the method converges.
            peakColumn = qp.addColumn(cost: 1, quadratic: 1, lower: 0, upper: bound, entries: entries)
        }
        if stage == .energy {
            // σ: the largest shortfall, as a fraction of the way from the need down to the floor.
            var entries: [(row: Int, value: Double)] = []
            for (vi, v) in variables.enumerated() {
                if let row = energyLowRow[vi] { entries.append((row, v.lowKWh - (v.maxDischargeKW > 0 ? v.floorKWh : 0))) }
            }
            if !entries.isEmpty { qp.addColumn(cost: 1_000, lower: 0, upper: 1, entries: entries) }
        }
        // Slacks.
        let zCap: Double? = if case .quadratic(let cap) = stage { cap } else { nil }
        for t in 0..<steps {
            for row in polygon[t] {
                let limit = min(zCap ?? 0, neutralCapA[t] ?? .infinity)
                qp.addColumn(cost: 0, lower: -.infinity, upper: limit, entries: [(row, -1)])
            }
            for row in cap[t] { qp.addColumn(cost: 0, lower: -.infinity, upper: neutralCapA[t]!, entries: [(row, -1)]) }
            for p in 0..<3 {
                if let row = phaseRows[t][p] {
                    qp.addColumn(cost: 0, lower: -.infinity, upper: phaseAllowanceKW[t][Phase.allCases[p]]!, entries: [(row, -1)])
                }
            }
            if let row = totalRows[t] { qp.addColumn(cost: 0, lower: -.infinity, upper: totalAllowanceKW[t]!, entries: [(row, -1)]) }
        }
        for (vi, v) in variables.enumerated() {
            if stage == .energy {
                qp.addColumn(cost: 0, lower: v.maxDischargeKW > 0 ? v.floorKWh : 0, upper: v.highKWh, entries: [(energyRow[vi], -1)])
                if let row = energyLowRow[vi] { qp.addColumn(cost: 0, lower: v.lowKWh, upper: .infinity, entries: [(row, -1)]) }
            } else if v.lowKWh != v.highKWh {
                qp.addColumn(cost: 0, lower: v.lowKWh, upper: v.highKWh, entries: [(energyRow[vi], -1)])
            }
            if let row = budgetRow[vi] { qp.addColumn(cost: 0, lower: 0, upper: v.budgetKWh!, entries: [(row, -1)]) }
        }
        for (r, path) in pathRows.enumerated() {
            let v = variables[path.variable]
            qp.addColumn(cost: 0, lower: v.floorKWh, upper: v.highKWh, entries: [(paths[r], -1)])
        }
        return Built(qp: qp, plus: plus, minus: minus, peakColumn: peakColumn)
    }

    private func isQuadratic(_ stage: Stage) -> Bool {
        if case .quadratic = stage { return true }
        return false
    }

    private func direction(_ d: Int, _ axis: Int) -> Double {
        let angle = 2 * Double.pi * Double(d) / Double(Self.directions)
        return axis == 0 ? cos(angle) : sin(angle)
    }
}
