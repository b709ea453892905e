/// Level 1 of the plan: the goal shared across transformers,
///
///     minimise Σ_i P_i² / h_i   subject to   Σ_i P_i = T,  Lo_i ≤ P_i ≤ Hi_i,
///
/// with h_i > 0 each transformer's headroom. Its KKT conditions say P_i = clamp(λ·h_i, Lo_i, Hi_i) for one λ:
/// every transformer away from its limits uses the same fraction λ of its headroom. Σ_i clamp(λ·h_i, …) is
/// continuous, piecewise linear and non-decreasing in λ, with breakpoints at Lo_i/h_i and Hi_i/h_i; sorting them
/// and walking the segments finds the λ that meets T exactly, in O(n log n).
enum HeadroomAllocation {
    /// `target` must lie within [Σ Lo, Σ Hi]; every weight must be > 0.
    static func solve(lower: [Double], upper: [Double], weight: [Double], target: Double) -> (powers: [Double], lambda: Double) {
        let n = lower.count
        guard n > 0 else { return ([], 0) }
        // At either end of the range every transformer sits at that limit, exactly.
        if target >= upper.reduce(0, +) { return (upper, multiplier(lower: lower, upper: upper, weight: weight, target: .infinity)) }
        if target <= lower.reduce(0, +) { return (lower, multiplier(lower: lower, upper: upper, weight: weight, target: -.infinity)) }
        let lambda = multiplier(lower: lower, upper: upper, weight: weight, target: target)
        var powers = [Double](repeating: 0, count: n)
        for i in 0..<n { powers[i] = min(max(lambda * weight[i], lower[i]), upper[i]) }
        return (powers, lambda)
    }

    static func multiplier(lower: [Double], upper: [Double], weight: [Double], target: Double) -> Double {
        let n = lower.count
        // Events: at Lo_i/h_i transformer i leaves its lower limit, at Hi_i/h_i it reaches its upper one.
        var events: [(at: Double, index: Int, reachesUpper: Bool)] = []
        events.reserveCapacity(2 * n)
        var offset = 0.0   // Σ of the limits held (all at Lo below every breakpoint)
        for i in 0..<n {
            events.append((lower[i] / weight[i], i, false))
            events.append((upper[i] / weight[i], i, true))
            offset += lower[i]
        }
        events.sort { $0.at != $1.at ? $0.at < $1.at : (!$0.reachesUpper && $1.reachesUpper) }
        if target <= offset { return events[0].at }
        var slope = 0.0   // Σ h_i over the free transformers
        var previous = events[0].at
        for event in events {
            // On [previous, event.at] the total is offset + slope·λ.
            let atEvent = offset + slope * event.at
            if atEvent >= target {
                return slope > 0 ? max(previous, min(event.at, (target - offset) / slope)) : previous
            }
            let i = event.index
            if event.reachesUpper {
                slope -= weight[i]
                offset += upper[i]
            } else {
                slope += weight[i]
                offset -= lower[i]
            }
            previous = event.at
        }
        return events[events.count - 1].at
    }
}
