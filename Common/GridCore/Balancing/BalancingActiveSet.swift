// Exact solver for step 5 of the control cycle: a primal active-set method (Nocedal & Wright, 2nd ed., Alg. 16.3)
// on   min ½xᵀHx + qᵀx,  H = W + βAᵀA (W = diag w > 0, A the 2×n neutral map), q = βAᵀc − Wr,
// which is J(x)/2 up to a constant, subject to the chargers' boxes and ≤ 4 general rows (phases A, B, C, total).
//
// - Working set: the bounds and rows held at equality. Each equality subproblem on the free set F is solved in O(|F|·k):
//   H_F⁻¹ comes from Sherman–Morrison–Woodbury, H_F⁻¹ = D − βDA_Fᵀ(I + βA_F D A_Fᵀ)⁻¹A_F D with D = W_F⁻¹ (a 2×2
//   inverse), and the k ≤ 4 active rows E through the Schur complement S = E H_F⁻¹ Eᵀ: x̂ = u + H_F⁻¹Eᵀμ,
//   u = −H_F⁻¹q̃, S μ = d − E u. Rows enter only when they block a step, so they stay linearly independent
//   (a blocking row has E_j p ≠ 0 while the working rows have E p = 0) and S stays nonsingular.
// - Exact and finite: the QP is strictly convex, so each working set has one minimiser, and the answer is the
//   exact KKT point (up to rounding), not an approximation. Every step with α > 0 strictly lowers J, so a working
//   set cannot recur once J has dropped, and there are finitely many working sets. Only a run of zero steps at a
//   degenerate point could cycle: after two of them the dropped constraint is chosen by lowest index (Bland's
//   rule). An iteration cap and the independent KKT check in `BalancingKKT` guard what is left (fallback).
// - Start: the feasible point of `BalancingFeasibility` (the clamped requests moved onto the limits).
struct BalancingActiveSet {
    enum Bound: Int8 { case free, lower, upper, pinned }
    private let m: BalancingModel
    private(set) var x: [Double]
    private var bound: [Bound]
    private var rowState: [Bound]
    /// Multipliers of the rows in the last solved working set (0 for inactive rows).
    private(set) var mu = [0.0, 0, 0, 0]
    private(set) var iterations = 0
    private var xHat: [Double]
    /// Slot 0: u = −H_F⁻¹q̃; slots 1…k: H_F⁻¹E_jᵀ for the active rows.
    private var basis: [Double]
    private var active = [0, 0, 0, 0]
    private var schur = [Double](repeating: 0, count: 16)
    private var rhs = [0.0, 0, 0, 0]
    private var columnSums = [(Double, Double, Double, Double)](repeating: (0, 0, 0, 0), count: 4)
    private let stepTolerance: Double
    /// Largest |bound| in kW (at least 1): the scale of rounding in x.
    private let kilowattScale: Double
    let multiplierTolerance: Double

    init(model: BalancingModel, start: [Double], multiplierTolerance: Double) {
        m = model
        x = start
        let n = model.count
        xHat = start
        basis = [Double](repeating: 0, count: 5 * n)
        bound = [Bound](repeating: .free, count: n)
        rowState = [Bound](repeating: .free, count: BalancingModel.rowCount)
        var scale = 1.0
        for i in 0..<n { scale = max(scale, abs(model.lo[i]), abs(model.hi[i])) }
        kilowattScale = scale
        stepTolerance = 1e-13 * scale
        self.multiplierTolerance = multiplierTolerance
        // Warm start: pinned chargers, and bounds the gradient pushes against, start in the working set.
        let r = model.residual(start)
        for i in 0..<n {
            let g = model.gradient(i, start, residual: r)
            if model.lo[i] == model.hi[i] {
                bound[i] = .pinned
                x[i] = model.lo[i]
            } else if start[i] == model.lo[i], g >= 0 {
                bound[i] = .lower
            } else if start[i] == model.hi[i], g <= 0 {
                bound[i] = .upper
            }
        }
    }

    /// Runs to optimality; false when the iteration cap was reached or a subproblem was singular.
    mutating func run() -> Bool {
        let cap = 50 + 20 * (m.count + BalancingModel.rowCount)
        var atMinimum = false
        var zeroSteps = 0
        while iterations < cap {
            iterations += 1
            if !atMinimum {
                guard solveWorkingSet() else { return false }
                let alpha = step()
                if alpha < 1 {
                    zeroSteps = alpha == 0 ? zeroSteps + 1 : 0
                    continue
                }
                atMinimum = true
            }
            guard dropOne(lowestIndex: zeroSteps > 2) else { return true }
            atMinimum = false
        }
        return false
    }

    /// Solves the equality subproblem of the working set into xHat and mu.
    private mutating func solveWorkingSet() -> Bool {
        let m = self.m  // the closures below read it while `basis` is written
        let n = m.count
        var cx = m.baseX, cy = m.baseY
        var fixed = (0.0, 0.0, 0.0, 0.0)
        var m11 = 1.0, m12 = 0.0, m22 = 1.0
        for i in 0..<n {
            if bound[i] == .free {
                let s = m.beta / m.weight[i]
                m11 += s * m.ax[i] * m.ax[i]
                m12 += s * m.ax[i] * m.ay[i]
                m22 += s * m.ay[i] * m.ay[i]
            } else {
                cx += m.ax[i] * x[i]
                cy += m.ay[i] * x[i]
                add(&fixed, m.group[i], x[i])
            }
        }
        let det = m11 * m22 - m12 * m12  // ≥ 1: M = I + positive semidefinite
        let inverse = (m22 / det, -m12 / det, m11 / det)
        var k = 0
        for j in 0..<BalancingModel.rowCount where rowState[j] != .free {
            active[k] = j
            k += 1
        }
        // u = −H_F⁻¹q̃ with −q̃ᵢ = wᵢrᵢ − βaᵢ·c̃, and one column per active row.
        let uSums = applyInverse(slot: 0, inverse) { i in m.request[i] - m.beta * (m.ax[i] * cx + m.ay[i] * cy) / m.weight[i] }
        for l in 0..<k {
            let row = active[l]
            columnSums[l] = applyInverse(slot: l + 1, inverse) { i in
                BalancingModel.coefficient(row: row, group: m.group[i]) / m.weight[i]
            }
        }
        for j in 0..<k {
            let row = active[j]
            let target = rowState[row] == .upper ? m.rowHi[row] : m.rowLo[row]
            rhs[j] = target - BalancingModel.rowValue(row, fixed) - BalancingModel.rowValue(row, uSums)
            for l in 0..<k { schur[j * 4 + l] = BalancingModel.rowValue(row, columnSums[l]) }
        }
        guard BalancingSchur.solve(&schur, &rhs, count: k) else { return false }
        for j in 0..<BalancingModel.rowCount { mu[j] = 0 }
        for j in 0..<k { mu[active[j]] = rhs[j] }
        for i in 0..<n {
            guard bound[i] == .free else { xHat[i] = x[i]; continue }
            var value = basis[i]
            for l in 0..<k { value += rhs[l] * basis[(l + 1) * n + i] }
            xHat[i] = value
        }
        return true
    }

    /// basis[slot] = H_F⁻¹v on the free set (0 elsewhere), where `scaled(i)` = vᵢ/wᵢ; returns its group sums.
    private mutating func applyInverse(
        slot: Int, _ inverse: (Double, Double, Double), _ scaled: (Int) -> Double
    ) -> (Double, Double, Double, Double) {
        let n = m.count
        let offset = slot * n
        var sx = 0.0, sy = 0.0
        for i in 0..<n {
            let t = bound[i] == .free ? scaled(i) : 0
            basis[offset + i] = t
            sx += m.ax[i] * t
            sy += m.ay[i] * t
        }
        let zx = m.beta * (inverse.0 * sx + inverse.1 * sy)
        let zy = m.beta * (inverse.1 * sx + inverse.2 * sy)
        var sums = (0.0, 0.0, 0.0, 0.0)
        for i in 0..<n where bound[i] == .free {
            let value = basis[offset + i] - (m.ax[i] * zx + m.ay[i] * zy) / m.weight[i]
            basis[offset + i] = value
            add(&sums, m.group[i], value)
        }
        return sums
    }

    /// Moves towards xHat as far as the inactive constraints allow; adds the first blocking one. Returns α.
    private mutating func step() -> Double {
        let n = m.count
        var largest = 0.0, absolute = 0.0
        var now = (0.0, 0.0, 0.0, 0.0), direction = (0.0, 0.0, 0.0, 0.0)
        for i in 0..<n {
            add(&now, m.group[i], x[i])
            guard bound[i] == .free else { continue }
            let p = xHat[i] - x[i]
            largest = max(largest, abs(p))
            absolute += abs(p)
            add(&direction, m.group[i], p)
        }
        if largest <= stepTolerance {
            for i in 0..<n where bound[i] == .free { x[i] = xHat[i] }
            return 1
        }
        var alpha = 1.0
        var blocking = -1
        // Components at rounding level of the kW scale cannot block: a dependent constraint (e.g. the last free
        // charger of an active row) would make the Schur complement singular. The clamp below absorbs them.
        let tiny = max(1e-13 * largest, 1e-12 * kilowattScale)
        for i in 0..<n where bound[i] == .free {
            let p = xHat[i] - x[i]
            if p < -tiny {
                let ratio = max(0, x[i] - m.lo[i]) / -p
                if ratio < alpha { alpha = ratio; blocking = i }
            } else if p > tiny {
                let ratio = max(0, m.hi[i] - x[i]) / p
                if ratio < alpha { alpha = ratio; blocking = i }
            }
        }
        let rowTiny = 1e-12 * max(absolute, kilowattScale)
        for j in 0..<BalancingModel.rowCount where rowState[j] == .free {
            let slope = BalancingModel.rowValue(j, direction)
            let value = BalancingModel.rowValue(j, now)
            var ratio = Double.infinity
            if slope > rowTiny, m.rowHi[j] < .infinity {
                ratio = max(0, m.rowHi[j] - value) / slope
            } else if slope < -rowTiny, m.rowLo[j] > -.infinity {
                ratio = max(0, value - m.rowLo[j]) / -slope
            }
            if ratio < alpha { alpha = ratio; blocking = n + j }
        }
        for i in 0..<n where bound[i] == .free {
            let moved = alpha == 1 ? xHat[i] : x[i] + alpha * (xHat[i] - x[i])
            x[i] = min(max(moved, m.lo[i]), m.hi[i])
        }
        if blocking >= n {
            let j = blocking - n
            let up = BalancingModel.rowValue(j, direction) > 0
            rowState[j] = m.rowLo[j] == m.rowHi[j] ? .pinned : (up ? .upper : .lower)
        } else if blocking >= 0 {
            let up = xHat[blocking] > x[blocking]
            bound[blocking] = up ? .upper : .lower
            x[blocking] = up ? m.hi[blocking] : m.lo[blocking]
        }
        return alpha
    }

    /// At a working-set minimiser: frees the constraint whose multiplier has the wrong sign (largest, or
    /// the lowest index under Bland's rule). False when every sign is right, i.e. x is optimal.
    private mutating func dropOne(lowestIndex: Bool) -> Bool {
        let r = m.residual(x)
        var worst = multiplierTolerance
        var chosen = -1
        for i in 0..<m.count where bound[i] == .lower || bound[i] == .upper {
            var nu = m.gradient(i, x, residual: r)
            for j in 0..<BalancingModel.rowCount { nu -= mu[j] * BalancingModel.coefficient(row: j, group: m.group[i]) }
            let violation = bound[i] == .lower ? -nu : nu
            if violation > worst {
                worst = violation
                chosen = i
                if lowestIndex { break }
            }
        }
        if chosen < 0 || !lowestIndex {
            for j in 0..<BalancingModel.rowCount where rowState[j] == .lower || rowState[j] == .upper {
                let violation = rowState[j] == .lower ? -mu[j] : mu[j]
                if violation > worst {
                    worst = violation
                    chosen = m.count + j
                    if lowestIndex { break }
                }
            }
        }
        guard chosen >= 0 else { return false }
        if chosen >= m.count {
            rowState[chosen - m.count] = .free
        } else {
            bound[chosen] = .free
        }
        return true
    }

    @inline(__always)
    private func add(_ sums: inout (Double, Double, Double, Double), _ group: Int, _ value: Double) {
        switch group {
        case 0: sums.0 += value
        case 1: sums.1 += value
        case 2: sums.2 += value
        default: sums.3 += value
        }
    }
}
