public import GridCore

/// The neighborhood planner: one pure, deterministic pass from a snapshot, the goals and the time to the envelopes
/// (docs/neighborhood.md). `v2g-adm dispatch plan` calls `plan`; the aggregator's planning service, not built yet, is
/// to call the same function.
///
/// The pass, in order:
/// 1. leave out stale transformers and those whose limits cannot be met together (reported);
/// 2. resolve the goals in force by precedence (`ResolvedGoals`);
/// 3. choose the pass: discharge when the target is below what the EVs that must charge draw, absorb otherwise;
/// 4. level 1: share the target across transformers, minimising Σ P_i²/h_i within each one's exact range
///    (`HeadroomAllocation`); a target out of reach is met as far as the limits allow and the rest reported;
/// 5. level 2: split each P_i across phases, minimising Σ (b_φ + x_φ)² (`PhaseSplit`);
/// 6. the envelope per phase, and the figures.
public enum MeshPlanner {
    /// The least weight h_i, in kW (1 W).
    public static let minimumHeadroomKW = 0.001

    public static func plan(
        _ snapshot: NeighborhoodSnapshot, goals: [NeighborhoodGoal], now: Timestamp, settings: PlannerSettings = .init()
    ) -> NeighborhoodPlan {
        let settings = settings.clamped
        var prepared: [PreparedTransformer] = []
        var leftOut: [LeftOutTransformer] = []
        prepared.reserveCapacity(snapshot.transformers.count)
        for report in snapshot.transformers {
            switch PreparedTransformer.prepare(report, now: now, settings: settings) {
            case .ready(let t): prepared.append(t)
            case .leftOut(let out): leftOut.append(out)
            }
        }
        let resolved = ResolvedGoals(goals, at: now)
        var conflicts = resolved.conflicts
        let householdKW = prepared.reduce(0) { $0 + $1.householdKW.sum() }
        let leftOutImportKW = leftOut.reduce(0) { $0 + $1.importKW }
        // What the EV fleet may add before the cap breaks.
        let capRoomKW = resolved.cap.map { $0.limitKW - householdKW - leftOutImportKW }
        let mostChargingKW = prepared.reduce(0) { $0 + ($1.charging.range?.upperKW ?? $1.discharging.range?.upperKW ?? 0) }

        // The target and the envelope's shape.
        var targetKW: Double?
        var shape: NeighborhoodPlan.EnvelopeShape?
        var capBinds = false
        if let (goal, target) = resolved.power {
            targetKW = target
            shape = .exact
            if let capRoomKW, let cap = resolved.cap, target > capRoomKW {
                targetKW = capRoomKW
                capBinds = true
                conflicts.append(GoalConflict(
                    goal: goal.id, yieldsTo: cap.goal.id, resolution: .trimmedByCap,
                    detail: "EV target \(format(target)) kW cut to \(format(capRoomKW)) kW to keep the import ≤ \(format(cap.limitKW)) kW"))
            }
        } else if let capRoomKW, mostChargingKW > capRoomKW {
            targetKW = capRoomKW
            shape = .ceiling
            capBinds = true
        }

        let idleKW = prepared.reduce(0) { $0 + $1.pools.needKW }
        let pass: NeighborhoodPlan.Pass = targetKW.map { $0 < idleKW ? .discharge : .absorb } ?? .none
        let direction = pass == .discharge ? -1.0 : 1.0

        // Level 1.
        let modes = prepared.map { $0.modeRange(for: pass) }
        let lower = modes.map { $0.range?.lowerKW ?? 0 }
        let upper = modes.map { $0.range?.upperKW ?? 0 }
        let weights = prepared.map { $0.headroomKW(pass) }
        let lowestKW = lower.reduce(0, +)
        let highestKW = upper.reduce(0, +)
        var plannedTotalKW: Double?
        var powers: [Double] = []
        var multiplier = 0.0
        if let targetKW {
            let reachable = min(max(targetKW, lowestKW), highestKW)
            plannedTotalKW = reachable
            (powers, multiplier) = HeadroomAllocation.solve(lower: lower, upper: upper, weight: weights, target: reachable)
        }

        // Level 2, the envelopes and the figures.
        var allocations: [TransformerAllocation] = []
        allocations.reserveCapacity(prepared.count)
        var objective = 0.0
        for (i, t) in prepared.enumerated() {
            let mode = modes[i]
            let h = weights[i]
            var allocation = TransformerAllocation(
                id: t.report.id, mode: nil, plannedKW: nil, phaseKW: nil, envelopeKW: nil, reactiveBiasPU: 0, rangeKW: nil,
                thermalKW: t.thermalKW, headroomKW: h, headroomUsedPercent: nil, householdKW: perPhase(t.householdKW),
                evNeedKW: t.pools.needKW, maxLoadPU: t.thermal.maxLoadPU, forecastHotSpotC: 0, hotSpotAimC: t.thermal.aimC,
                limit: nil, evLimit: nil, evNeedsUnreachable: t.bounds.filter(\.needUnreachable).count)
            var loadKW = t.householdKW.sum() + t.report.chargers.reduce(0) { $0 + ($1.online ? $1.powerKW : 0) }
            if pass != .none, let range = mode.range {
                let p = powers[i]
                objective += p * p / h
                let x = PhaseSplit.solve(polytope: mode.polytope, householdKW: t.householdKW, totalKW: p)
                loadKW = t.householdKW.sum() + p
                allocation.mode = mode.mode
                allocation.plannedKW = p
                allocation.phaseKW = perPhase(x)
                allocation.rangeKW = range
                allocation.headroomUsedPercent = 100 * direction * p / h
                allocation.envelopeKW = PerPhase { phase in
                    let planned = x[phase.index]
                    return shape == .ceiling
                        ? KilowattInterval(min(t.pools.physicalLow[phase.index], planned), planned)
                        : KilowattInterval(planned, planned)
                }
                let bound = direction > 0 ? range.upperKW : range.lowerKW
                if abs(p - bound) <= 1e-9 * max(1, abs(bound)) {
                    let limit = t.limit(mode, direction: direction)
                    allocation.limit = limit
                    if limit == .evFleet { allocation.evLimit = t.evLimit(mode.mode, direction: direction) }
                }
            }
            allocation.forecastHotSpotC = t.thermal.forecastPeakC(
                loadKVA: (loadKW * loadKW + t.reactiveKvar * t.reactiveKvar).squareRoot())
            allocations.append(allocation)
        }

        // Outcomes.
        let goalOutcome: GoalOutcome? = resolved.power.map { goal, target in
            let planned = plannedTotalKW ?? 0
            let shortfall = abs(target - planned)
            var reason: PlanLimit?
            var binding: [BindingCount] = []
            if let targetKW, targetKW != planned || prepared.isEmpty {
                binding = bindingCounts(prepared, modes, direction: targetKW > planned ? 1 : -1)
                reason = prepared.isEmpty ? .noTransformers : binding.first?.limit
            } else if shortfall > 0 {
                reason = .importCap
            }
            return GoalOutcome(
                goal: goal.id, kind: goal.kind, targetKW: target, plannedKW: planned, shortfallKW: shortfall, met: shortfall == 0,
                reason: reason, binding: binding)
        }
        let capOutcome: CapOutcome? = resolved.cap.map { goal, limit in
            let evKW = plannedTotalKW ?? mostChargingKW
            let importKW = householdKW + leftOutImportKW + evKW
            let shortfall = max(0, evKW - (capRoomKW ?? evKW))
            return CapOutcome(
                goal: goal.id, limitKW: limit, importKW: importKW, binding: capBinds, shortfallKW: shortfall, met: shortfall == 0,
                reason: shortfall > 0 ? (prepared.isEmpty ? .noTransformers : bindingCounts(prepared, modes, direction: -1).first?.limit) : nil)
        }
        let totals = NeighborhoodPlan.Totals(
            householdKW: householdKW, evPlannedKW: plannedTotalKW,
            evRangeKW: pass == .none ? nil : KilowattInterval(lowestKW, highestKW),
            importKW: plannedTotalKW.map { householdKW + leftOutImportKW + $0 }, leftOutImportKW: leftOutImportKW)
        return NeighborhoodPlan(
            time: now, horizonMinutes: settings.horizonMinutes, pass: pass, envelopeShape: pass == .none ? nil : shape,
            objectiveKW: objective, multiplier: multiplier, goal: goalOutcome, importCap: capOutcome, conflicts: conflicts,
            transformers: allocations, leftOut: leftOut, totals: totals)
    }

    /// How many transformers each limit holds at their bound in `direction`, most first.
    static func bindingCounts(
        _ prepared: [PreparedTransformer], _ modes: [PreparedTransformer.ModeRange], direction: Double
    ) -> [BindingCount] {
        var counts: [PlanLimit: Int] = [:]
        for (t, mode) in zip(prepared, modes) { counts[t.limit(mode, direction: direction), default: 0] += 1 }
        return PlanLimit.allCases.compactMap { limit in counts[limit].map { BindingCount(limit: limit, transformers: $0) } }
            .sorted { $0.transformers > $1.transformers }
    }

    static func perPhase(_ v: SIMD3<Double>) -> PerPhase<Double> { PerPhase(a: v.x, b: v.y, c: v.z) }
}
