import GridCore
import Testing

/// Cases small enough to solve by hand; expected values come from the closed forms in the comments.
@Suite struct BalancingHandSolvedTests {
    let amps = BalancingProblem.nominalAmpsPerKW(voltageV: 230)

    @Test func equalChargersOnAAndBWithEqualBaseAreSymmetric() throws {
        // c = 0 (balanced base). J = β|P_A a_A + P_B a_B|² + w(P_A − r)² + w(P_B − r)² is symmetric in (P_A, P_B)
        // because |a_A| = |a_B|; the unique optimum has P_A = P_B = P with |a_A + a_B| = k, so
        // J = βk²P² + 2w(P − r)² ⇒ P = 2wr / (βk² + 2w).
        let base = PerPhase { Phasor(magnitude: 40, angleDegrees: $0.nominalAngleDegrees) }
        let chargers = [
            BalancingCharger(id: "a", connection: .single(.a), minKW: -11, maxKW: 11, requestKW: 7, weight: 2),
            BalancingCharger(id: "b", connection: .single(.b), minKW: -11, maxKW: 11, requestKW: 7, weight: 2),
        ]
        let problem = BalancingProblem(chargers: chargers, baseCurrentA: base, ampsPerKW: amps, neutralWeight: 0.5)
        let solution = PhaseBalancer.solve(problem)
        let k = amps.a.magnitude
        let expected = 2 * 2 * 7 / (0.5 * k * k + 2 * 2)
        #expect(solution.outcome == .optimal)
        #expect(abs(solution.setpointsKW[0] - solution.setpointsKW[1]) <= 1e-9)
        #expect(abs(solution.setpointsKW[0] - expected) <= 1e-9)
        #expect(abs(solution.neutralCurrentA - k * expected) <= 1e-7)
    }

    @Test(arguments: [(-10.0, 10.0), (0.0, 11.0), (-3.0, 22.0)])
    func singleChargerOnTheOnlyLoadedPhase(box: (Double, Double)) throws {
        // Only phase A carries base current I (real): J = β(I + kP)² + w(P − r)², so P = (wr − βkI)/(βk² + w),
        // clamped into the box (one variable, convex).
        let current = 20.0, beta = 0.3, weight = 1.5, request = 4.0
        let base = PerPhase(a: Phasor(real: current, imaginary: 0), b: .zero, c: .zero)
        let charger = BalancingCharger(id: "a", connection: .single(.a), minKW: box.0, maxKW: box.1, requestKW: request, weight: weight)
        let solution = PhaseBalancer.solve(
            BalancingProblem(chargers: [charger], baseCurrentA: base, ampsPerKW: amps, neutralWeight: beta))
        let k = amps.a.real
        let free = (weight * request - beta * k * current) / (beta * k * k + weight)
        #expect(abs(solution.setpointsKW[0] - min(max(free, box.0), box.1)) <= 1e-9)
        #expect(solution.setpointsKW[0] >= box.0)
    }

    @Test func zeroChargersGiveTheBaseNeutral() {
        let base = PerPhase(a: Phasor(real: 30, imaginary: 0), b: .zero, c: .zero)
        let solution = PhaseBalancer.solve(
            BalancingProblem(chargers: [], baseCurrentA: base, ampsPerKW: amps, neutralWeight: 1, totalLimitsKW: 5...10))
        #expect(solution.setpointsKW.isEmpty)
        #expect(solution.neutralCurrentA == 30)
        #expect(solution.outcome == .optimal)
        #expect(solution.relaxations.map(\.limit) == [.total])  // 5…10 kW is impossible with no chargers
    }

    @Test func stoppedAndBadChargersStayAtExactlyZero() {
        // A heavy neutral would like the stopped charger to discharge; [0, 0] and bad data must still give 0.
        let base = PerPhase(a: Phasor(real: 100, imaginary: 0), b: .zero, c: .zero)
        let chargers = [
            BalancingCharger(id: "stopped", connection: .single(.a), minKW: 0, maxKW: 0, requestKW: 5),
            BalancingCharger(id: "nan", connection: .single(.a), minKW: .nan, maxKW: 5, requestKW: 5),
            BalancingCharger(id: "inverted", connection: .single(.a), minKW: 3, maxKW: 1, requestKW: 2),
            BalancingCharger(id: "no-weight", connection: .single(.a), minKW: -5, maxKW: 5, requestKW: 2, weight: 0),
            BalancingCharger(id: "charge-only", connection: .single(.a), minKW: 0, maxKW: 7, requestKW: 7),
        ]
        let solution = PhaseBalancer.solve(
            BalancingProblem(chargers: chargers, baseCurrentA: base, ampsPerKW: amps, neutralWeight: 100))
        #expect(solution.setpointsKW[0..<4].allSatisfy { $0.bitPattern == 0 })
        #expect(solution.setpointsKW[4] == 0)  // pushed onto its lower bound, never below
        #expect(solution.outcome == .optimal)
    }

    @Test func impossiblePhaseLimitIsRelaxedAndReported() throws {
        // Phase A must draw ≥ 15 kW but its chargers reach 2 × 5 kW: the limit moves to 10 kW, both at max.
        let chargers = [
            BalancingCharger(id: "1", connection: .single(.a), minKW: 0, maxKW: 5, requestKW: 1),
            BalancingCharger(id: "2", connection: .single(.a), minKW: 0, maxKW: 5, requestKW: 2),
            BalancingCharger(id: "3", connection: .single(.b), minKW: 0, maxKW: 5, requestKW: 2),
        ]
        let open = -Double.infinity...Double.infinity
        let problem = BalancingProblem(
            chargers: chargers, baseCurrentA: PerPhase(repeating: .zero), ampsPerKW: amps, neutralWeight: 0.01,
            phaseLimitsKW: PerPhase(a: 15...20, b: open, c: open))
        let solution = PhaseBalancer.solve(problem)
        let relaxation = try #require(solution.relaxations.first)
        #expect(solution.relaxations.count == 1)
        #expect(relaxation.limit == .phase(.a))
        #expect(relaxation.appliedKW == 10...20)
        #expect(solution.setpointsKW[0] == 5 && solution.setpointsKW[1] == 5)
    }

    @Test func conflictingPhaseAndTotalLimitsFollowTheDocumentedPrecedence() throws {
        // Phases A and B each need ≥ 8 kW, the total allows ≤ 10 kW: phases win, the total moves up to 16 kW.
        let chargers = [
            BalancingCharger(id: "1", connection: .single(.a), minKW: 0, maxKW: 11, requestKW: 11),
            BalancingCharger(id: "2", connection: .single(.b), minKW: 0, maxKW: 11, requestKW: 11),
        ]
        let open = -Double.infinity...Double.infinity
        let problem = BalancingProblem(
            chargers: chargers, baseCurrentA: PerPhase(repeating: .zero), ampsPerKW: amps, neutralWeight: 0.01,
            phaseLimitsKW: PerPhase(a: 8...open.upperBound, b: 8...open.upperBound, c: open), totalLimitsKW: 0...10)
        let solution = PhaseBalancer.solve(problem)
        #expect(solution.relaxations.map(\.limit) == [.total])
        #expect(solution.relaxations.first?.appliedKW == 0...16)
        #expect(abs(solution.setpointsKW[0] - 8) <= 1e-9 && abs(solution.setpointsKW[1] - 8) <= 1e-9)
    }
}
