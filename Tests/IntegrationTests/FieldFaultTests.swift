import AgentKit
import GridCore
import SimKit
import Testing

/// The bad-input evidence, over real Modbus TCP on loopback with a real SQLite cache.
@Suite("Agent over Modbus: faults in the field", .serialized)
struct FieldFaultTests {
    static let start = 1_752_598_800.0

    @Test("a charger that drops off mid-balance is planned at 0, alarmed, and re-planned when it returns")
    func chargerDropsOff() throws {
        let run = try ModbusLoop(scenario: "faults")
        run.run(untilOffsetS: 1790)
        #expect(run.outcomes.last?.mode == .regulating)
        run.run(untilOffsetS: 1830)
        let during = try #require(run.outcomes.last)
        #expect(during.decisions.contains { $0.code == "CHARGER_OFFLINE" && $0.chargerID == "evse-02" })
        #expect(during.setpoints.first { $0.chargerID == "evse-02" }?.activePowerKW == 0)
        #expect(run.loop.lastFieldAlarms.contains { $0.device == "evse-02" })
        #expect(during.mode == .regulating, "one charger gone must not stop the others")
        // Back after 300 s (plus backoff): written afresh.
        run.run(untilOffsetS: 2200)
        let back = run.outcomes.suffix(60)
        #expect(back.contains { $0.writes.contains { $0.chargerID == "evse-02" } })
        #expect(run.outcomes.last?.decisions.contains { $0.code == "CHARGER_OFFLINE" } == false)
    }

    @Test("a frozen meter puts the agent in the safe state within 3 cycles, with no discharge")
    func frozenMeter() throws {
        let run = try ModbusLoop(scenario: "faults")
        run.run(untilOffsetS: 2700)
        let before = run.outcomes.count
        run.run(untilOffsetS: 2700 + 3 * run.period + 0.5)
        let cycles = run.outcomes[before...]
        #expect(cycles.contains { $0.mode == .safeState }, "modes: \(cycles.map(\.mode))")
        let safe = try #require(cycles.first { $0.mode == .safeState })
        #expect(safe.decisions.contains { $0.code == "DATA_FROZEN" })
        #expect(safe.setpoints.allSatisfy { $0.activePowerKW >= 0 })
        // The meter thaws after 120 s; the agent regulates again.
        run.run(untilOffsetS: 2900)
        #expect(run.outcomes.last?.mode == .regulating)
    }

    @Test("garbage meter registers: alarm and safe state, never a NaN or a discharge; then recovery")
    func garbageMeter() throws {
        let run = try ModbusLoop(scenario: "faults")
        run.run(untilOffsetS: 3600 + 3 * run.period + 0.5)
        let recent = run.outcomes.suffix(4)
        #expect(recent.contains { $0.mode == .safeState })
        for outcome in run.outcomes {
            #expect(outcome.setpoints.allSatisfy { $0.activePowerKW.isFinite && $0.reactivePowerKvar.isFinite })
            if outcome.mode != .regulating { #expect(outcome.setpoints.allSatisfy { $0.activePowerKW >= 0 }) }
        }
        run.run(untilOffsetS: 3800)
        #expect(run.outcomes.last?.mode == .regulating)
    }

    @Test("a charger serving garbage is treated as offline, and the rest regulate")
    func garbageCharger() throws {
        let run = try ModbusLoop(scenario: "faults")
        run.run(untilOffsetS: 4200 + 2 * run.period)
        let outcome = try #require(run.outcomes.last)
        #expect(outcome.mode == .regulating)
        let evse03 = try #require(outcome.setpoints.first { $0.chargerID == "evse-03" })
        #expect(evse03.activePowerKW.isFinite)
        #expect(run.loop.lastFieldAlarms.contains { $0.device == "evse-03" } || outcome.decisions.contains { $0.chargerID == "evse-03" && $0.code == "CHARGER_OFFLINE" })
    }

    @Test("kill -9 and restart while offline: the policy and the hot-spot estimate survive; regulation resumes")
    func restartOffline() throws {
        let run = try ModbusLoop(scenario: "overload-evening")
        run.run(untilOffsetS: 7200)
        let before = try #require(run.loop.state.thermal)
        let policyBefore = run.loop.policy
        run.restartAgent()
        #expect(run.loop.policy == policyBefore)
        let restored = try #require(run.loop.state.thermal)
        #expect(restored == before, "the hot-spot estimate must come back exactly, not cold")
        // Warm enough that a cold restart (ambient) would show: the plan spreads the evening's charging, so the
        // hot-spot after 2 h is lower than it was before the planner.
        #expect(restored.hotSpotC > 60)
        let outcome = run.step()
        #expect(outcome.mode == .regulating)
        #expect(!outcome.writes.isEmpty, "after a restart every charger is written afresh")
    }
}
