@testable import GridCore
import Testing

@Suite("Control cycle: precedence and safety")
struct CycleTests {
    @Test("balancing moves charging off the loaded phase and lowers the neutral current")
    func balancesPhases() {
        let inputs = CycleInputs(
            meter: Fixture.meter(kw: PerPhase(a: 30, b: 5, c: 5)),
            ambientC: 20,
            chargers: [Fixture.charger("a1", .single(.a)), Fixture.charger("b1", .single(.b)), Fixture.charger("c1", .single(.c))])
        // The per-cycle step alone (no horizon plan): every EV reports no departure, so the plan would spread each
        // over the default dwell, and this test is about what one cycle does with the neutral current.
        var policy = Fixture.unramped
        policy.balancing.horizonEnabled = false
        let outcome = Fixture.run(policy, inputs)
        #expect(outcome.mode == .regulating)
        #expect(outcome.kw("a1") < outcome.kw("b1"))
        #expect(outcome.kw("a1") < outcome.kw("c1"))
        let before = try! #require(outcome.figures.neutralCurrentBeforeA)
        let after = try! #require(outcome.figures.neutralCurrentAfterA)
        #expect(after < before * 0.8)
    }

    @Test("a trip stops every charger, whatever it asked")
    func tripStopsAll() {
        let inputs = CycleInputs(
            meter: Fixture.meter(voltsPU: PerPhase(a: 1.25, b: 1.0, c: 1.0)),
            chargers: [Fixture.charger("a1", .single(.a), measuredKW: -5), Fixture.charger("b1", .single(.b), measuredKW: 7)])
        let outcome = Fixture.run(inputs)
        #expect(outcome.mode == .ceased)
        #expect(outcome.setpoints.allSatisfy { $0.activePowerKW == 0 && $0.reactivePowerKvar == 0 })
        #expect(outcome.writes.count == 2)
        #expect(outcome.has("TRIP_OV2"))
    }

    @Test("no meter data: safe state, no discharge, charging at the fallback limit")
    func missingMeterSafeState() {
        var state = CycleState()
        state.lastRunAt = Timestamp(secondsSinceEpoch: Fixture.now.secondsSinceEpoch - 1)
        let inputs = CycleInputs(
            meter: nil, chargers: [Fixture.charger("a1", .single(.a), requestKW: 7, measuredKW: -6)])
        var outcome = Fixture.run(inputs, state: state)
        // Protection may need up to 3 cycles (stale-data limit); run until it decides.
        for step in 1...4 where outcome.mode == .regulating {
            outcome = ControlCycle(policy: Fixture.unramped).run(
                outcome.state, inputs: inputs, now: Fixture.now + Double(step))
        }
        #expect(outcome.mode == .safeState)
        #expect(outcome.kw("a1") >= 0)
        #expect(outcome.kw("a1") <= ControlPolicy().fallbackChargeKW)
    }

    @Test("stale meter data: safe state within 3 cycles")
    func staleMeterSafeState() {
        let stale = Fixture.meter(time: Fixture.now + -10)
        let outcome = Fixture.run(CycleInputs(meter: stale, chargers: [Fixture.charger("a1", .single(.a), measuredKW: -3)]))
        #expect(outcome.mode == .safeState)
        #expect(outcome.kw("a1") >= 0)
    }

    @Test("an envelope with upper bound 0 stops charging and never turns it into discharge")
    func envelopeZeroNeverReverses() {
        let envelope = Envelope(agentID: "t1", sequence: 1, validUntil: Fixture.now + 60, transformerKW: -50...0)
        let inputs = CycleInputs(
            meter: Fixture.meter(kw: PerPhase(a: 20, b: 5, c: 5)), ambientC: 20,
            chargers: [Fixture.charger("a1", .single(.a)), Fixture.charger("b1", .single(.b))], envelope: envelope)
        let outcome = Fixture.run(inputs)
        #expect(outcome.setpoints.allSatisfy { $0.activePowerKW <= 0 })
        let zero = Envelope(agentID: "t1", sequence: 2, validUntil: Fixture.now + 60, transformerKW: 0...0)
        var zeroInputs = inputs
        zeroInputs.envelope = zero
        let stopped = Fixture.run(zeroInputs)
        #expect(stopped.setpoints.allSatisfy { $0.activePowerKW == 0 })
    }

    @Test("an expired envelope is ignored: the agent is autonomous")
    func expiredEnvelope() {
        let envelope = Envelope(agentID: "t1", sequence: 1, validUntil: Fixture.now + -1, transformerKW: 0...0)
        let inputs = CycleInputs(
            meter: Fixture.meter(), ambientC: 20, chargers: [Fixture.charger("a1", .single(.a))], envelope: envelope)
        var policy = Fixture.unramped
        policy.balancing.enabled = false
        let outcome = Fixture.run(policy, inputs)
        #expect(outcome.has("ENVELOPE_EXPIRED"))
        #expect(outcome.kw("a1") > 6)
    }

    @Test("no thermal headroom: charging and discharge are both refused")
    func noThermalHeadroom() {
        var state = CycleState()
        state.thermal = ThermalState(topOilC: 105, hotSpotRiseH1K: 30, hotSpotRiseH2K: 0, lossOfLifeHours: 0)
        let inputs = CycleInputs(
            meter: Fixture.meter(kw: PerPhase(repeating: 40)), ambientC: 40,
            chargers: [Fixture.charger("a1", .single(.a)), Fixture.charger("b1", .single(.b), requestKW: 0)])
        let outcome = Fixture.run(inputs, state: state)
        #expect(outcome.has("REVERSE_FLOW_DENIED"))
        #expect(outcome.setpoints.allSatisfy { $0.activePowerKW == 0 })
    }

    @Test("a hot transformer throttles charging below the requests")
    func thermalThrottle() {
        let inputs = CycleInputs(
            meter: Fixture.meter(kw: PerPhase(repeating: 35)), ambientC: 35,
            chargers: (0..<6).map { Fixture.charger("c\($0)", .single(Phase.allCases[$0 % 3]), requestKW: 7) })
        var state = CycleState()
        // Steady at 0.9 pu in 25 °C: hot-spot about 92 °C, some headroom left, not 42 kW of it.
        state.thermal = HotSpotModel(parameters: .onanDistribution).steadyState(loadPU: 0.9, ambientC: 25)
        var inputsAt25 = inputs
        inputsAt25.ambientC = 25
        let outcome = Fixture.run(inputsAt25, state: state)
        #expect(outcome.has("THERMAL_LIMIT"))
        #expect(!outcome.has("REVERSE_FLOW_DENIED"))
        #expect(outcome.figures.evTotalKW < 42)
        let forecast = try! #require(outcome.figures.forecastHotSpotC)
        #expect(forecast > 92)
    }

    @Test("EV limits: minimum SoC and battery temperature forbid discharge")
    func evLimits() {
        var policy = Fixture.unramped
        policy.balancing.neutralWeight = 50
        // Heavy reverse load on A would pull the A chargers into discharge, were it allowed.
        let inputs = CycleInputs(
            meter: Fixture.meter(kw: PerPhase(a: 45, b: 0, c: 0)), ambientC: 20,
            chargers: [
                Fixture.charger("low", .single(.a), requestKW: 0, soc: 19),
                Fixture.charger("hot", .single(.a), requestKW: 0, batteryC: 46),
                Fixture.charger("ok", .single(.a), requestKW: 0, soc: 80),
            ])
        let outcome = Fixture.run(policy, inputs)
        #expect(outcome.kw("low") == 0)
        #expect(outcome.kw("hot") == 0)
        #expect(outcome.kw("ok") < 0)
        #expect(outcome.has("SOC_FLOOR"))
        #expect(outcome.has("BATTERY_HOT"))
    }

    @Test("Volt-VAR: chargers on a sagging phase inject Q per the Category B curve")
    func voltVarOnSag() {
        let inputs = CycleInputs(
            meter: Fixture.meter(voltsPU: PerPhase(a: 0.94, b: 1.0, c: 1.0)), ambientC: 20,
            chargers: [Fixture.charger("a1", .single(.a), requestKW: 3), Fixture.charger("b1", .single(.b), requestKW: 3)])
        let outcome = Fixture.run(inputs)
        let expectedPU = VoltVarCurve.categoryB.reactivePowerPU(atVoltagePU: 0.94, vRefPU: 1.0)
        #expect(expectedPU > 0.25)
        #expect(abs(outcome.kvar("a1") - expectedPU * 7.4) < 0.05 * 7.4)
        #expect(abs(outcome.kvar("b1")) < 0.01)
    }

    @Test("deadband: a repeated cycle writes nothing; a reversion refresh rewrites")
    func deadbandAndRefresh() {
        let inputs = CycleInputs(meter: Fixture.meter(), ambientC: 20, chargers: [Fixture.charger("a1", .single(.a))])
        var policy = Fixture.unramped
        policy.balancing.enabled = false
        let first = Fixture.run(policy, inputs)
        #expect(first.writes.count == 1)
        let cycle = ControlCycle(policy: policy)
        var chargers = inputs
        chargers.chargers[0].measuredKW = first.kw("a1")
        chargers.meter = Fixture.meter(time: Fixture.now + 1)
        let second = cycle.run(first.state, inputs: chargers, now: Fixture.now + 1)
        #expect(second.writes.isEmpty)
        chargers.meter = Fixture.meter(time: Fixture.now + 20)
        let later = cycle.run(second.state, inputs: chargers, now: Fixture.now + 20)
        #expect(later.writes.count == 1)
    }

    @Test("an offline charger is planned at 0 and written afresh when it returns")
    func offlineCharger() {
        let online = CycleInputs(meter: Fixture.meter(), ambientC: 20, chargers: [Fixture.charger("a1", .single(.a))])
        let first = Fixture.run(online)
        var offline = online
        offline.chargers[0].online = false
        offline.meter = Fixture.meter(time: Fixture.now + 1)
        let cycle = ControlCycle(policy: Fixture.unramped)
        let second = cycle.run(first.state, inputs: offline, now: Fixture.now + 1)
        #expect(second.writes.isEmpty)
        #expect(second.has("CHARGER_OFFLINE"))
        var back = online
        back.meter = Fixture.meter(time: Fixture.now + 2)
        let third = cycle.run(second.state, inputs: back, now: Fixture.now + 2)
        #expect(third.writes.count == 1)
    }

    @Test("ramp: toward zero is immediate, away from zero is limited, a sign change stops first",
          arguments: [
            (from: 7.0, to: 2.0, expect: 2.0), (from: 0.0, to: 7.0, expect: 2.0), (from: 3.0, to: 7.0, expect: 5.0),
            (from: 7.0, to: -5.0, expect: -2.0), (from: -5.0, to: 0.0, expect: 0.0), (from: -1.0, to: -6.0, expect: -3.0),
            (from: 4.0, to: 0.0, expect: 0.0),
          ])
    func rampLimits(from: Double, to: Double, expect: Double) {
        #expect(ramp(from: from, to: to, maxStepKW: 2) == expect)
    }
}

@Suite("Decision message numbers")
struct DecisionNumberTests {
    @Test("numbers format through integers, with fixed decimals", arguments: [
        (3.14159, 100.0, "3.14"), (-0.004, 100.0, "0.00"), (-2.5, 10.0, "-2.5"), (7.0, 100.0, "7.00"),
        (98.0, 10.0, "98.0"), (0.05, 100.0, "0.05"), (12.0, 1.0, "12"),
    ])
    func format(value: Double, digits: Double, expected: String) {
        #expect(rounded(value, digits) == expected)
    }
}
