import GridCore
import Testing
@testable import MeshPlanner

/// The envelopes, handed to the agent's own control cycle (GridCore's `ControlCycle`, as the agent runs it), give
/// the planned phase powers: the planner and the agent read an envelope the same way.
@Suite struct AgentEnvelopeTests {
    static func agentCharger(_ c: ChargerReport, measuredKW: Double) -> ChargerState {
        let ev = c.ev.map { ev in
            // 60 kWh batteries; energy above the policy's 20 % minimum SoC as the planner was told. Each EV requests
            // its charger's rating: the agent never charges above an EV's request, and the snapshot carries none, so
            // the planner takes the rating (docs/neighborhood.md, "EV flexibility").
            EVState(
                socPercent: 20 + ev.energyAvailableKWh / 60 * 100, batteryTempC: 25, capacityKWh: 60, requestedKW: c.ratedChargeKW,
                departure: ev.departure, energyNeededKWh: ev.energyNeededKWh, dischargeAllowed: ev.v2gAgreed)
        }
        return ChargerState(
            id: c.id, connection: c.connection, ratedChargeKW: c.ratedChargeKW, ratedDischargeKW: c.ratedDischargeKW,
            ratedKVA: c.ratedKVA, measuredKW: measuredKW, ev: ev)
    }

    /// Runs the agent's cycle once a second with the envelope, the chargers following their setpoints, and returns
    /// the last setpoints by charger and every decision code seen.
    static func runAgent(_ report: TransformerReport, envelope: Envelope, cycles: Int = 60) -> (setpoints: [String: Double], codes: Set<String>) {
        var policy = ControlPolicy()
        policy.transformer.ratedKVA = report.ratedKVA
        let cycle = ControlCycle(policy: policy)
        let household = Fixture.household(report)
        var measured = Dictionary(uniqueKeysWithValues: report.chargers.map { ($0.id, $0.powerKW) })
        var state = CycleState()
        var codes: Set<String> = []
        var setpoints: [String: Double] = [:]
        for k in 0..<cycles {
            let now = Fixture.now + Double(k)
            var p = household
            for c in report.chargers {
                for phase in c.connection.phases { p[phase.index] += c.connection.share(of: phase) * measured[c.id]! }
            }
            let wobble = 0.01 * Double(k % 3)  // a live meter never repeats itself exactly
            let meter = MeterReading(
                time: now, voltageV: PerPhase(repeating: 230 + wobble), currentA: PerPhase { p[$0.index] * 1000 / 230 },
                activePowerKW: PerPhase { p[$0.index] + wobble }, reactivePowerKvar: PerPhase(repeating: 0), frequencyHz: 60)
            let inputs = CycleInputs(
                meter: meter, ambientC: report.thermal.ambientC,
                chargers: report.chargers.map { agentCharger($0, measuredKW: measured[$0.id]!) }, envelope: envelope)
            let outcome = cycle.run(state, inputs: inputs, now: now)
            state = outcome.state
            codes.formUnion(outcome.decisions.map(\.code))
            for s in outcome.setpoints {
                measured[s.chargerID] = s.activePowerKW
                setpoints[s.chargerID] = s.activePowerKW
            }
        }
        return (setpoints, codes)
    }

    static func phaseSums(_ report: TransformerReport, _ setpoints: [String: Double]) -> SIMD3<Double> {
        var x = SIMD3<Double>.zero
        for c in report.chargers {
            for phase in c.connection.phases { x[phase.index] += c.connection.share(of: phase) * (setpoints[c.id] ?? 0) }
        }
        return x
    }

    @Test func theAgentLandsOnTheDischargePlan() throws {
        let chargers = [Phase.a, .a, .b, .b, .c, .c].enumerated().map { Fixture.v2g("v\($0.offset)", .single($0.element)) }
        let report = Fixture.transformer("t", household: SIMD3(12, 9, 10), chargers: chargers)
        let plan = Fixture.plan([report], [Fixture.goal("g", .discharge(kilowatts: 20))])
        let allocation = plan.transformers[0]
        let envelope = try #require(allocation.envelope(sequence: 1, validUntil: Fixture.now + 120))
        let (setpoints, codes) = Self.runAgent(report, envelope: envelope)
        let x = Self.phaseSums(report, setpoints)
        #expect(abs(x.x - allocation.phaseKW!.a) < 0.05 && abs(x.y - allocation.phaseKW!.b) < 0.05 && abs(x.z - allocation.phaseKW!.c) < 0.05,
                "agent \(x), plan \(allocation.x)")
        #expect(codes.contains("ENVELOPE_APPLIED") && !codes.contains("ENVELOPE_CONFLICT") && !codes.contains("LIMIT_UNREACHABLE"))
    }

    @Test func theAgentKeepsChargingTheEVThatMustWhileTheOthersDischarge() throws {
        let urgent = ChargerReport(
            id: "urgent", connection: .single(.a), ratedChargeKW: 7.4, ratedDischargeKW: 7.4,
            ev: EVReport(socPercent: 40, energyAvailableKWh: 12, energyNeededKWh: 3, departure: Fixture.now + 1800, v2gAgreed: true))
        let chargers = [urgent] + [Phase.b, .b, .c, .c].enumerated().map { Fixture.v2g("v\($0.offset)", .single($0.element)) }
        let report = Fixture.transformer("t", chargers: chargers)
        let plan = Fixture.plan([report], [Fixture.goal("g", .discharge(kilowatts: 10))])
        let allocation = plan.transformers[0]
        #expect(allocation.mode == .mixed && allocation.phaseKW!.a >= 4.6 - 1e-9)
        let envelope = try #require(allocation.envelope(sequence: 1, validUntil: Fixture.now + 120))
        let (setpoints, codes) = Self.runAgent(report, envelope: envelope)
        #expect(setpoints["urgent"]! >= 4.6 - 0.05, "the EV that must charge got \(setpoints["urgent"]!) kW")
        let x = Self.phaseSums(report, setpoints)
        #expect(abs(x.y - allocation.phaseKW!.b) < 0.05 && abs(x.z - allocation.phaseKW!.c) < 0.05, "agent \(x), plan \(allocation.x)")
        #expect(!codes.contains("ENVELOPE_CONFLICT"))
    }

    @Test func theAgentHoldsTheCeilingOfACap() throws {
        let chargers = [Phase.a, .b, .c].enumerated().map { Fixture.charging("c\($0.offset)", .single($0.element)) }
        let t1 = Fixture.transformer("t1", chargers: chargers)
        let t2 = Fixture.transformer("t2", chargers: chargers)
        let plan = Fixture.plan([t1, t2], [Fixture.goal("cap", .importCap(kilowatts: 72))])
        #expect(plan.envelopeShape == .ceiling)
        let allocation = plan.transformers[0]
        let (setpoints, _) = Self.runAgent(t1, envelope: try #require(allocation.envelope(sequence: 1, validUntil: Fixture.now + 120)))
        let x = Self.phaseSums(t1, setpoints)
        for i in 0..<3 { #expect(x[i] <= allocation.x[i] + 0.05, "phase \(i): agent \(x[i]) over the ceiling \(allocation.x[i])") }
    }
}
