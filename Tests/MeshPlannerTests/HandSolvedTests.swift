import GridCore
import Testing
@testable import MeshPlanner

/// Cases small enough to solve on paper: the expected powers come from the optimality conditions
/// P_i = clamp(λ·h_i, Lo_i, Hi_i), with h_i from the thermal model directly.
@Suite struct HandSolvedTests {
    static func sixV2G(_ prefix: String) -> [ChargerReport] {
        [Phase.a, .a, .b, .b, .c, .c].enumerated().map { Fixture.v2g("\(prefix)\($0.offset)", .single($0.element)) }
    }

    @Test func dischargeSplitsInProportionToHeadroom() throws {
        let t1 = Fixture.transformer("t1", household: SIMD3(10, 10, 10), chargers: Self.sixV2G("a"))
        let t2 = Fixture.transformer("t2", household: SIMD3(20, 20, 20), chargers: Self.sixV2G("b"))
        let plan = Fixture.plan([t1, t2], [Fixture.goal("g", .discharge(kilowatts: 30))])
        // Discharge headroom from zero EV power: R + B (down to reverse flow at the thermal limit).
        let h1 = -Fixture.thermalInterval(t1).lower, h2 = -Fixture.thermalInterval(t2).lower
        let p1 = -30 * h1 / (h1 + h2), p2 = -30 * h2 / (h1 + h2)
        #expect(plan.pass == .discharge)
        #expect(plan.envelopeShape == .exact)
        #expect(close(plan.transformers[0].plannedKW!, p1, 1e-7))
        #expect(close(plan.transformers[1].plannedKW!, p2, 1e-7))
        #expect(close(plan.objectiveKW, p1 * p1 / h1 + p2 * p2 / h2, 1e-7))
        #expect(close(plan.multiplier, -30 / (h1 + h2), 1e-7))
        #expect(plan.goal?.met == true && plan.goal?.shortfallKW == 0)
        // Balanced households: each phase takes a third, and the envelope is the plan itself.
        let t = plan.transformers[0]
        #expect(close(t.phaseKW!.a, p1 / 3, 1e-7) && close(t.phaseKW!.b, p1 / 3, 1e-7) && close(t.phaseKW!.c, p1 / 3, 1e-7))
        #expect(t.envelopeKW!.a == KilowattInterval(t.phaseKW!.a, t.phaseKW!.a))
        #expect(t.mode == .discharging)
        #expect(close(t.headroomUsedPercent!, 100 * 30 / (h1 + h2), 1e-7))
    }

    @Test func aTransformerAtItsEVLimitLeavesTheRestToTheOthers() throws {
        let t1 = Fixture.transformer("t1", chargers: [Fixture.v2g("a0")])
        let t2 = Fixture.transformer("t2", chargers: Self.sixV2G("b"))
        let plan = Fixture.plan([t1, t2], [Fixture.goal("g", .discharge(kilowatts: 40))])
        let h2 = -Fixture.thermalInterval(t2).lower, h1 = -Fixture.thermalInterval(t1).lower
        #expect(close(plan.transformers[0].plannedKW!, -7.4, 1e-9))
        #expect(close(plan.transformers[1].plannedKW!, -32.6, 1e-9))
        #expect(close(plan.multiplier, -32.6 / h2, 1e-9))
        #expect(close(plan.objectiveKW, 7.4 * 7.4 / h1 + 32.6 * 32.6 / h2, 1e-9))
        #expect(plan.transformers[0].limit == .evFleet)
        #expect(plan.transformers[0].evLimit == .chargerRating)
        #expect(plan.transformers[1].limit == nil)
    }

    @Test func departureFloorAndTheShortfallItCauses() throws {
        // Leaves in 30 min needing 3 kWh; horizon 15 min: P·0.25 + 7.4·0.25 ≥ 3, so P ≥ 4.6 kW.
        let urgent = ChargerReport(
            id: "urgent", connection: .single(.a), ratedChargeKW: 7.4, ratedDischargeKW: 7.4,
            ev: EVReport(socPercent: 60, energyAvailableKWh: 24, energyNeededKWh: 3, departure: Fixture.now + 1800, v2gAgreed: true))
        let t = Fixture.transformer("t", chargers: [urgent, Fixture.v2g("b0", .single(.b))])
        let bounds = ChargerBounds(urgent, now: Fixture.now, horizonH: 0.25)
        #expect(close(bounds.lowerKW, 4.6, 1e-12) && bounds.lowerReason == .departureNeed)
        let plan = Fixture.plan([t], [Fixture.goal("g", .discharge(kilowatts: 10))])
        let a = plan.transformers[0]
        #expect(a.mode == .mixed)
        #expect(close(a.phaseKW!.a, 4.6, 1e-9) && close(a.phaseKW!.b, -7.4, 1e-9) && a.phaseKW!.c == 0)
        #expect(close(plan.goal!.plannedKW, -2.8, 1e-9))
        #expect(close(plan.goal!.shortfallKW, 7.2, 1e-9))
        #expect(plan.goal!.reason == .evFleet)
        #expect(a.evNeedKW == 4.6)
        // The phase with the EV that must charge keeps a positive upper bound: the agent never stops it.
        #expect(a.envelopeKW!.a.upperKW > 0)
    }

    @Test func phasesSplitToEqualLoadsWhereTheyCan() throws {
        let chargers = [Phase.a, .a, .b, .b, .c, .c].enumerated().map { Fixture.charging("c\($0.offset)", .single($0.element)) }
        let t = Fixture.transformer("t", household: SIMD3(10, 4, 4), chargers: chargers)
        let plan = Fixture.plan([t], [Fixture.goal("g", .absorb(kilowatts: 6))])
        // Equal loads would be 8 kW each, but phase A is at 10 with no EV that may discharge: A 0, B and C 3 each.
        let x = plan.transformers[0].phaseKW!
        #expect(close(x.a, 0, 1e-9) && close(x.b, 3, 1e-9) && close(x.c, 3, 1e-9))
        #expect(plan.pass == .absorb && plan.transformers[0].mode == .charging)
    }

    @Test func theBalanceLimitBindsAndIsReported() throws {
        let t = Fixture.transformer("t", balance: 3, chargers: [Fixture.v2g("a0"), Fixture.v2g("a1")])
        let plan = Fixture.plan([t], [Fixture.goal("g", .discharge(kilowatts: 10))])
        #expect(close(plan.transformers[0].phaseKW!.a, -3, 1e-6))
        #expect(close(plan.goal!.shortfallKW, 7, 1e-6))
        #expect(plan.goal!.reason == .phaseBalance)
        #expect(plan.transformers[0].limit == .phaseBalance)
    }

    @Test func aHotTransformerStopsAtItsThermalLimit() throws {
        let chargers = (0..<12).map { Fixture.charging("c\($0)", .single([Phase.a, .b, .c][$0 % 3])) }
        let t = Fixture.transformer("t", household: SIMD3(15, 15, 15), ambient: 30, topOil: 75, hotSpot: 90, chargers: chargers)
        let interval = Fixture.thermalInterval(t)
        #expect(interval.upper > 0 && interval.upper < 80)
        let plan = Fixture.plan([t], [Fixture.goal("g", .absorb(kilowatts: 80))])
        let a = plan.transformers[0]
        #expect(close(a.plannedKW!, interval.upper, 1e-9))
        #expect(a.limit == .thermal && plan.goal!.reason == .thermal)
        let peak = Fixture.forecastHotSpot(t, evKW: a.plannedKW!)
        #expect(peak <= 97 + 1e-9 && peak > 96.9)
    }

    @Test func noGoalMeansNoEnvelope() {
        let plan = Fixture.plan([Fixture.transformer("t", chargers: Self.sixV2G("a"))], [])
        #expect(plan.pass == .none && plan.envelopeShape == nil && plan.goal == nil)
        #expect(plan.transformers[0].envelopeKW == nil)
        #expect(plan.transformers[0].envelope(sequence: 1, validUntil: Fixture.now + 60) == nil)
    }

    @Test func anImportCapAloneSetsCeilings() throws {
        let chargers = [Phase.a, .a, .b, .b, .c, .c].enumerated().map { Fixture.charging("c\($0.offset)", .single($0.element)) }
            + [Fixture.v2g("v", .single(.a))]
        let t1 = Fixture.transformer("t1", chargers: chargers)
        let t2 = Fixture.transformer("t2", chargers: chargers)
        // Households draw 60 kW; the EVs could add 2 × 51.8; the cap leaves them 40.
        let plan = Fixture.plan([t1, t2], [Fixture.goal("cap", .importCap(kilowatts: 100))])
        #expect(plan.envelopeShape == .ceiling && plan.pass == .absorb)
        #expect(close(plan.totals.evPlannedKW!, 40, 1e-9))
        #expect(plan.importCap!.binding && plan.importCap!.met)
        #expect(close(plan.importCap!.importKW, 100, 1e-9))
        let envelope = plan.transformers[0].envelopeKW!
        // The ceiling leaves discharge open (the V2G EV on A) and caps charging at the plan.
        #expect(envelope.a.lowerKW == -7.4 && close(envelope.a.upperKW, plan.transformers[0].phaseKW!.a, 1e-12))
        #expect(envelope.b.lowerKW == 0)
        let signed = try #require(plan.transformers[0].envelope(sequence: 7, validUntil: Fixture.now + 60))
        #expect(signed.transformerKW == nil && signed.phaseKW?.a == envelope.a.range && signed.sequence == 7)
    }

    @Test func aLooseCapDoesNotBind() {
        let plan = Fixture.plan([Fixture.transformer("t", chargers: [Fixture.charging("c")])], [Fixture.goal("cap", .importCap(kilowatts: 500))])
        #expect(plan.pass == .none && plan.importCap?.binding == false && plan.importCap?.met == true)
    }

    @Test func staleAndFutureReportsAreLeftOut() {
        let fresh = Fixture.transformer("fresh", chargers: Self.sixV2G("a"))
        let stale = Fixture.transformer("stale", chargers: Self.sixV2G("b"), reportAge: 11)
        let future = Fixture.transformer("future", chargers: Self.sixV2G("c"), reportAge: -11)
        let plan = Fixture.plan([fresh, stale, future], [Fixture.goal("g", .discharge(kilowatts: 20))])
        #expect(plan.transformers.map(\.id) == ["fresh"])
        #expect(plan.leftOut.map(\.reason) == [.stale, .futureReport])
        #expect(plan.leftOut[0].detail.contains("11.0 s old"))
        #expect(close(plan.totals.leftOutImportKW, 60, 1e-12))
        #expect(close(plan.goal!.plannedKW, -20, 1e-9))
    }

    @Test func noTransformersIsAShortfallWithItsReason() {
        let stale = Fixture.transformer("stale", chargers: Self.sixV2G("b"), reportAge: 60)
        let plan = Fixture.plan([stale], [Fixture.goal("g", .discharge(kilowatts: 20))])
        #expect(plan.goal?.met == false && plan.goal?.shortfallKW == 20 && plan.goal?.reason == .noTransformers)
    }

    @Test func withoutThermalHeadroomATransformerIsLeftToItsAgent() {
        let hot = Fixture.transformer("hot", ambient: 40, topOil: 90, hotSpot: 99, chargers: Self.sixV2G("a"))
        let plan = Fixture.plan([hot], [Fixture.goal("g", .discharge(kilowatts: 5))])
        #expect(plan.leftOut.first?.reason == .noThermalHeadroom)
        #expect(plan.transformers.isEmpty)
    }

    @Test func evNeedsOverTheThermalLimitLeaveTheTransformerToItsAgent() {
        let urgent = (0..<9).map { i in
            ChargerReport(
                id: "u\(i)", connection: .single([Phase.a, .b, .c][i % 3]), ratedChargeKW: 22,
                ev: EVReport(socPercent: 20, energyAvailableKWh: 0, energyNeededKWh: 20, departure: Fixture.now + 3600))
        }
        let t = Fixture.transformer("t", household: SIMD3(30, 30, 30), ambient: 30, topOil: 75, hotSpot: 90, balance: nil, chargers: urgent)
        #expect(Fixture.thermalInterval(t).upper < 9 * 20)
        let plan = Fixture.plan([t], [Fixture.goal("g", .absorb(kilowatts: 10))])
        #expect(plan.leftOut.first?.reason == .evNeedOverThermal)
    }
}
