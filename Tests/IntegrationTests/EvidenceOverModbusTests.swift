import AgentKit
import GridCore
import SimKit
import Testing

/// The control evidence, with the agent talking to the simulated field over Modbus TCP on loopback.
/// The baseline is the same scenario with no agent (every EV charges at its request).
@Suite("Agent over Modbus: the evidence scenarios", .serialized)
struct EvidenceOverModbusTests {
    static func baseline(_ name: String, seconds: Double) throws -> ScenarioMetrics {
        var simulation = FeederSimulation(scenario: try ModbusLoop.scenario(name))
        simulation.advance(by: seconds)
        return simulation.metrics
    }

    // The horizon plan keeps the phase-A EVs' energy for the night (first night: no load history), so the evening's
    // average falls by less than a myopic balancer's, which left EVs short by morning; its peak falls more.
    @Test("unbalanced evening, first three hours: neutral current −35 % or better (average and peak), VUF under 2 %")
    func unbalancedEvening() throws {
        let window = 3 * 3600.0
        let run = try ModbusLoop(scenario: "evening-unbalanced")
        run.run(untilOffsetS: window)
        let agent = run.simulation.metrics
        let baseline = try Self.baseline("evening-unbalanced", seconds: window)
        #expect(agent.neutralCurrentAverageA <= 0.65 * baseline.neutralCurrentAverageA,
                "neutral \(baseline.neutralCurrentAverageA) A → \(agent.neutralCurrentAverageA) A")
        #expect(agent.neutralCurrentPeakA <= 0.65 * baseline.neutralCurrentPeakA,
                "neutral peak \(baseline.neutralCurrentPeakA) A → \(agent.neutralCurrentPeakA) A")
        #expect(agent.vufMaxPercent < 2)
        #expect(run.outcomes.allSatisfy { $0.mode == .regulating })
    }

    @Test("sag of phase A to 0.94 pu: its chargers inject Q per Category B, 90 % of the step by Tr")
    func sag() throws {
        let run = try ModbusLoop(scenario: "sag", cycleS: 1)
        let policy = run.loop.policy
        run.run(untilOffsetS: 1199)
        let before = try #require(run.simulation.observe().chargers.first { $0.id == "evse-01" }).measuredKvar / 7.4
        run.run(untilOffsetS: 1200 + policy.voltVar.responseTimeS)
        let atTr = try #require(run.simulation.observe().chargers.first { $0.id == "evse-01" }).measuredKvar / 7.4
        run.run(untilOffsetS: 1500)
        let seen = run.simulation.observe()
        let steady = try #require(seen.chargers.first { $0.id == "evse-01" }).measuredKvar / 7.4
        let v = seen.meter.voltageV.a / policy.transformer.nominalPhaseVoltageV
        let band = ResponseTolerance.steadyStateQBand(curve: policy.voltVar, voltagePU: v, vRefPU: policy.voltVar.vRefPU)
        #expect(band.contains(steady), "Q \(steady) pu outside \(band) at \(v) pu")
        #expect(steady > 0.25)
        // One cycle of sampling and one of writing stand between the sag and the charger, over Modbus.
        #expect(atTr - before >= 0.9 * (steady - before) - 0.075, "\((atTr - before) / (steady - before) * 100) % at Tr")
        let phaseB = try #require(seen.chargers.first { $0.id == "evse-03" }).measuredKvar
        #expect(abs(phaseB) < abs(steady * 7.4) / 2, "chargers on the healthy phases must not follow phase A's sag")
    }

    @Test("overload evening, three hours: the hot-spot never passes the policy limit, charging is throttled")
    func overload() throws {
        let window = 3 * 3600.0
        let run = try ModbusLoop(scenario: "overload-evening")
        run.run(untilOffsetS: window)
        let limit = run.loop.policy.thermal.hotSpotLimitC
        #expect(try Self.baseline("overload-evening", seconds: window).hotSpotPeakC > limit)
        #expect(run.simulation.metrics.hotSpotPeakC <= limit)
        #expect(run.outcomes.contains { $0.decisions.contains { $0.code == "THERMAL_LIMIT" } })
    }
}
