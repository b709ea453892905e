import FoundationEssentials
import GridCore
@testable import SimKit
import Testing

/// The figures a run is judged by, and the lapses behind them.
@Suite("Run figures and setpoint lapses")
struct RunFiguresTests {
    @Test("a lapsed setpoint holds the reversion value written (0 = stop) and is counted")
    func reversionValueHeld() throws {
        var sim = try Fixtures.feeder(chargers: [Fixtures.charger("evse-01")])
        try sim.apply(setpoint: "evse-01", activeKW: 2, revertAfterS: 30, revertTo: .stop)
        sim.advance(by: 29)
        #expect(sim.metrics.lapses.isEmpty)
        sim.advance(by: 31)
        let charger = try #require(sim.observe().charger("evse-01"))
        #expect(charger.setpointKW == 0)
        #expect(abs(charger.measuredKW) < 1e-3)
        #expect(sim.metrics.lapses.count == 1)
        #expect(sim.metrics.lapses.first?.chargerID == "evse-01")
        #expect(sim.metrics.lapses.first?.at == Timestamp(secondsSinceEpoch: Fixtures.start + 30))
        // A reversion value other than a stop is held too.
        try sim.apply(setpoint: "evse-01", activeKW: 5, revertAfterS: 10, revertTo: Reversion(activeKW: 1.5, reactiveKvar: 0))
        sim.advance(by: 40)
        #expect(abs(try #require(sim.observe().charger("evse-01")).measuredKW - 1.5) < 1e-3)
        #expect(sim.metrics.lapses.count == 2)
    }

    @Test("refreshed in time, a setpoint never lapses")
    func refreshedNeverLapses() throws {
        var sim = try Fixtures.feeder(chargers: [Fixtures.charger("evse-01")])
        for _ in 0..<20 {
            try sim.apply(setpoint: "evse-01", activeKW: 1, revertAfterS: 30, revertTo: .stop)
            sim.advance(by: 25)
        }
        #expect(sim.metrics.lapses.isEmpty)
    }

    @Test("1-minute and 10-minute maxima are means over fixed windows; the VUF p95 is over 10-minute values")
    func windows() {
        var windows = WindowMeans(windowS: 60, keepsAll: true)
        // 10 s at 100 A inside a minute of 10 A: the 1-s peak is 100, the minute's mean 25.
        for s in 1...180 { windows.add(s > 60 && s <= 70 ? 100 : 10, over: 1, endingAt: Double(s)) }
        #expect(windows.count == 3)
        #expect(abs((windows.largest ?? 0) - 25) < 1e-9)
        #expect(windows.means.count == 3)
        var twenty = WindowMeans(windowS: 1, keepsAll: true)
        for s in 1...20 { twenty.add(Double(s), over: 1, endingAt: Double(s)) }
        #expect(twenty.percentile(95) == 19)  // nearest rank: the 19th of 20
        #expect(twenty.percentile(100) == 20)
        #expect(WindowMeans(windowS: 600).largest == nil)
    }

    @Test("steps that straddle a window's end are split at it: a paced run loses no window")
    func straddlingSteps() throws {
        var windows = WindowMeans(windowS: 60)
        var t = 0.0
        while t < 600 - 1e-9 {
            let dt = min(0.7, 600 - t)
            t += dt
            windows.add(t < 300 ? 1 : 3, over: dt, endingAt: t)
        }
        #expect(windows.count == 10)
        #expect(abs((windows.largest ?? 0) - 3) < 1e-9)
        // The simulator advanced in uneven chunks, as the paced runner does: every 10-minute interval counts.
        var sim = FeederSimulation(scenario: try Fixtures.example("evening-unbalanced"))
        for _ in 0..<90 { sim.advance(by: 200.37) }
        #expect(sim.metrics.vufIntervals == Int(sim.metrics.elapsedS / 600))
    }

    @Test("per EV: needed, delivered, shortfall, past target, discharged, lowest SoC")
    func evFigures() throws {
        // 60 kWh from 30 % to 90 % is 36 kWh; at 3.7 kW for 4 h the EV can get 14.8 kWh: that is its need.
        let session = Fixtures.session(departS: 4 * 3600, kwh: 60, soc: 30, target: 90, requestKW: 3.7)
        var sim = try Fixtures.feeder(chargers: [Fixtures.charger("evse-01", sessions: [session])])
        try sim.apply(setpoint: "evse-01", activeKW: -3, revertAfterS: 0)  // discharge for 10 min
        sim.advance(by: 600)
        try sim.apply(setpoint: "evse-01", activeKW: 0, revertAfterS: 0)
        sim.advance(by: 4 * 3600)
        let figures = RunFigures(simulation: sim)
        let ev = try #require(figures.evs.first)
        #expect(abs(ev.neededKWh - 14.8) < 1e-9)
        #expect(abs(ev.deliveredKWh - -0.5) < 0.02)
        #expect(abs(ev.shortfallKWh - (14.8 - ev.deliveredKWh)) < 1e-9)
        #expect(abs(ev.dischargedKWh - 0.5) < 0.02)
        #expect(abs(ev.minSocPercent - (30 - 0.5 / 60 * 100)) < 0.05)
        #expect(ev.chargedPastTargetKWh == 0)
        #expect(ev.metTarget == false)
        #expect(figures.evShortfallKWh == ev.shortfallKWh)
    }

    @Test("energy charged above the driver's target is counted as charged past target")
    func pastTarget() throws {
        let session = Fixtures.session(departS: 3600, kwh: 50, soc: 79, target: 80, requestKW: 7.4)
        var sim = try Fixtures.feeder(chargers: [Fixtures.charger("evse-01", sessions: [session])])
        try sim.apply(setpoint: "evse-01", activeKW: 5, revertAfterS: 0)
        sim.advance(by: 3600)
        let ev = try #require(RunFigures(simulation: sim).evs.first)
        // 0.5 kWh to the target, the rest of the 5 kWh hour (up to 100 %) past it.
        #expect(abs(ev.chargedPastTargetKWh - (ev.deliveredKWh - 0.5)) < 0.01)
        #expect(ev.chargedPastTargetKWh > 4)
    }

    @Test("without setpoints every EV gets exactly what it needs: the baseline's shortfall is nil to the kWh")
    func baselineMeetsNeed() throws {
        var loop = InProcessLoop(scenario: try Fixtures.example("evening-unbalanced"), policy: nil)
        loop.run(until: loop.simulation.scenario.lastDeparture)
        let figures = RunFigures(simulation: loop.simulation)
        #expect(figures.evs.count == 12)
        #expect(figures.evShortfallMaxKWh < 0.05)
        // The BMS stops at the target within the step that crosses it, and the output decays over its response time.
        #expect(figures.evs.allSatisfy { $0.chargedPastTargetKWh < 0.01 })
        #expect(figures.setpointLapses == 0)
        let p95 = try #require(figures.vufP95TenMinutePercent)
        #expect(p95 <= (figures.vufMaxTenMinutePercent ?? 0))
        #expect((figures.neutralMax1MinA ?? 0) >= (figures.neutralMax10MinA ?? .infinity))
        #expect((figures.neutralMax10MinA ?? 0) >= figures.neutralMeanA)
    }
}
