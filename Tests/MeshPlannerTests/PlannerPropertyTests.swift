import GridCore
import MeshPlannerTesting
import Testing
import TelemetryTesting
@testable import MeshPlanner

/// Properties over random neighborhoods and goals of every kind.
@Suite struct PlannerPropertyTests {
    static func instance(_ seed: Int) -> (NeighborhoodSnapshot, [NeighborhoodGoal]) {
        var random = SplitMix64(seed: UInt64(31_000 + seed))
        var shape = SyntheticNeighborhood.Shape(transformers: 2 + random.below(7), chargersPerTransformer: 0...16)
        shape.balanceLimitKW = random.chance(0.5) ? 3...40 : nil
        shape.threePhaseShare = 0.2
        shape.departureH = 0.1...10
        let snapshot = SyntheticNeighborhood.snapshot(shape, seed: UInt64(seed), now: Fixture.now)
        let kw = 300 * random.uniform()
        var goals: [NeighborhoodGoal] = []
        switch random.below(4) {
        case 0: goals.append(Fixture.goal("discharge", .discharge(kilowatts: kw)))
        case 1: goals.append(Fixture.goal("absorb", .absorb(kilowatts: kw)))
        case 2: goals.append(Fixture.goal("schedule", .schedule([ScheduleStep(at: Fixture.now + -600, powerKW: kw - 150)])))
        default: break
        }
        if random.chance(0.4) { goals.append(Fixture.goal("cap", .importCap(kilowatts: 100 + 600 * random.uniform()))) }
        return (snapshot, goals)
    }

    @Test(arguments: 0..<150)
    func neverBelowAnEVsDepartureNeed(seed: Int) throws {
        let (snapshot, goals) = Self.instance(seed)
        let plan = MeshPlanner.plan(snapshot, goals: goals, now: Fixture.now)
        for allocation in plan.transformers where allocation.plannedKW != nil {
            let report = snapshot.transformers.first { $0.id == allocation.id }!
            let envelope = allocation.envelopeKW!
            let powers = try #require(Self.disaggregate(allocation, report), "seed \(seed) \(allocation.id): no charger powers give the plan")
            for (charger, p) in zip(report.chargers, powers) {
                let floor = Fixture.departureFloorKW(charger)
                #expect(p >= floor - 1e-6, "seed \(seed) \(allocation.id)/\(charger.id): \(p) kW below its need floor \(floor)")
                // The agent reads an upper bound ≤ 0 as "no charging here": never on a phase with an EV that must charge.
                if floor > 0 {
                    for phase in charger.connection.phases {
                        #expect(envelope[phase].upperKW > 0, "seed \(seed) \(allocation.id)/\(charger.id): phase \(phase) closed to charging")
                    }
                }
                // A charger follows its phase's sign: the agent forbids the other direction.
                for phase in charger.connection.phases {
                    if envelope[phase].upperKW <= 0 { #expect(p <= 1e-9) }
                    if envelope[phase].lowerKW >= 0, plan.envelopeShape == .exact { #expect(p >= -1e-9) }
                }
            }
        }
    }

    /// Charger powers that add up to the planned phase powers, each within its own bounds and the mode's sign
    /// (nil if there are none): z for the three-phase chargers first, then each phase's single-phase chargers.
    static func disaggregate(_ allocation: TransformerAllocation, _ report: TransformerReport) -> [Double]? {
        let feasible = SplitFeasibility(report, mode: allocation.mode!)
        let x = allocation.x
        var zLow = feasible.lowZ, zHigh = feasible.highZ
        for i in 0..<3 {
            zLow = max(zLow, 3 * (x[i] - feasible.highY[i]))
            zHigh = min(zHigh, 3 * (x[i] - feasible.lowY[i]))
        }
        guard zLow <= zHigh + 1e-6 else { return nil }
        let z = min(max(0, zLow), zHigh)
        let bounds = report.chargers.map { ChargerBounds($0, now: Fixture.now, horizonH: 0.25) }
        var mustCharge = SIMD3<Double>.zero
        for (c, b) in zip(report.chargers, bounds) where b.lowerKW > 0 {
            for phase in c.connection.phases { mustCharge[phase.index] = 1 }
        }
        func share(_ total: Double, _ low: Double, _ high: Double, _ l: Double, _ h: Double) -> Double {
            high > low ? l + (h - l) * min(max((total - low) / (high - low), 0), 1) : l
        }
        return zip(report.chargers, bounds).map { c, b in
            switch c.connection {
            case .threePhase:
                let (l, h) = allocation.mode == .charging ? (max(b.lowerKW, 0), b.upperKW)
                    : allocation.mode == .discharging ? (b.lowerKW, min(b.upperKW, 0)) : (0, 0)
                return share(z, feasible.lowZ, feasible.highZ, l, h)
            case .single(let phase):
                let i = phase.index
                let charges = allocation.mode == .charging || (allocation.mode == .mixed && mustCharge[i] > 0)
                let (l, h) = charges ? (max(b.lowerKW, 0), b.upperKW) : (b.lowerKW, min(b.upperKW, 0))
                return share(x[i] - z / 3, feasible.lowY[i], feasible.highY[i], l, h)
            }
        }
    }

    @Test(arguments: 0..<150)
    func neverOverATransformersThermalLimit(seed: Int) {
        let (snapshot, goals) = Self.instance(seed)
        let plan = MeshPlanner.plan(snapshot, goals: goals, now: Fixture.now)
        for allocation in plan.transformers {
            guard let p = allocation.plannedKW else { continue }
            let report = snapshot.transformers.first { $0.id == allocation.id }!
            let peak = Fixture.forecastHotSpot(report, evKW: p)
            #expect(peak <= report.thermal.hotSpotLimitC - report.thermal.marginK + 1e-9, "seed \(seed) \(allocation.id): \(peak) °C")
            #expect(close(peak, allocation.forecastHotSpotC, 1e-9))
        }
    }

    @Test(arguments: 0..<150)
    func aShortfallExactlyWhenTheTargetIsOutOfReach(seed: Int) throws {
        let (snapshot, goals) = Self.instance(seed)
        let plan = MeshPlanner.plan(snapshot, goals: goals, now: Fixture.now)
        guard let range = plan.totals.evRangeKW, let planned = plan.totals.evPlannedKW else { return }
        #expect(close(range.lowerKW, plan.transformers.reduce(0) { $0 + $1.rangeKW!.lowerKW }, 1e-12))
        #expect(close(planned, plan.transformers.reduce(0) { $0 + $1.plannedKW! }, 1e-9))
        let resolved = ResolvedGoals(goals, at: Fixture.now)
        if let goal = plan.goal, let (_, target) = resolved.power {
            let trimmed = plan.conflicts.contains { $0.resolution == .trimmedByCap }
            let effective = trimmed ? planned : target
            let reachable = range.contains(effective)
            #expect((goal.shortfallKW > 0) == (!reachable || trimmed), "seed \(seed)")
            #expect(goal.met == (goal.shortfallKW == 0))
            if !reachable {
                // Every transformer is held at its limit in the shortfall's direction, and the reason is one of theirs.
                let up = effective > range.upperKW
                for t in plan.transformers { #expect(t.plannedKW! == (up ? t.rangeKW!.upperKW : t.rangeKW!.lowerKW)) }
                #expect(goal.reason != nil && goal.reason != .importCap)
            }
        }
        if let cap = plan.importCap, cap.binding {
            #expect((cap.shortfallKW > 0) == (cap.importKW > cap.limitKW + 1e-9))
        }
    }

    @Test(arguments: 0..<40)
    func aWarmerTransformerShedsToTheOthers(seed: Int) {
        var (snapshot, _) = Self.instance(seed)
        let discharge = seed % 2 == 0
        let total = snapshot.transformers.count
        guard total >= 2 else { return }
        let goal = Fixture.goal("g", discharge ? .discharge(kilowatts: 5 + Double(seed)) : .absorb(kilowatts: 40 + Double(seed)))
        var previous: NeighborhoodPlan?
        let start = snapshot.transformers[0].thermal.ambientC
        for step in 0..<12 {
            snapshot.transformers[0].thermal.ambientC = min(60, start + 2.5 * Double(step))
            let plan = MeshPlanner.plan(snapshot, goals: [goal], now: Fixture.now)
            guard let first = plan.transformers.first, first.id == "tx-0", plan.goal?.met == true else { break }
            if let previous, previous.transformers.first?.mode == first.mode, previous.transformers.map(\.id) == plan.transformers.map(\.id) {
                let sign = discharge ? 1.0 : -1.0
                // Its share shrinks (towards zero in the goal's direction) and no other transformer's does.
                #expect(sign * (first.plannedKW! - previous.transformers[0].plannedKW!) >= -1e-9, "seed \(seed) step \(step)")
                for (now, before) in zip(plan.transformers.dropFirst(), previous.transformers.dropFirst()) {
                    #expect(sign * (now.plannedKW! - before.plannedKW!) <= 1e-9, "seed \(seed) step \(step) \(now.id)")
                }
                #expect(close(plan.totals.evPlannedKW!, previous.totals.evPlannedKW!, 1e-9))
            }
            previous = plan
        }
    }

    @Test(arguments: 0..<30)
    func samePlanForTheSameInputInAnyGoalOrder(seed: Int) {
        let (snapshot, goals) = Self.instance(seed)
        let extra = goals + [Fixture.goal("later-schedule", .schedule([ScheduleStep(at: Fixture.now + -1200, powerKW: 10)]), from: -1200)]
        let a = MeshPlanner.plan(snapshot, goals: extra, now: Fixture.now)
        let b = MeshPlanner.plan(snapshot, goals: extra.reversed(), now: Fixture.now)
        #expect(a == b)
    }
}
