/// Level 2 of the plan: given a transformer's EV total P, the per-phase powers x that make the phase loads as
/// equal as they can be,
///
///     minimise Σ_φ (b_φ + x_φ)²   subject to   Σ_φ x_φ = P,  x in the transformer's `PhasePolytope`,
///
/// with b the household load per phase. The objective is strictly convex, so the minimiser is unique; with three
/// unknowns and one equality it lies on a face of a polygon: its inside, an edge (one active constraint) or a
/// vertex (two). Every such face's stationary point is computed in closed form and the feasible one with the
/// lowest objective is the optimum: an exact enumeration of at most 1 + 12 + 66 candidates.
enum PhaseSplit {
    static func solve(polytope: PhasePolytope, householdKW b: SIMD3<Double>, totalKW: Double) -> SIMD3<Double> {
        let rows = polytope.rows.map { (a: $0.a, beta: $0.beta + ($0.a * b).sum()) }  // in phase loads L = b + x
        let sum = totalKW + b.sum()
        let scale = max(1, abs(sum), rows.reduce(0) { max($0, abs($1.beta).isFinite ? abs($1.beta) : 0) })
        let tolerance = 1e-9 * scale
        func feasible(_ l: SIMD3<Double>) -> Bool { rows.allSatisfy { ($0.a * l).sum() <= $0.beta + tolerance } }

        var best: SIMD3<Double>?
        var bestValue = Double.infinity
        func consider(_ l: SIMD3<Double>?) {
            guard let l, l.x.isFinite, l.y.isFinite, l.z.isFinite, feasible(l) else { return }
            let value = (l * l).sum()
            if value < bestValue {
                bestValue = value
                best = l
            }
        }
        let ones = SIMD3<Double>(repeating: 1)
        consider(SIMD3(repeating: sum / 3))
        for i in rows.indices {
            consider(minimumNorm(ones, sum, rows[i].a, rows[i].beta))
        }
        for i in rows.indices {
            for j in rows.indices where j > i {
                consider(solve3(ones, sum, rows[i].a, rows[i].beta, rows[j].a, rows[j].beta))
            }
        }
        // The tolerance lets a vertex stand a rounding error outside a box bound; snap it back, so that a phase
        // with nothing to move plans exactly 0.
        if let best { return pointwiseMin(pointwiseMax(best - b, polytope.lower), polytope.upper) }
        return fallback(polytope: polytope, totalKW: totalKW)
    }

    /// The point of least norm on {1·L = s, a·L = β}: L = s·u + t·a with the 2×2 normal equations.
    static func minimumNorm(_ u: SIMD3<Double>, _ s: Double, _ a: SIMD3<Double>, _ beta: Double) -> SIMD3<Double>? {
        let uu = (u * u).sum(), ua = (u * a).sum(), aa = (a * a).sum()
        let det = uu * aa - ua * ua
        guard abs(det) > 1e-12 * uu * aa else { return nil }
        let p = (s * aa - beta * ua) / det
        let q = (beta * uu - s * ua) / det
        return p * u + q * a
    }

    /// The point where three planes meet (Cramer's rule); nil when two of them are parallel.
    static func solve3(
        _ a1: SIMD3<Double>, _ b1: Double, _ a2: SIMD3<Double>, _ b2: Double, _ a3: SIMD3<Double>, _ b3: Double
    ) -> SIMD3<Double>? {
        func cross(_ u: SIMD3<Double>, _ v: SIMD3<Double>) -> SIMD3<Double> {
            SIMD3(u.y * v.z - u.z * v.y, u.z * v.x - u.x * v.z, u.x * v.y - u.y * v.x)
        }
        let c23 = cross(a2, a3)
        let det = (a1 * c23).sum()
        guard abs(det) > 1e-12 else { return nil }
        return (b1 * c23 + b2 * cross(a3, a1) + b3 * cross(a1, a2)) / det
    }

    /// A feasible split when rounding defeats the enumeration: between the componentwise smallest and largest
    /// feasible x (both feasible, so every mix of them is).
    static func fallback(polytope: PhasePolytope, totalKW: Double) -> SIMD3<Double> {
        guard let (low, high) = polytope.extremes() else { return SIMD3(repeating: totalKW / 3) }
        let span = high.sum() - low.sum()
        let t = span > 0 ? min(max((totalKW - low.sum()) / span, 0), 1) : 0
        return low + t * (high - low)
    }
}
