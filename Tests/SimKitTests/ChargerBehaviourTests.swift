import GridCore
import SimKit
import Testing

@Suite("Charger behaviour")
struct ChargerBehaviourTests {
    @Test("with no setpoint a charger charges at the EV's request")
    func uncoordinatedCharging() throws {
        var sim = try Fixtures.feeder(chargers: [Fixtures.charger("evse-01", sessions: [Fixtures.session(requestKW: 3.7)])])
        sim.advance(by: 30)
        let charger = try #require(sim.observe().charger("evse-01"))
        #expect(abs(charger.measuredKW - 3.7) < 1e-6)
        #expect(charger.setpointKW == nil)
        #expect(charger.ev?.requestedKW == 3.7)
    }

    @Test("a 0 setpoint stops the charger and never reverses it")
    func zeroStops() throws {
        var sim = try Fixtures.feeder(chargers: [Fixtures.charger("evse-01", responseS: 5)])
        sim.advance(by: 60)
        try sim.apply(setpoint: "evse-01", activeKW: 0, revertAfterS: 600)
        var lowest = Double.infinity
        for _ in 0..<120 {
            sim.advance(by: 0.5)
            lowest = min(lowest, try #require(sim.observe().charger("evse-01")).measuredKW)
        }
        #expect(lowest >= 0)
        #expect(try #require(sim.observe().charger("evse-01")).measuredKW < 0.01)
    }

    @Test("the output follows a setpoint with a first-order response")
    func firstOrder() throws {
        var sim = try Fixtures.feeder(chargers: [Fixtures.charger("evse-01", sessions: [Fixtures.session(requestKW: 0)], responseS: 4)])
        try sim.apply(setpoint: "evse-01", activeKW: -6, revertAfterS: 600)
        sim.advance(by: 4)
        let oneTau = try #require(sim.observe().charger("evse-01")).measuredKW
        #expect(abs(oneTau - -6 * (1 - 1 / 2.718281828459045)) < 0.01)
        sim.advance(by: 60)
        #expect(abs(try #require(sim.observe().charger("evse-01")).measuredKW - -6) < 1e-3)
    }

    @Test("after the reversion time without a new setpoint the charger returns to the EV's request")
    func reversion() throws {
        var sim = try Fixtures.feeder(chargers: [Fixtures.charger("evse-01")])
        try sim.apply(setpoint: "evse-01", activeKW: 2, revertAfterS: 30)
        sim.advance(by: 29)
        let held = try #require(sim.observe().charger("evse-01"))
        #expect(abs(held.measuredKW - 2) < 1e-3)
        #expect(held.setpointKW == 2)
        sim.advance(by: 31)
        let reverted = try #require(sim.observe().charger("evse-01"))
        #expect(reverted.setpointKW == nil)
        #expect(abs(reverted.measuredKW - 7.4) < 1e-3)
    }

    @Test("a refreshed setpoint restarts the reversion timer")
    func refresh() throws {
        var sim = try Fixtures.feeder(chargers: [Fixtures.charger("evse-01")])
        for _ in 0..<6 {
            try sim.apply(setpoint: "evse-01", activeKW: 1, revertAfterS: 30)
            sim.advance(by: 20)
        }
        #expect(abs(try #require(sim.observe().charger("evse-01")).measuredKW - 1) < 1e-3)
    }

    @Test("setpoints are clamped to the ratings and the EV's consent", arguments: [
        (20.0, true, 7.4), (-20.0, true, -7.4), (-5.0, false, 0.0),
    ])
    func clamps(setpointKW: Double, v2g: Bool, expected: Double) throws {
        var sim = try Fixtures.feeder(chargers: [Fixtures.charger("evse-01", sessions: [Fixtures.session(v2g: v2g)])])
        try sim.apply(setpoint: "evse-01", activeKW: setpointKW, reactiveKvar: 5, revertAfterS: 600)
        sim.advance(by: 30)
        let charger = try #require(sim.observe().charger("evse-01"))
        #expect(abs(charger.measuredKW - expected) < 1e-3)
        // P has priority: Q only within sqrt(S² − P²).
        #expect(charger.measuredKW * charger.measuredKW + charger.measuredKvar * charger.measuredKvar <= 7.4 * 7.4 + 1e-6)
    }

    @Test("the SoC integrates exactly the energy the charger delivered", arguments: [7.4, -7.4, 3.0])
    func energyConservation(setpointKW: Double) throws {
        var sim = try Fixtures.feeder(chargers: [Fixtures.charger("evse-01", sessions: [Fixtures.session(kwh: 60, soc: 50)])])
        try sim.apply(setpoint: "evse-01", activeKW: setpointKW, revertAfterS: 0)
        var integratedKWh = 0.0
        let before = try #require(sim.observe().charger("evse-01")?.ev?.socPercent)
        for _ in 0..<3600 {
            sim.advance(by: 1)
            integratedKWh += try #require(sim.observe().charger("evse-01")).measuredKW / 3600
        }
        let after = try #require(sim.observe().charger("evse-01")?.ev?.socPercent)
        #expect(abs((after - before) / 100 * 60 - integratedKWh) < 1e-9)
        let session = try #require(sim.sessions.first)
        #expect(abs(session.deliveredKWh - integratedKWh) < 1e-9)
    }

    @Test("the BMS stops charging at 100 % and discharging at 0 %", arguments: [(98.0, 7.4, 100.0), (1.0, -7.4, 0.0)])
    func bmsLimits(soc: Double, setpointKW: Double, limit: Double) throws {
        var sim = try Fixtures.feeder(
            chargers: [Fixtures.charger("evse-01", sessions: [Fixtures.session(kwh: 40, soc: soc, target: 100)])]
        )
        try sim.apply(setpoint: "evse-01", activeKW: setpointKW, revertAfterS: 0)
        sim.advance(by: 3600)
        let charger = try #require(sim.observe().charger("evse-01"))
        #expect(charger.ev?.socPercent == limit)
        #expect(charger.measuredKW == 0)
    }

    @Test("an uncoordinated EV stops at its target and the session reports it met")
    func targetMet() throws {
        var sim = try Fixtures.feeder(
            chargers: [Fixtures.charger("evse-01", sessions: [Fixtures.session(departS: 7200, kwh: 40, soc: 70, target: 80)])]
        )
        sim.advance(by: 7300)
        let outcome = try #require(sim.metrics.completedSessions.first)
        #expect(outcome.metTarget == true)
        #expect(outcome.finalSocPercent >= 80 && outcome.finalSocPercent < 80.1)
        #expect(sim.observe().charger("evse-01")?.ev == nil)
    }

    @Test("an EV held at 0 leaves short of its target")
    func targetMissed() throws {
        var sim = try Fixtures.feeder(chargers: [Fixtures.charger("evse-01", sessions: [Fixtures.session(departS: 600)])])
        try sim.apply(setpoint: "evse-01", activeKW: 0, revertAfterS: 0)
        sim.advance(by: 700)
        #expect(sim.metrics.completedSessions.first?.metTarget == false)
    }

    @Test("a charger off the bus refuses setpoints, keeps running and reverts by itself")
    func offline() throws {
        let event = "{\"kind\": \"charger_offline\", \"start\": \(Fixtures.start + 10), \"duration_s\": 120, \"charger\": \"evse-01\"}"
        var sim = try Fixtures.feeder(chargers: [Fixtures.charger("evse-01")], events: [event])
        try sim.apply(setpoint: "evse-01", activeKW: 1, revertAfterS: 30)
        sim.advance(by: 15)
        #expect(sim.observe().charger("evse-01")?.online == false)
        let error = #expect(throws: SimulationError.self) { try sim.apply(setpoint: "evse-01", activeKW: 1, revertAfterS: 30) }
        #expect(error?.isOffline == true)
        sim.advance(by: 30)
        #expect(abs(try #require(sim.observe().charger("evse-01")).measuredKW - 7.4) < 1e-3)
        sim.advance(by: 100)
        #expect(sim.observe().charger("evse-01")?.online == true)
        #expect(throws: SimulationError.self) { try sim.apply(setpoint: "evse-99", activeKW: 1, revertAfterS: 30) }
    }
}
