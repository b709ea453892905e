/// Phase I of the solver: move unreachable general limits to the nearest achievable value, then build a start point
/// inside every box that meets the (relaxed) limits. Exact and O(n), because of the structure:
/// - a row's value depends only on four group sums, s_A, s_B, s_C (single-phase chargers) and T (three-phase
///   chargers), each free in [Σlo, Σhi] of its group, independently of the others;
/// - phase row p is s_p + T/3 and the total is s_A + s_B + s_C + T, so T is the only coupling. Phase p can be met
///   iff T ∈ 3·[L_p − Σhi_p, U_p − Σlo_p]. The phase rows are taken in the order A, B, C; each is moved to the nearest
///   value reachable with the boxes and the rows already accepted, which narrows the interval I_T of usable T;
/// - for a given T the total ranges over [low(T), high(T)], low(T) = T + Σ_p max(Σlo_p, L_p − T/3),
///   high(T) = T + Σ_p min(Σhi_p, U_p − T/3). Both are piecewise linear and nondecreasing (slopes 0 to 1), so the
///   reachable total is [low(min I_T), high(max I_T)] and the total limit is moved into it last.
/// Precedence when limits conflict is therefore phase A, B, C, then total.
enum BalancingFeasibility {
    /// Relaxes `model`'s rows in place and returns a start point near `clamped` (the clamped requests).
    static func prepare(_ m: inout BalancingModel, clamped: [Double]) -> (start: [Double], relaxations: [BalancingRelaxation]) {
        var relaxations: [BalancingRelaxation] = []
        let gLo = array(m.groupSums(m.lo))
        let gHi = array(m.groupSums(m.hi))
        let gNow = array(m.groupSums(clamped))
        var tLo = gLo[3]
        var tHi = gHi[3]
        for p in 0..<3 {
            relax(&m, row: p, reachable: (gLo[p] + tLo / 3, gHi[p] + tHi / 3), into: &relaxations)
            let a = 3 * (m.rowLo[p] - gHi[p])
            let b = 3 * (m.rowHi[p] - gLo[p])
            if a > tHi {
                tLo = tHi  // only by rounding: the row was just made reachable
            } else if b < tLo {
                tHi = tLo
            } else {
                tLo = max(tLo, a)
                tHi = min(tHi, b)
            }
        }
        let rowLo = m.rowLo
        let rowHi = m.rowHi
        let low = { (t: Double) -> Double in
            t + max(gLo[0], rowLo[0] - t / 3) + max(gLo[1], rowLo[1] - t / 3) + max(gLo[2], rowLo[2] - t / 3)
        }
        let high = { (t: Double) -> Double in
            t + min(gHi[0], rowHi[0] - t / 3) + min(gHi[1], rowHi[1] - t / 3) + min(gHi[2], rowHi[2] - t / 3)
        }
        relax(&m, row: 3, reachable: (low(tLo), high(tHi)), into: &relaxations)
        let totalLo = m.rowLo[3]
        let totalHi = m.rowHi[3]

        // Three-phase sum: as close to the clamped plan's as the total allows.
        var t = min(max(gNow[3], tLo), tHi)
        if low(t) > totalHi {
            t = level(low, from: tLo, to: t, target: totalHi, breaks: (0..<3).map { 3 * (rowLo[$0] - gLo[$0]) })
        } else if high(t) < totalLo {
            t = level(high, from: t, to: tHi, target: totalLo, breaks: (0..<3).map { 3 * (rowHi[$0] - gHi[$0]) })
        }
        // Single-phase sums: clamp to what each phase row allows at this T, then shift to meet the total.
        var target = [0.0, 0, 0, t]
        var floor = [0.0, 0, 0]
        var ceiling = [0.0, 0, 0]
        for p in 0..<3 {
            floor[p] = min(max(gLo[p], rowLo[p] - t / 3), gHi[p])
            ceiling[p] = max(min(gHi[p], rowHi[p] - t / 3), floor[p])
            target[p] = min(max(gNow[p], floor[p]), ceiling[p])
        }
        let total = target[0] + target[1] + target[2] + t
        if total > totalHi {
            let room = (0..<3).reduce(0.0) { $0 + target[$1] - floor[$1] }
            let share = room > 0 ? min(1, (total - totalHi) / room) : 0
            for p in 0..<3 { target[p] -= share * (target[p] - floor[p]) }
        } else if total < totalLo {
            let room = (0..<3).reduce(0.0) { $0 + ceiling[$1] - target[$1] }
            let share = room > 0 ? min(1, (totalLo - total) / room) : 0
            for p in 0..<3 { target[p] += share * (ceiling[p] - target[p]) }
        }
        // Each group moves every charger the same fraction of its way to the group's bound.
        var up = [0.0, 0, 0, 0]
        var down = [0.0, 0, 0, 0]
        for g in 0..<4 {
            if target[g] > gNow[g], gHi[g] > gNow[g] { up[g] = min(1, (target[g] - gNow[g]) / (gHi[g] - gNow[g])) }
            if target[g] < gNow[g], gNow[g] > gLo[g] { down[g] = min(1, (gNow[g] - target[g]) / (gNow[g] - gLo[g])) }
        }
        var x = clamped
        for i in 0..<m.count {
            let g = m.group[i]
            let moved = x[i] + up[g] * (m.hi[i] - x[i]) - down[g] * (x[i] - m.lo[i])
            x[i] = min(max(moved, m.lo[i]), m.hi[i])
        }
        return (x, relaxations)
    }

    private static func array(_ s: (Double, Double, Double, Double)) -> [Double] { [s.0, s.1, s.2, s.3] }

    /// Moves a row's limits into the reachable range, recording the change.
    private static func relax(
        _ m: inout BalancingModel, row: Int, reachable: (Double, Double), into list: inout [BalancingRelaxation]
    ) {
        let lower = m.rowLo[row]
        let upper = m.rowHi[row]
        let newLower = lower > reachable.1 ? reachable.1 : lower
        let newUpper = upper < reachable.0 ? reachable.0 : upper
        guard newLower != lower || newUpper != upper else { return }
        m.rowLo[row] = newLower
        m.rowHi[row] = newUpper
        let limit: BalancingLimit = row == 3 ? .total : .phase(Phase.allCases[row])
        list.append(BalancingRelaxation(limit: limit, requestedKW: lower...upper, appliedKW: newLower...newUpper))
    }

    /// A point of [a, b] where the nondecreasing piecewise-linear `f` (kinks at `breaks`) equals `target`;
    /// `a` or `b` when the target lies outside f's range there.
    private static func level(
        _ f: (Double) -> Double, from a: Double, to b: Double, target: Double, breaks: [Double]
    ) -> Double {
        var points = [a]
        for k in breaks.sorted() where k.isFinite && k > a && k < b { points.append(k) }
        points.append(b)
        var previous = a
        var fPrevious = f(a)
        if fPrevious >= target { return a }
        for point in points.dropFirst() {
            let value = f(point)
            if value >= target {
                let slope = value - fPrevious
                let t = slope > 0 ? previous + (target - fPrevious) / slope * (point - previous) : point
                return min(max(t, previous), point)
            }
            previous = point
            fPrevious = value
        }
        return b
    }
}
