/// A primal-dual interior-point method (Mehrotra's predictor–corrector, as in Nocedal & Wright, 2nd ed., §14.2
/// and §16.6) for `SparseQP`. Iterates stay strictly inside the bounds; the equality rows may start infeasible.
///
/// Each iteration solves the normal equations A Θ Aᵀ Δy = r with Θ = (Q + Z_l/S_l + Z_u/S_u + ρ)⁻¹ (ρ a tiny
/// primal regularisation, and δ on the diagonal of A Θ Aᵀ): the structure is the caller's, through
/// `NormalEquations`. Deterministic: the same problem gives bit-identical iterates.
struct InteriorPoint {
    struct Result {
        var x: [Double]
        /// Duals of the equality rows.
        var y: [Double]
        var iterations: Int
        var converged: Bool
        var objective: Double
    }

    var tolerance = 1e-8
    var maxIterations = 120
    /// Called once per iteration with (iteration, ‖r_p‖∞, ‖r_d‖∞, μ, step): for diagnosis in tests.
    var trace: ((Int, Double, Double, Double, Double) -> Void)?

    func solve<N: NormalEquations>(_ p: SparseQP, normal: inout N) -> Result {
        let n = p.columnCount
        let m = p.rowCount
        var x = [Double](repeating: 0, count: n)
        var zl = [Double](repeating: 0, count: n)
        var zu = [Double](repeating: 0, count: n)
        let hasLower = p.lower.map(\.isFinite)
        let hasUpper = p.upper.map(\.isFinite)
        var bounded = 0
        for j in 0..<n {
            let l = p.lower[j], u = p.upper[j]
            switch (hasLower[j], hasUpper[j]) {
            case (true, true): x[j] = (l + u) / 2
            case (true, false): x[j] = l + max(1, abs(l))
            case (false, true): x[j] = u - max(1, abs(u))
            case (false, false): x[j] = 0
            }
            if hasLower[j] { zl[j] = 1; bounded += 1 }
            if hasUpper[j] { zu[j] = 1; bounded += 1 }
        }
        var y = [Double](repeating: 0, count: m)
        let scaleB = 1 + (p.rhs.map { abs($0) }.max() ?? 0)
        let scaleC = 1 + (p.cost.map { abs($0) }.max() ?? 0)
        let rho = 1e-10, delta = 1e-10
        var iterations = 0
        var converged = false
        /// The last iterate that met the looser acceptance test: returned when the method then stalls on rounding.
        var acceptable: (x: [Double], y: [Double])?
        var theta = [Double](repeating: 0, count: n)
        while iterations < maxIterations {
            iterations += 1
            // Residuals.
            let ax = p.multiply(x)
            let aty = p.multiplyTransposed(y)
            var rp = [Double](repeating: 0, count: m)
            var rpMax = 0.0
            for i in 0..<m { rp[i] = ax[i] - p.rhs[i]; rpMax = max(rpMax, abs(rp[i])) }
            var rd = [Double](repeating: 0, count: n)
            var rdMax = 0.0
            var gap = 0.0
            for j in 0..<n {
                rd[j] = p.cost[j] + p.quadratic[j] * x[j] - aty[j] - zl[j] + zu[j]
                rdMax = max(rdMax, abs(rd[j]))
                if hasLower[j] { gap += (x[j] - p.lower[j]) * zl[j] }
                if hasUpper[j] { gap += (p.upper[j] - x[j]) * zu[j] }
            }
            let mu = bounded > 0 ? gap / Double(bounded) : 0
            let objective = objectiveValue(p, x)
            if rpMax <= tolerance * scaleB, rdMax <= tolerance * scaleC, gap <= tolerance * (1 + abs(objective)) {
                converged = true
                break
            }
            let loose = 100 * tolerance
            if rpMax <= loose * scaleB, rdMax <= loose * scaleC, gap <= loose * (1 + abs(objective)) { acceptable = (x, y) }
            guard rpMax.isFinite, rdMax.isFinite, gap.isFinite else { break }
            for j in 0..<n {
                var h = p.quadratic[j] + rho
                if hasLower[j] { h += zl[j] / (x[j] - p.lower[j]) }
                if hasUpper[j] { h += zu[j] / (p.upper[j] - x[j]) }
                theta[j] = 1 / h
            }
            // Near the end Θ spans many decades and a Schur complement can lose definiteness to rounding:
            // more regularisation then, rather than giving up.
            var regularization = delta
            var factored = normal.factor(p, theta: theta, regularization: regularization)
            while !factored, regularization < 1e-4 {
                regularization *= 100
                factored = normal.factor(p, theta: theta, regularization: regularization)
            }
            guard factored else { break }

            // Predictor (σ = 0), then the corrector with Mehrotra's centring σ = (μ_aff/μ)³.
            let affine = direction(
                p, normal, x, zl, zu, rp, rd, theta, hasLower, hasUpper, sigmaMu: 0, correction: nil, regularization: regularization)
            let alphaAff = stepLength(p, x, zl, zu, affine, hasLower, hasUpper, fraction: 1)
            var gapAff = 0.0
            for j in 0..<n {
                if hasLower[j] {
                    gapAff += (x[j] + alphaAff * affine.dx[j] - p.lower[j]) * (zl[j] + alphaAff * affine.dzl[j])
                }
                if hasUpper[j] {
                    gapAff += (p.upper[j] - x[j] - alphaAff * affine.dx[j]) * (zu[j] + alphaAff * affine.dzu[j])
                }
            }
            let muAff = bounded > 0 ? gapAff / Double(bounded) : 0
            let sigma = mu > 0 ? min(1, pow3(muAff / mu)) : 0
            let step = direction(
                p, normal, x, zl, zu, rp, rd, theta, hasLower, hasUpper, sigmaMu: sigma * mu, correction: affine,
                regularization: regularization)
            let alpha = stepLength(p, x, zl, zu, step, hasLower, hasUpper, fraction: 0.995)
            trace?(iterations, rpMax, rdMax, mu, alpha)
            for j in 0..<n {
                x[j] += alpha * step.dx[j]
                zl[j] += alpha * step.dzl[j]
                zu[j] += alpha * step.dzu[j]
            }
            for i in 0..<m { y[i] += alpha * step.dy[i] }
        }
        if !converged, let acceptable {
            return Result(x: acceptable.x, y: acceptable.y, iterations: iterations, converged: true, objective: objectiveValue(p, acceptable.x))
        }
        return Result(x: x, y: y, iterations: iterations, converged: converged, objective: objectiveValue(p, x))
    }

    private struct Direction {
        var dx: [Double]
        var dy: [Double]
        var dzl: [Double]
        var dzu: [Double]
    }

    private func pow3(_ v: Double) -> Double { v * v * v }

    private func objectiveValue(_ p: SparseQP, _ x: [Double]) -> Double {
        var f = 0.0
        for j in 0..<p.columnCount { f += p.cost[j] * x[j] + 0.5 * p.quadratic[j] * x[j] * x[j] }
        return f
    }

    /// The Newton direction for the centring target σμ, with Mehrotra's second-order term from `correction`.
    private func direction<N: NormalEquations>(
        _ p: SparseQP, _ normal: N, _ x: [Double], _ zl: [Double], _ zu: [Double], _ rp: [Double], _ rd: [Double],
        _ theta: [Double], _ hasLower: [Bool], _ hasUpper: [Bool], sigmaMu: Double, correction: Direction?,
        regularization: Double
    ) -> Direction {
        let n = p.columnCount
        var al = [Double](repeating: 0, count: n)
        var au = [Double](repeating: 0, count: n)
        var xi = [Double](repeating: 0, count: n)
        for j in 0..<n {
            if hasLower[j] {
                let s = x[j] - p.lower[j]
                let corr = correction.map { $0.dx[j] * $0.dzl[j] } ?? 0
                al[j] = (sigmaMu - s * zl[j] - corr) / s
            }
            if hasUpper[j] {
                let s = p.upper[j] - x[j]
                let corr = correction.map { -$0.dx[j] * $0.dzu[j] } ?? 0
                au[j] = (sigmaMu - s * zu[j] - corr) / s
            }
            xi[j] = -rd[j] + al[j] - au[j]
        }
        // A Θ Aᵀ Δy = −r_p − A Θ ξ
        var thetaXi = [Double](repeating: 0, count: n)
        for j in 0..<n { thetaXi[j] = theta[j] * xi[j] }
        let aThetaXi = p.multiply(thetaXi)
        var rhs = [Double](repeating: 0, count: p.rowCount)
        for i in 0..<p.rowCount { rhs[i] = -rp[i] - aThetaXi[i] }
        var dy = rhs
        normal.solve(&dy)
        // Iterative refinement against the exact A Θ Aᵀ: near the end Θ spans many decades and the factorisation
        // loses digits; two corrections recover them at the cost of two products with A and Aᵀ each.
        for _ in 0..<2 {
            var product = p.multiplyTransposed(dy)
            for j in 0..<n { product[j] *= theta[j] }
            let m = p.multiply(product)
            var residual = rhs
            var largest = 0.0
            for i in 0..<p.rowCount {
                residual[i] -= m[i] + regularization * dy[i]
                largest = max(largest, abs(residual[i]))
            }
            guard largest > 0, largest.isFinite else { break }
            normal.solve(&residual)
            for i in 0..<p.rowCount { dy[i] += residual[i] }
        }
        let atdy = p.multiplyTransposed(dy)
        var dx = [Double](repeating: 0, count: n)
        var dzl = [Double](repeating: 0, count: n)
        var dzu = [Double](repeating: 0, count: n)
        for j in 0..<n {
            dx[j] = theta[j] * (atdy[j] + xi[j])
            if hasLower[j] { dzl[j] = al[j] - zl[j] / (x[j] - p.lower[j]) * dx[j] }
            if hasUpper[j] { dzu[j] = au[j] + zu[j] / (p.upper[j] - x[j]) * dx[j] }
        }
        return Direction(dx: dx, dy: dy, dzl: dzl, dzu: dzu)
    }

    /// The largest α ≤ 1 (times `fraction`) that keeps every slack and bound multiplier positive.
    private func stepLength(
        _ p: SparseQP, _ x: [Double], _ zl: [Double], _ zu: [Double], _ d: Direction, _ hasLower: [Bool],
        _ hasUpper: [Bool], fraction: Double
    ) -> Double {
        var alpha = 1.0
        for j in 0..<p.columnCount {
            if hasLower[j] {
                if d.dx[j] < 0 { alpha = min(alpha, -(x[j] - p.lower[j]) / d.dx[j]) }
                if d.dzl[j] < 0 { alpha = min(alpha, -zl[j] / d.dzl[j]) }
            }
            if hasUpper[j] {
                if d.dx[j] > 0 { alpha = min(alpha, (p.upper[j] - x[j]) / d.dx[j]) }
                if d.dzu[j] < 0 { alpha = min(alpha, -zu[j] / d.dzu[j]) }
            }
        }
        return min(1, fraction * alpha)
    }
}
