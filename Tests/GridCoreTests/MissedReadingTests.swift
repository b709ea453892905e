@testable import GridCore
import Testing

/// A poll that returns nothing after good readings: protection holds the last good reading inside the stale
/// window, and the cycle must neither crash nor let the lost data make a charger discharge.
@Suite("Control cycle: a missed meter reading after good ones")
struct MissedReadingTests {
    let chargers = [Fixture.charger("a1", .single(.a)), Fixture.charger("b1", .single(.b))]

    func regulated() -> CycleOutcome {
        Fixture.run(CycleInputs(meter: Fixture.meter(), ambientC: 20, chargers: chargers))
    }

    @Test("inside the stale window: setpoints held, READING_HELD, still regulating")
    func heldInsideTheWindow() {
        let first = regulated()
        #expect(first.mode == .regulating)
        let missed = ControlCycle(policy: Fixture.unramped).run(
            first.state, inputs: CycleInputs(meter: nil, chargers: chargers), now: Fixture.now + 1)
        #expect(missed.mode == .regulating)
        #expect(missed.has("READING_HELD"))
        for id in ["a1", "b1"] { #expect(missed.kw(id) == first.kw(id)) }
        #expect(missed.setpoints.allSatisfy { $0.reactivePowerKvar == 0 })
    }

    @Test("a charger that was discharging is stopped, never reversed", arguments: [-7.0, -5.0, -0.5])
    func dischargeStops(lastKW: Double) {
        var state = regulated().state
        state.written["a1"] = WrittenSetpoint(
            setpoint: ChargerSetpoint(chargerID: "a1", activePowerKW: lastKW, reactivePowerKvar: 1), at: Fixture.now)
        let missed = ControlCycle(policy: Fixture.unramped).run(
            state, inputs: CycleInputs(meter: nil, chargers: chargers), now: Fixture.now + 1)
        #expect(missed.kw("a1") == 0)
        #expect(missed.writes.contains { $0.chargerID == "a1" && $0.activePowerKW == 0 })
    }

    @Test("past the stale limit the held reading turns into the safe state")
    func safeStatePastTheLimit() {
        var outcome = regulated()
        let limit = ControlPolicy().dataQuality.staleAfterCycles
        for step in 1...(limit + 2) {
            outcome = ControlCycle(policy: Fixture.unramped).run(
                outcome.state, inputs: CycleInputs(meter: nil, chargers: chargers), now: Fixture.now + Double(step))
        }
        #expect(outcome.mode == .safeState)
        #expect(outcome.setpoints.allSatisfy { $0.activePowerKW >= 0 && $0.activePowerKW <= ControlPolicy().fallbackChargeKW })
    }

    @Test("any mix of good, missing and stale readings: no crash, and no discharge on a cycle without a reading")
    func randomMixes() {
        var random = SystemRandomNumberGenerator()
        for _ in 0..<50 {
            var outcome = regulated()
            var lastGood = Fixture.now
            for step in 1...60 {
                let now = Fixture.now + Double(step)
                let meter: MeterReading?
                switch Int.random(in: 0..<4, using: &random) {
                case 0: meter = nil
                case 1: meter = Fixture.meter(time: lastGood)  // the meter did not update
                default:
                    meter = Fixture.meter(kw: PerPhase(a: .random(in: 0...40), b: .random(in: 0...40), c: .random(in: 0...40)), time: now)
                    lastGood = now
                }
                var inputs = CycleInputs(meter: meter, ambientC: 20, chargers: chargers)
                inputs.chargers[0].ev?.socPercent = .random(in: 10...100, using: &random)
                outcome = ControlCycle(policy: ControlPolicy()).run(outcome.state, inputs: inputs, now: now)
                if meter == nil { #expect(outcome.setpoints.allSatisfy { $0.activePowerKW >= 0 }) }
            }
        }
    }
}
