@testable import GridCore
import Testing

/// Step 6 checks that each charger does what it was last told, and keeps the reversion margin.
@Suite("Write step: setpoints followed, refreshed with a margin")
struct SetpointFollowingTests {
    static let rules = WritePolicy()

    static func written(_ kw: Double, at offsetS: Double = 0) -> WrittenSetpoint {
        WrittenSetpoint(setpoint: ChargerSetpoint(chargerID: "a1", activePowerKW: kw, reactivePowerKvar: 0), at: Fixture.now + offsetS)
    }

    /// Feeds one reading per second for `seconds`; returns the first second at which the departure is reported.
    static func firstReport(setpointKW: Double, measuredKW: Double, requestKW: Double?, seconds: Int = 30) -> Int? {
        var watch: SetpointWatch?
        for s in 1...seconds {
            let (next, forS) = SetpointWatch.update(
                watch, written: written(setpointKW), measuredKW: measuredKW, evRequestKW: requestKW, rules: rules,
                now: Fixture.now + Double(s))
            watch = next
            if forS != nil { return s }
        }
        return nil
    }

    @Test("a charger drawing more than told is reported once the departure outlasts its response time")
    func drawingMore() {
        let first = Self.firstReport(setpointKW: 2, measuredKW: 7.4, requestKW: 7.4)
        #expect(first == 1 + Int(Self.rules.responseTimeS))
    }

    @Test("less than told in the same direction is the EV's choice unless the EV asks for more", arguments: [
        (5.0, 1.5, 1.5, false),   // tapering EV: asks for what it draws
        (5.0, 0.0, 0.0, false),   // full battery
        (5.0, 0.0, 7.4, true),    // asks for 7.4 and gets nothing: a charger that stopped on its own
        (-3.0, 0.0, 0.0, false),  // the BMS refuses discharge: less, same direction
        (-3.0, 2.0, 7.4, true),   // told to discharge, charges instead
        (0.0, 0.3, 7.4, false),   // within the tolerance
    ])
    func directionRules(setpointKW: Double, measuredKW: Double, requestKW: Double, reported: Bool) {
        #expect((Self.firstReport(setpointKW: setpointKW, measuredKW: measuredKW, requestKW: requestKW) != nil) == reported)
    }

    @Test("a new setpoint gives a fresh response time; a charger back inside the band clears the watch")
    func freshValue() {
        var (watch, forS) = SetpointWatch.update(
            nil, written: Self.written(2), measuredKW: 7.4, evRequestKW: 7.4, rules: Self.rules, now: Fixture.now + 1)
        #expect(watch.departedSince == Fixture.now + 1)
        (watch, forS) = SetpointWatch.update(
            watch, written: Self.written(6, at: 8), measuredKW: 7.4, evRequestKW: 7.4, rules: Self.rules, now: Fixture.now + 12)
        #expect(forS == nil)  // 11 s after the first departure, but only 4 s after the new value
        #expect(watch.departedSince == Fixture.now + 12)
        (watch, forS) = SetpointWatch.update(
            watch, written: Self.written(6, at: 8), measuredKW: 7.4, evRequestKW: 7.4, rules: Self.rules, now: Fixture.now + 22)
        #expect(forS == 10)
        (watch, forS) = SetpointWatch.update(
            watch, written: Self.written(6, at: 8), measuredKW: 6.1, evRequestKW: 7.4, rules: Self.rules, now: Fixture.now + 14)
        #expect(watch.departedSince == nil)
    }

    /// One cycle a second for `seconds`, the same charger readings each time.
    static func cycles(_ policy: ControlPolicy, _ inputs: CycleInputs, seconds: Int) -> [CycleOutcome] {
        var state = CycleState()
        return (0..<seconds).map { s in
            let now = Fixture.now + Double(s)
            var moved = inputs
            moved.meter?.time = now
            let outcome = ControlCycle(policy: policy).run(state, inputs: moved, now: now)
            state = outcome.state
            return outcome
        }
    }

    @Test("through the cycle: a charger told to stop that keeps charging raises SETPOINT_NOT_FOLLOWED, naming it")
    func throughTheCycle() throws {
        let policy = Fixture.unramped
        // SoC 100 %: the plan holds it at 0 every cycle, and it keeps drawing 7 kW.
        let inputs = CycleInputs(meter: Fixture.meter(), chargers: [Fixture.charger("a1", .single(.a), requestKW: 0, soc: 100, measuredKW: 7)])
        let outcomes = Self.cycles(policy, inputs, seconds: 20)
        let first = try #require(outcomes.firstIndex { $0.has("SETPOINT_NOT_FOLLOWED") })
        #expect(Double(first) >= policy.write.responseTimeS)
        let decision = try #require(outcomes[first].decisions.first { $0.code == "SETPOINT_NOT_FOLLOWED" })
        #expect(decision.chargerID == "a1")
        #expect(decision.step == .write)
    }

    @Test("an unchanged setpoint is written again every refresh_s, well inside the reversion timer")
    func refreshInterval() {
        var policy = Fixture.unramped
        policy.write.deadbandKW = 5
        let inputs = CycleInputs(meter: Fixture.meter(), chargers: [Fixture.charger("a1", .single(.a), requestKW: 3, measuredKW: 3)])
        let writesAt = Self.cycles(policy, inputs, seconds: 30).enumerated().filter { !$0.element.writes.isEmpty }.map { Double($0.offset) }
        let gaps = zip(writesAt.dropFirst(), writesAt).map { $0 - $1 }
        #expect(!gaps.isEmpty)
        #expect(gaps.allSatisfy { $0 == policy.write.refreshS })
        #expect(policy.write.reversionTimeoutS - policy.write.refreshS >= 10 * policy.write.maxStallS)
    }

    @Test("a policy whose timer does not outlast the refresh by 10 × the allowed stall is refused, naming the field")
    func marginChecked() throws {
        var policy = ControlPolicy()
        policy.write.reversionTimeoutS = 30
        let error = #expect(throws: PolicyError.self) { try policy.validate() }
        #expect(error?.field == "write.reversion_timeout_s")
        policy.write.maxStallS = 2.5
        policy.write.refreshS = 2
        #expect(throws: Never.self) { try policy.validate() }
        policy.cyclePeriodS = 10  // a refresh can only happen at a cycle
        #expect(throws: PolicyError.self) { try policy.validate() }
        #expect(throws: Never.self) { try ControlPolicy().validate() }
    }

    @Test("a cycle that runs later than max_stall_s beyond its period is said (CYCLE_STALLED)")
    func stallSaid() {
        var state = CycleState()
        state.lastRunAt = Fixture.now + -20
        let outcome = Fixture.run(CycleInputs(meter: Fixture.meter(), chargers: [Fixture.charger("a1", .single(.a))]), state: state)
        #expect(outcome.has("CYCLE_STALLED"))
        state.lastRunAt = Fixture.now + -1
        #expect(!Fixture.run(CycleInputs(meter: Fixture.meter(), chargers: [Fixture.charger("a1", .single(.a))]), state: state).has("CYCLE_STALLED"))
    }
}
