/// Independent check of the KKT conditions (Nocedal & Wright Thm 12.1) of the balancing QP at a plan,
/// given the general rows' multipliers μ (sign: > 0 at a lower limit, < 0 at an upper one).
/// The bound multipliers are what is left of the gradient: νᵢ = ∂ᵢ(J/2) − Σ_j μ_j G_ji.
struct BalancingKKT {
    /// Gradient-sized tolerance (units of w·kW).
    var gradientTolerance: Double
    /// kW tolerance on the general rows.
    var rowTolerance: Double
    /// kW distance at which a setpoint counts as on its bound.
    var boundTolerance: Double

    /// Tolerances scaled to the problem: relative 1e-8 of the largest possible gradient and row values.
    init(_ m: BalancingModel) {
        var xScale = 1.0, rowScale = 1.0, weightScale = 0.0, aSum = 0.0, aMax = 0.0
        for i in 0..<m.count {
            let size = max(abs(m.lo[i]), abs(m.hi[i]))
            let a = (m.ax[i] * m.ax[i] + m.ay[i] * m.ay[i]).squareRoot()
            xScale = max(xScale, size)
            rowScale += size
            weightScale = max(weightScale, m.weight[i] * (abs(m.request[i]) + size))
            aSum += a * size
            aMax = max(aMax, a)
        }
        let base = (m.baseX * m.baseX + m.baseY * m.baseY).squareRoot()
        let gradientScale = max(1e-300, weightScale + m.beta * aMax * (base + aSum))
        gradientTolerance = 1e-8 * gradientScale
        rowTolerance = 1e-9 * rowScale
        boundTolerance = 1e-9 * xScale
    }

    /// True when stationarity, primal feasibility, dual signs and complementary slackness all hold.
    func holds(_ m: BalancingModel, _ x: [Double], multipliers mu: [Double]) -> Bool {
        let r = m.residual(x)
        for i in 0..<m.count {
            guard x[i].isFinite, x[i] >= m.lo[i], x[i] <= m.hi[i] else { return false }
            if m.lo[i] == m.hi[i] { continue }
            var nu = m.gradient(i, x, residual: r)
            for j in 0..<BalancingModel.rowCount { nu -= mu[j] * BalancingModel.coefficient(row: j, group: m.group[i]) }
            let atLower = x[i] - m.lo[i] <= boundTolerance
            let atUpper = m.hi[i] - x[i] <= boundTolerance
            if nu > gradientTolerance, !atLower { return false }
            if nu < -gradientTolerance, !atUpper { return false }
            if !nu.isFinite { return false }
        }
        let sums = m.groupSums(x)
        for j in 0..<BalancingModel.rowCount {
            let value = BalancingModel.rowValue(j, sums)
            guard mu[j].isFinite, value >= m.rowLo[j] - rowTolerance, value <= m.rowHi[j] + rowTolerance else { return false }
            if mu[j] > gradientTolerance, value > m.rowLo[j] + rowTolerance { return false }
            if mu[j] < -gradientTolerance, value < m.rowHi[j] - rowTolerance { return false }
        }
        return true
    }
}
