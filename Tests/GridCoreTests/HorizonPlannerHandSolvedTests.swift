import Testing
@testable import GridCore

/// Cases small enough to solve by hand. κ = 1000/230 A per kW.
@Suite struct HorizonPlannerHandSolvedTests {
    static let kappa = 1000.0 / 230
    static let start = Timestamp(secondsSinceEpoch: 0)

    static func problem(_ evs: [PlannedEV], base: [PerPhase<Double>], stepS: Double = 3600) -> HorizonProblem {
        HorizonProblem(start: start, stepS: stepS, evs: evs, baseKW: base, nominalPhaseVoltageV: 230)
    }

    static func at(_ hours: Double) -> Timestamp { start + hours * 3600 }

    @Test("an EV on A against 10 kW on B: flat at 5 kW, where |X + 10∠−120°| is least (√75 κ)")
    func fillsTheLightPhase() {
        let ev = PlannedEV(id: "a", connection: .single(.a), maxChargeKW: 11, departure: Self.at(4), neededKWh: 20)
        let plan = HorizonPlanner.plan(Self.problem([ev], base: [PerPhase(a: 0, b: 10, c: 0)]))
        #expect(plan.outcome == .optimal)
        for kw in plan.powerKW[0] { #expect(abs(kw - 5) < 0.02) }
        #expect(abs(plan.peakNeutralA - 75.0.squareRoot() * Self.kappa) < 0.1)
        #expect(abs(plan.plannedKWh[0] - 20) < 1e-4)
    }

    @Test("valley filling: 10 kW on A in the first hour, none in the second: the EV on A charges in the second")
    func fillsTheValley() {
        let ev = PlannedEV(id: "a", connection: .single(.a), maxChargeKW: 10, departure: Self.at(2), neededKWh: 10)
        let plan = HorizonPlanner.plan(Self.problem([ev], base: [PerPhase(a: 10, b: 0, c: 0), PerPhase(a: 0, b: 0, c: 0)]))
        #expect(plan.outcome == .optimal)
        #expect(abs(plan.powerKW[0][0]) < 0.05)
        #expect(abs(plan.powerKW[0][1] - 10) < 0.05)
        #expect(abs(plan.peakNeutralA - 10 * Self.kappa) < 0.3)
    }

    @Test("a target out of reach even at full power: full power throughout, the shortfall reported up front")
    func unreachable() {
        let ev = PlannedEV(id: "a", connection: .single(.a), maxChargeKW: 7.4, departure: Self.at(2), neededKWh: 30)
        let plan = HorizonPlanner.plan(Self.problem([ev], base: [PerPhase(repeating: 5)]))
        #expect(plan.unreachable == [true])
        #expect(plan.powerKW[0] == [7.4, 7.4])
        #expect(abs(plan.shortfallKWh[0] - (30 - 14.8)) < 1e-9)
    }

    @Test("a three-phase EV adds no neutral current: its power is flat (the last priority)")
    func threePhaseIsFlat() {
        let ev = PlannedEV(id: "abc", connection: .threePhase, maxChargeKW: 11, departure: Self.at(3), neededKWh: 12)
        let plan = HorizonPlanner.plan(Self.problem([ev], base: [PerPhase(a: 9, b: 1, c: 4)]))
        for kw in plan.powerKW[0] { #expect(abs(kw - 4) < 0.01) }
    }

    @Test("an EV leaving half-way through a step is planned for the half it is there")
    func partialLastStep() {
        let ev = PlannedEV(id: "a", connection: .single(.a), maxChargeKW: 4, departure: Self.at(1.5), neededKWh: 5.9)
        let plan = HorizonPlanner.plan(Self.problem([ev], base: [PerPhase(repeating: 0)]))
        #expect(plan.outcome == .optimal)
        #expect(plan.powerKW[0].count == 2)
        // 5.9 kWh in 1.5 h at most 4 kW: at least 1.9 kWh in the last half hour, i.e. ≥ 3.8 kW while there.
        #expect(plan.powerKW[0][1] >= 3.8 - 1e-6 && plan.powerKW[0][1] <= 4 + 1e-6)
        #expect(abs(plan.plannedKWh[0] - 5.9) < 1e-4)
    }

    @Test("V2G balances: an EV on A may discharge while A is heavy and recharge later, never below its floor")
    func dischargeToBalance() {
        // A: 12 kW then 0; the EV on A must end where it started (need 0) and may go 4 kWh down.
        let ev = PlannedEV(id: "a", connection: .single(.a), maxChargeKW: 6, maxDischargeKW: 6, departure: Self.at(2),
                           neededKWh: 0, floorKWh: -4)
        let plan = HorizonPlanner.plan(Self.problem([ev], base: [PerPhase(a: 12, b: 0, c: 0), PerPhase(a: 0, b: 0, c: 0)]))
        #expect(plan.outcome == .optimal)
        // Without the floor the best is −6/+6 (peak 6 κ); the 4 kWh floor makes it −4/+4 (peak 8 κ).
        #expect(abs(plan.powerKW[0][0] + 4) < 0.05)
        #expect(abs(plan.powerKW[0][1] - 4) < 0.05)
        #expect(abs(plan.peakNeutralA - 8 * Self.kappa) < 0.3)
    }

    @Test("a phase cap below what the needs require: the largest relative shortfall is minimised, equal for equal EVs")
    func capShortfallIsShared() {
        // 2 EVs on A, each needing 10 kWh in 1 h; phase A may carry 10 kW of EVs (cap 10 kW·230 V = 43.48 A).
        let evs = (0..<2).map { PlannedEV(id: "a\($0)", connection: .single(.a), maxChargeKW: 10, departure: Self.at(1), neededKWh: 10) }
        var problem = Self.problem(evs, base: [PerPhase(repeating: 0)])
        problem.phaseLimitA = 10_000.0 / 230
        let plan = HorizonPlanner.plan(problem)
        #expect(plan.outcome == .optimal)
        #expect(abs(plan.plannedKWh[0] - 5) < 0.01)
        #expect(abs(plan.plannedKWh[1] - 5) < 0.01)
    }

    @Test("the energy beyond the horizon: only what cannot be taken after it must be taken within it")
    func departureBeyondHorizon() {
        let ev = PlannedEV(id: "a", connection: .single(.a), maxChargeKW: 5, departure: Self.at(30), neededKWh: 130)
        var problem = Self.problem([ev], base: [PerPhase(repeating: 0)])
        problem.horizonS = 4 * 3600
        let plan = HorizonPlanner.plan(problem)
        #expect(plan.powerKW[0].count == 4)
        // 26 h after the horizon at 5 kW carry 130 kWh: nothing is needed within it.
        #expect(plan.shortfallKWh[0] < 1e-6)
    }
}
