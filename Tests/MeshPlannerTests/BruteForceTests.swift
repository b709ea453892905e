import GridCore
import MeshPlannerTesting
import Testing
import TelemetryTesting
@testable import MeshPlanner

/// The planner's optimum against brute force on small random neighborhoods: level 1 against every pattern of
/// transformers at their lower limit, upper limit or free (3ⁿ candidates, each solved in closed form) and
/// against a grid; level 2 against a grid of phase splits whose feasibility is checked charger by charger.
@Suite struct BruteForceTests {
    static func shape(_ transformers: Int) -> SyntheticNeighborhood.Shape {
        var shape = SyntheticNeighborhood.Shape(transformers: transformers, chargersPerTransformer: 1...7)
        shape.ratedKVA = [50, 100]
        shape.balanceLimitKW = 2...30
        shape.threePhaseShare = 0.25
        return shape
    }

    static func goal(_ random: inout SplitMix64) -> NeighborhoodGoal {
        let kw = 5 + 60 * random.uniform()
        let action: NeighborhoodGoal.Action = random.chance(0.5) ? .discharge(kilowatts: kw) : .absorb(kilowatts: kw)
        return Fixture.goal("g", action)
    }

    /// The exact optimum of level 1 by enumerating which transformers sit at a limit.
    static func exhaustive(lower: [Double], upper: [Double], weight: [Double], target: Double) -> Double {
        let n = lower.count
        var best = Double.infinity
        var pattern = [Int](repeating: 0, count: n)
        func visit(_ i: Int) {
            if i < n {
                for status in 0..<3 {
                    pattern[i] = status
                    visit(i + 1)
                }
                return
            }
            var fixed = 0.0, free = 0.0
            for j in 0..<n {
                switch pattern[j] {
                case 0: fixed += lower[j]
                case 1: fixed += upper[j]
                default: free += weight[j]
                }
            }
            let lambda = free > 0 ? (target - fixed) / free : 0
            if free == 0, abs(fixed - target) > 1e-9 { return }
            var value = 0.0
            for j in 0..<n {
                let p = pattern[j] == 0 ? lower[j] : pattern[j] == 1 ? upper[j] : lambda * weight[j]
                guard p >= lower[j] - 1e-9, p <= upper[j] + 1e-9 else { return }
                value += p * p / weight[j]
            }
            best = min(best, value)
        }
        visit(0)
        return best
    }

    @Test(arguments: 0..<60)
    func levelOneMatchesExhaustiveEnumeration(seed: Int) throws {
        var random = SplitMix64(seed: UInt64(9_000 + seed))
        let n = 1 + random.below(5)
        let snapshot = SyntheticNeighborhood.snapshot(Self.shape(n), seed: UInt64(seed), now: Fixture.now)
        let plan = MeshPlanner.plan(snapshot, goals: [Self.goal(&random)], now: Fixture.now)
        guard plan.pass != .none, !plan.transformers.isEmpty else { return }
        let lower = plan.transformers.map { $0.rangeKW!.lowerKW }
        let upper = plan.transformers.map { $0.rangeKW!.upperKW }
        let weight = plan.transformers.map(\.headroomKW)
        let planned = plan.totals.evPlannedKW!
        let best = Self.exhaustive(lower: lower, upper: upper, weight: weight, target: planned)
        #expect(abs(plan.objectiveKW - best) <= 1e-9 * max(1, best), "seed \(seed): \(plan.objectiveKW) vs \(best)")
        // A grid over the first n − 1 powers (the last takes the rest) never beats it.
        if n <= 3 {
            let steps = 60
            func grid(_ i: Int, _ sum: Double, _ value: Double) -> Double {
                if i == n - 1 {
                    let p = planned - sum
                    guard p >= lower[i] - 1e-9, p <= upper[i] + 1e-9 else { return .infinity }
                    return value + p * p / weight[i]
                }
                var best = Double.infinity
                for k in 0...steps {
                    let p = lower[i] + (upper[i] - lower[i]) * Double(k) / Double(steps)
                    best = min(best, grid(i + 1, sum + p, value + p * p / weight[i]))
                }
                return best
            }
            let gridBest = grid(0, 0, 0)
            #expect(plan.objectiveKW <= gridBest + 1e-9 * max(1, gridBest))
        }
    }

    @Test(arguments: 0..<40)
    func levelTwoMatchesAGridOfFeasibleSplits(seed: Int) throws {
        var random = SplitMix64(seed: UInt64(7_000 + seed))
        let snapshot = SyntheticNeighborhood.snapshot(Self.shape(2), seed: UInt64(500 + seed), now: Fixture.now)
        let plan = MeshPlanner.plan(snapshot, goals: [Self.goal(&random)], now: Fixture.now)
        for allocation in plan.transformers {
            let report = snapshot.transformers.first { $0.id == allocation.id }!
            let b = Fixture.household(report)
            let x = allocation.x
            let feasibility = SplitFeasibility(report, mode: allocation.mode!)
            #expect(feasibility.contains(x, tolerance: 1e-6), "seed \(seed) \(allocation.id): plan \(x) infeasible")
            let value = ((b + x) * (b + x)).sum()
            // Grid over x_a, x_b within the phase boxes; x_c takes the rest.
            let p = x.sum()
            let steps = 80
            let low = feasibility.lower, high = feasibility.upper
            var gridBest = Double.infinity
            for i in 0...steps {
                for j in 0...steps {
                    let xa = low.x + (high.x - low.x) * Double(i) / Double(steps)
                    let xb = low.y + (high.y - low.y) * Double(j) / Double(steps)
                    let candidate = SIMD3(xa, xb, p - xa - xb)
                    guard feasibility.contains(candidate, tolerance: 1e-9) else { continue }
                    gridBest = min(gridBest, ((b + candidate) * (b + candidate)).sum())
                }
            }
            #expect(value <= gridBest + 1e-6 * max(1, gridBest), "seed \(seed) \(allocation.id): \(value) vs grid \(gridBest)")
        }
    }

    @Test(arguments: 0..<30)
    func rangesMatchAGridOfFeasiblePhasePowers(seed: Int) throws {
        let snapshot = SyntheticNeighborhood.snapshot(Self.shape(1), seed: UInt64(800 + seed), now: Fixture.now)
        let plan = MeshPlanner.plan(snapshot, goals: [Fixture.goal("g", seed % 2 == 0 ? .discharge(kilowatts: 500) : .absorb(kilowatts: 500))], now: Fixture.now)
        guard let allocation = plan.transformers.first else { return }
        let report = snapshot.transformers[0]
        let feasibility = SplitFeasibility(report, mode: allocation.mode!)
        let range = allocation.rangeKW!
        let steps = 40
        var lowest = Double.infinity, highest = -Double.infinity
        let low = feasibility.lower, high = feasibility.upper
        for i in 0...steps {
            for j in 0...steps {
                for k in 0...steps {
                    let x = low + (high - low) * SIMD3(Double(i), Double(j), Double(k)) / Double(steps)
                    guard feasibility.contains(x, tolerance: 1e-9) else { continue }
                    lowest = min(lowest, x.sum())
                    highest = max(highest, x.sum())
                }
            }
        }
        let step = ((high - low) / Double(steps)).sum()
        #expect(range.lowerKW <= lowest + 1e-9 && lowest <= range.lowerKW + 3 * step + 1e-9, "seed \(seed)")
        #expect(range.upperKW >= highest - 1e-9 && highest >= range.upperKW - 3 * step - 1e-9, "seed \(seed)")
    }
}

/// Whether per-phase EV powers x are feasible, checked from the chargers: the mode's sign per phase, each charger
/// within its bounds, three-phase chargers sharing one power, the balance limit (relaxed to the idle plan) and the
/// thermal interval. Written from the rules in docs/neighborhood.md, not from the planner's polytope.
struct SplitFeasibility {
    let report: TransformerReport
    let mode: FleetMode
    let household: SIMD3<Double>
    var lowY = SIMD3<Double>.zero, highY = SIMD3<Double>.zero
    var lowZ = 0.0, highZ = 0.0
    let balance: Double
    let thermal: (lower: Double, upper: Double)

    init(_ report: TransformerReport, mode: FleetMode) {
        self.report = report
        self.mode = mode
        household = Fixture.household(report)
        balance = report.phaseBalanceLimitKW ?? 0.2 * report.ratedKVA / 3
        thermal = Fixture.thermalInterval(report)
        let bounds = report.chargers.map { ChargerBounds($0, now: Fixture.now, horizonH: 0.25) }
        var mustCharge = SIMD3<Double>.zero
        for (c, b) in zip(report.chargers, bounds) where b.lowerKW > 0 {
            for phase in c.connection.phases { mustCharge[phase.index] = 1 }
        }
        for (c, b) in zip(report.chargers, bounds) {
            var (low, high) = (b.lowerKW, b.upperKW)
            switch c.connection {
            case .single(let phase):
                let charges = mode == .charging || (mode == .mixed && mustCharge[phase.index] > 0)
                if charges { low = max(low, 0) } else { high = min(high, 0) }
                lowY[phase.index] += low
                highY[phase.index] += high
            case .threePhase:
                switch mode {
                case .charging: low = max(low, 0)
                case .discharging: high = min(high, 0)
                case .mixed: (low, high) = (0, 0)
                }
                lowZ += low
                highZ += high
            }
        }
    }

    var lower: SIMD3<Double> { lowY + SIMD3(repeating: lowZ / 3) }
    var upper: SIMD3<Double> { highY + SIMD3(repeating: highZ / 3) }

    func contains(_ x: SIMD3<Double>, tolerance: Double) -> Bool {
        // Some z in [lowZ, highZ] with every y = x − z/3 in its phase's bounds.
        var zLow = lowZ, zHigh = highZ
        for i in 0..<3 {
            zLow = max(zLow, 3 * (x[i] - highY[i]))
            zHigh = min(zHigh, 3 * (x[i] - lowY[i]))
        }
        guard zLow <= zHigh + 3 * tolerance else { return false }
        let idle = pointwiseMin(pointwiseMax(.zero, lowY), highY) + SIMD3(repeating: min(max(0, lowZ), highZ) / 3)
        let load = household + x
        let idleLoad = household + idle
        for i in 0..<3 {
            for j in 0..<3 where i != j {
                guard load[i] - load[j] <= max(balance, idleLoad[i] - idleLoad[j]) + tolerance else { return false }
            }
        }
        return x.sum() >= thermal.lower - tolerance && x.sum() <= thermal.upper + tolerance
    }
}
