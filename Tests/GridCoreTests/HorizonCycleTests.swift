import FoundationEssentials
import Testing
@testable import GridCore

/// The plan inside the control cycle: when it is made, what the decisions say, and how the per-cycle step tracks it.
@Suite struct HorizonCycleTests {
    static func ev(
        soc: Double = 50, request: Double = 7.4, departureInH: Double? = 8, needKWh: Double? = 20, v2g: Bool = false,
        temp: Double = 25, consent: Bool? = nil
    ) -> EVState {
        EVState(
            socPercent: soc, batteryTempC: temp, capacityKWh: 60, requestedKW: request,
            departure: departureInH.map { Fixture.now + $0 * 3600 }, energyNeededKWh: needKWh, dischargeAllowed: v2g,
            chargePastTargetAllowed: consent)
    }

    static func charger(_ id: String, _ phase: PhaseConnection, _ ev: EVState?, rated: Double = 7.4) -> ChargerState {
        ChargerState(id: id, connection: phase, ratedChargeKW: rated, ratedDischargeKW: rated, ratedKVA: rated, ev: ev)
    }

    /// The meter moves a little every second: identical readings three times running would be a frozen meter.
    static func inputs(_ chargers: [ChargerState], time: Timestamp = Fixture.now) -> CycleInputs {
        let wobble = (time - Fixture.now).truncatingRemainder(dividingBy: 7) * 0.01
        return CycleInputs(meter: Fixture.meter(kw: PerPhase(a: 12 + wobble, b: 6, c: 4), time: time), ambientC: 25, chargers: chargers)
    }

    static func cycle(_ state: CycleState, _ chargers: [ChargerState], at time: Timestamp, policy: ControlPolicy = Fixture.unramped)
        -> CycleOutcome
    {
        ControlCycle(policy: policy).run(state, inputs: inputs(chargers, time: time), now: time)
    }

    static func reason(_ outcome: CycleOutcome) -> String? {
        outcome.decisions.first { $0.code == "PLAN_MADE" }?.message
    }

    @Test("planned on the first cycle, kept while nothing changes, made again when an EV leaves or arrives, and every 5 min")
    func replanTriggers() {
        let both = [Self.charger("a1", .single(.a), Self.ev()), Self.charger("b1", .single(.b), Self.ev())]
        var t = Fixture.now
        var outcome = Self.cycle(CycleState(), both, at: t)
        #expect(Self.reason(outcome)?.hasPrefix("first plan") == true)
        t = t + 1
        outcome = Self.cycle(outcome.state, both, at: t)
        #expect(Self.reason(outcome) == nil)
        // a1 unplugs: planned again at once, without it.
        t = t + 1
        let left = [Self.charger("a1", .single(.a), nil), both[1]]
        outcome = Self.cycle(outcome.state, left, at: t)
        #expect(Self.reason(outcome)?.hasPrefix("EV left a1") == true)
        #expect(outcome.state.horizon?.plan.evIDs == ["b1"])
        #expect(outcome.kw("a1") == 0)
        t = t + 1
        outcome = Self.cycle(outcome.state, both, at: t)
        #expect(Self.reason(outcome)?.hasPrefix("EV arrived at a1") == true)
        t = t + 301
        outcome = Self.cycle(outcome.state, both, at: t)
        #expect(Self.reason(outcome)?.hasPrefix("periodic") == true)
    }

    @Test("a departure in the past and a negative energy request are ignored with a code; the default dwell applies")
    func badSessionData() {
        let past = Self.charger("a1", .single(.a), Self.ev(departureInH: -1, needKWh: 10))
        let negative = Self.charger("b1", .single(.b), Self.ev(needKWh: -5))
        let outcome = Fixture.run(Self.inputs([past, negative]))
        let codes = outcome.decisions.map { "\($0.code) \($0.chargerID ?? "")" }
        #expect(codes.contains("DEPARTURE_IN_PAST a1"))
        #expect(codes.contains("DEFAULT_DWELL a1"))
        #expect(codes.contains("ENERGY_REQUEST_NEGATIVE b1"))
        #expect(codes.contains("ENERGY_UNKNOWN b1"))
        // a1 is planned to leave 10 h (the default dwell) after it was first seen: now.
        let plan = outcome.state.horizon!.plan
        let a1 = plan.evIDs.firstIndex(of: "a1")!
        #expect(Double(plan.powerKW[a1].count) * plan.stepS == 10 * 3600)
        // b1 charges to full: (100 − 50) % of 60 kWh.
        let b1 = plan.evIDs.firstIndex(of: "b1")!
        #expect(abs(plan.plannedKWh[b1] - 30) < 1e-3)
    }

    @Test("a target out of reach even at full power: TARGET_UNREACHABLE up front, and the charger at full power")
    func unreachable() {
        let charger = Self.charger("a1", .single(.a), Self.ev(departureInH: 2, needKWh: 40))
        let outcome = Fixture.run(Self.inputs([charger]))
        #expect(outcome.decisions.contains { $0.code == "TARGET_UNREACHABLE" && $0.chargerID == "a1" })
        #expect(abs(outcome.kw("a1") - 7.4) < 0.05, "\(outcome.decisions)")
    }

    @Test("garbage SoC or battery temperature is an EV_DATA_INVALID decision naming the charger and the point")
    func garbageEVData() {
        let soc = Self.charger("a1", .single(.a), Self.ev(soc: .nan, v2g: true))
        let temp = Self.charger("b1", .single(.b), Self.ev(v2g: true, temp: 3276.7))
        let outcome = Fixture.run(Self.inputs([soc, temp]))
        let invalid = outcome.decisions.filter { $0.code == "EV_DATA_INVALID" }
        #expect(invalid.contains { $0.chargerID == "a1" && $0.message.contains("SoC") })
        #expect(invalid.contains { $0.chargerID == "b1" && $0.message.contains("BatTmp") })
        #expect(outcome.kw("a1") >= 0 && outcome.kw("b1") >= 0)
    }

    @Test("never above the request, and nothing past the target without consent")
    func requestAndTarget() {
        let small = Self.charger("a1", .single(.a), Self.ev(request: 3, departureInH: 1, needKWh: 10))
        let done = Self.charger("b1", .single(.b), Self.ev(request: 7.4, needKWh: 0))
        let consenting = Self.charger("c1", .single(.c), Self.ev(request: 7.4, needKWh: 0, consent: true))
        let outcome = Fixture.run(Self.inputs([small, done, consenting]))
        #expect(outcome.kw("a1") <= 3 + 1e-9)
        #expect(outcome.kw("b1") == 0)
        #expect(outcome.has("TARGET_REACHED"))
        // C is the lightest phase: with consent the plan may use c1 as a sink, up to full.
        let plan = outcome.state.horizon!.plan
        #expect(plan.plannedKWh[plan.evIDs.firstIndex(of: "c1")!] <= 30 + 1e-3)
    }

    @Test("a cut is shared in proportion to the EVs' rates: a 3.7 kW EV is not stopped by a flat kW cut")
    func relativeDeviation() {
        // Both must charge at full rate to leave on time; the envelope allows half of that.
        let big = Self.charger("big", .single(.a), Self.ev(request: 7.4, departureInH: 1, needKWh: 7.4))
        let small = Self.charger("small", .single(.a), Self.ev(request: 3.7, departureInH: 1, needKWh: 3.7))
        var inputs = Self.inputs([big, small])
        inputs.envelope = Envelope(
            agentID: "t", sequence: 1, validUntil: Fixture.now + 60, transformerKW: -100...5.55, phaseKW: nil, reactiveBiasPU: 0)
        let outcome = ControlCycle(policy: Fixture.unramped).run(CycleState(), inputs: inputs, now: Fixture.now)
        #expect(abs(outcome.kw("big") + outcome.kw("small") - 5.55) < 0.01)
        #expect(outcome.kw("small") > 1.5)
        #expect(abs(outcome.kw("small") / outcome.kw("big") - 0.5) < 0.03)
    }

    @Test("an EV short even at full power keeps its rate on the heavy phase: the neutral current takes nothing from it")
    func fullPowerHoldsAgainstNeutral() {
        let short = Self.charger("a1", .single(.a), Self.ev(request: 7.4, departureInH: 2, needKWh: 40))
        let spare = Self.charger("a2", .single(.a), Self.ev(request: 7.4, departureInH: 8, needKWh: 6))
        var inputs = Self.inputs([short, spare])
        inputs.meter = Fixture.meter(kw: PerPhase(a: 18, b: 2, c: 2), time: Fixture.now)  // A within its rating, far above B and C
        let outcome = ControlCycle(policy: Fixture.unramped).run(CycleState(), inputs: inputs, now: Fixture.now)
        #expect(abs(outcome.kw("a1") - 7.4) < 0.01, "\(outcome.decisions)")
        #expect(outcome.kw("a2") < 7.4 - 1)
    }

    @Test("under a cut, an EV short even at full power gives up a tenth of what one that can still make it does")
    func fullPowerGivesLeast() {
        // Both at 7.4 kW for the hour: `timely` needs exactly that, `short` needs more than it can take.
        let timely = Self.charger("timely", .single(.a), Self.ev(request: 7.4, departureInH: 1, needKWh: 7.4))
        let short = Self.charger("short", .single(.a), Self.ev(request: 7.4, departureInH: 1, needKWh: 10))
        var inputs = Self.inputs([timely, short])
        inputs.envelope = Envelope(
            agentID: "t", sequence: 1, validUntil: Fixture.now + 60, transformerKW: -100...7.4, phaseKW: nil, reactiveBiasPU: 0)
        let outcome = ControlCycle(policy: Fixture.unramped).run(CycleState(), inputs: inputs, now: Fixture.now)
        #expect(outcome.decisions.contains { $0.code == "TARGET_UNREACHABLE" && $0.chargerID == "short" })
        #expect(abs(outcome.kw("timely") + outcome.kw("short") - 7.4) < 0.01)
        let cutShort = 7.4 - outcome.kw("short"), cutTimely = 7.4 - outcome.kw("timely")
        #expect(abs(cutShort / cutTimely - 1 / ControlCycle.fullPowerWeightFactor) < 0.02, "cuts \(cutShort) and \(cutTimely) kW")
    }

    @Test("the load history and plug-in times survive the cache; the plan itself is made afresh")
    func stateRoundTrip() throws {
        let chargers = [Self.charger("a1", .single(.a), Self.ev())]
        var state = CycleState()
        var t = Fixture.now
        for _ in 0..<3 {
            state = Self.cycle(state, chargers, at: t).state
            t = t + 900
        }
        let data = try JSONEncoder().encode(state)
        let decoded = try JSONDecoder().decode(CycleState.self, from: data)
        #expect(decoded.loadHistory == state.loadHistory)
        #expect(decoded.pluggedAt == state.pluggedAt)
        #expect(decoded.horizon == nil)
        #expect(state.loadHistory!.days.reduce(0, +) == 2)
    }

    @Test("the forecast takes the same time of day from the history, and the load now where there is none")
    func forecastFromHistory() {
        var history = LoadHistory()
        let day = 86_400.0
        // Yesterday 18:00–18:15 measured 20 kW on A.
        let yesterday = Timestamp(secondsSinceEpoch: 10 * day + 18 * 3600)
        history.record(kw: PerPhase(a: 20, b: 5, c: 5), kvar: PerPhase(repeating: 1), at: yesterday)
        history.record(kw: PerPhase(a: 20, b: 5, c: 5), kvar: PerPhase(repeating: 1), at: yesterday + 900)
        let now = yesterday + (day - 600)  // 17:50 today
        let forecast = history.forecast(
            now: now, kw: PerPhase(repeating: 8), kvar: PerPhase(repeating: 0), steps: 3, stepS: 600)
        #expect(forecast.kw[0].a == 8)  // the load now
        #expect(forecast.kw[1].a == 20)  // 18:05: yesterday's 18:00 slot
        #expect(forecast.kw[2].a == 8)  // 18:15 onwards: never measured
        #expect(forecast.remembered == 1)
    }
}
