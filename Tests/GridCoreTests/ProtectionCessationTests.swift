@testable import GridCore
import Testing

/// Category III momentary cessation: output stops at once without a trip, and returns with the voltage.
@Suite("Protection: momentary cessation")
struct ProtectionCessationTests {
    static let categoryIII = ProtectionMonitor(category: .iii, nominalHz: 60)

    @Test("0.5 s at 0.40 pu (Category III): output ceases at once, no trip, restored when the voltage returns",
          arguments: [0.1, 0.2])
    func shortSag(periodS: Double) {
        var run = ProtectionRun(Self.categoryIII, periodS: periodS)
        for _ in 0..<5 { _ = run.step(pu: PerPhase(repeating: 1)) }
        let sagSamples = Int((0.5 / periodS).rounded())
        for k in 0..<sagSamples {
            let verdict = run.step(pu: PerPhase(repeating: 0.40))
            #expect(verdict.isMomentaryCessation, "sample \(k): \(verdict)")
            #expect(!verdict.allowsCharging && !verdict.allowsDischarge)
            #expect(verdict.codes.contains(.momentaryCessation) && !verdict.codes.contains { $0.isTrip })
        }
        let back = run.step(pu: PerPhase(repeating: 1))
        #expect(back == .normal(advisories: []), "no enter-service delay after momentary cessation: \(back)")
        #expect(run.state.trip == nil && run.state.cessation == nil)
    }

    @Test("the same sag through the control cycle: every charger at 0, then regulating again at once")
    func throughTheCycle() {
        var policy = Fixture.unramped
        policy.trip.category = .iii
        policy.cyclePeriodS = 0.1
        let chargers = [Fixture.charger("a1", .single(.a), measuredKW: -4), Fixture.charger("b1", .single(.b), measuredKW: 7)]
        var state = CycleState()
        var modes: [CycleOutcome.Mode] = []
        for k in 0..<20 {
            let sagged = (5..<10).contains(k)
            let now = Fixture.now + Double(k) * 0.1
            let meter = Fixture.meter(
                kw: PerPhase(a: 10 + Double(k) * 0.01, b: 10, c: 10), voltsPU: PerPhase(repeating: sagged ? 0.40 : 1.0), time: now)
            let outcome = ControlCycle(policy: policy).run(state, inputs: CycleInputs(meter: meter, ambientC: 20, chargers: chargers), now: now)
            state = outcome.state
            modes.append(outcome.mode)
            if sagged {
                #expect(outcome.setpoints.allSatisfy { $0.activePowerKW == 0 && $0.reactivePowerKvar == 0 })
                #expect(outcome.has("MOMENTARY_CESSATION") && !outcome.decisions.contains { $0.code.hasPrefix("TRIP_") })
            }
        }
        #expect(modes[5..<10].allSatisfy { $0 == .momentaryCessation }, "\(modes)")
        #expect(modes[10...].allSatisfy { $0 == .regulating }, "\(modes)")
    }

    @Test("a sag that outlasts the ride-through becomes a UV2 trip, within max(clearing, 1 s + 2p)", arguments: [0.1, 1, 2])
    func longSagTrips(periodS: Double) throws {
        let row = ProtectionStepCase.v(.iii, 0.40, .uv2, 2, 1)
        let result = row.run(periodS: periodS, onsetPhase: 0.5)
        let delay = try #require(result.tripDelayS)
        #expect(result.tripCodes == [.tripUV2])
        #expect(delay >= 1 && delay <= row.latestS(periodS: periodS))
        // Until the trip, output was ceased without one.
        #expect(result.verdicts.dropLast().allSatisfy { $0.isMomentaryCessation })
    }

    @Test("a swell to 1.15 pu (Category III) ceases output for 5 s without a trip")
    func swell() {
        var run = ProtectionRun(Self.categoryIII, periodS: 1)
        _ = run.step(pu: PerPhase(repeating: 1))
        for _ in 0..<5 { #expect(run.step(pu: ProtectionFixture.onePhase(.c, at: 1.15)).isMomentaryCessation) }
        #expect(run.step(pu: PerPhase(repeating: 1)).isNormal)
    }

    @Test("momentary cessation holds through cycles without a trusted voltage")
    func holdsThroughMissingData() {
        var run = ProtectionRun(Self.categoryIII, periodS: 0.1)
        _ = run.step(pu: PerPhase(repeating: 1))
        #expect(run.step(pu: PerPhase(repeating: 0.3)).isMomentaryCessation)
        let missed = run.step(nil)
        #expect(missed.isMomentaryCessation && missed.codes.contains(.dataMissing))
        #expect(run.step(pu: PerPhase(repeating: 1)).isNormal)
    }

    @Test("Category I below 0.50 pu is the cease-to-energize region: output stops until UV1 trips at 2 s")
    func categoryICeaseRegion() throws {
        let result = ProtectionStepCase.v(.i, 0.47, .uv1, 2, 0).run(periodS: 0.1, onsetPhase: 0.5)
        #expect(result.tripCodes == [.tripUV1])
        #expect(try #require(result.tripDelayS) <= 2)
        #expect(result.verdicts.dropLast().allSatisfy { $0.isMomentaryCessation })
    }

    @Test("Category II permissive region at 0.40 pu: no momentary cessation, a UV2 trip after 0.16 s")
    func categoryIIPermissive() throws {
        let result = ProtectionStepCase.v(.ii, 0.40, .uv2, 0.16, 0.16).run(periodS: 0.1, onsetPhase: 0.5)
        #expect(result.verdicts.dropLast().allSatisfy { $0.isNormal })
        #expect(try #require(result.tripDelayS) >= 0.16)
    }
}

/// When the region changes during a disturbance, the ride-through clock still runs from when that side of the
/// table left continuous operation (as OpenDER's per-side timers do), with the minimum of the current region.
@Suite("Protection: ride-through across regions")
struct ProtectionRegionChangeTests {
    @Test("a sag that deepens from 0.60 to 0.40 pu counts its 0.16 s from the start of the sag (Category II)")
    func deepeningSag() {
        var run = ProtectionRun(ProtectionMonitor(category: .ii, nominalHz: 60), periodS: 0.1)
        _ = run.step(pu: PerPhase(repeating: 1))
        for _ in 0..<3 { #expect(run.step(pu: PerPhase(repeating: 0.60)).isNormal) }
        // UV2 picks up now; the disturbance is already 0.3 s old, past the region's 0.16 s.
        let verdict = run.step(pu: PerPhase(repeating: 0.40))
        #expect(verdict.codes.contains(.tripUV2), "\(verdict)")
    }

    @Test("a deep sag recovering to 0.60 pu keeps UV1's timer and ride-through clock (Category II)")
    func recoveringSag() throws {
        var run = ProtectionRun(ProtectionMonitor(category: .ii, nominalHz: 60), periodS: 1)
        _ = run.step(pu: PerPhase(repeating: 1))
        // 0.49 pu: permissive, no UV2 pickup; then 0.69 pu, mandatory with 3.35 s, UV1 still picked up.
        var trips: [Int] = []
        for k in 0..<12 {
            let verdict = run.step(pu: PerPhase(repeating: k < 2 ? 0.49 : 0.69))
            if verdict.isCeased { trips.append(k) }
        }
        #expect(try #require(trips.first) == 9, "UV1 is due at observed + 2 s > 10 s, 9 s after it was first seen")
        #expect(run.state.trip?.causes == [.tripUV1])
    }
}
