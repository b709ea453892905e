@testable import GridCore
import Testing

/// Thousands of random snapshots: the plan never breaks a limit, whatever the inputs.
@Suite("Control cycle: properties over random snapshots")
struct CyclePropertyTests {
    struct Case {
        var policy: ControlPolicy
        var inputs: CycleInputs
        var state: CycleState
    }

    static func randomCase(_ rng: inout SeededGenerator) -> Case {
        var policy = Fixture.unramped
        policy.ev.dischargeEnabled = Bool.random(using: &rng) || Bool.random(using: &rng)
        policy.balancing.neutralWeight = [0, 0.1, 0.5, 5][Int.random(in: 0...3, using: &rng)]
        // A short plan keeps thousands of snapshots quick; the planner's own properties are in HorizonPlanner*Tests.
        policy.balancing.planHorizonHours = 1
        policy.balancing.planStepMinutes = 15
        let n = Int.random(in: 0...24, using: &rng)
        let chargers = (0..<n).map { i -> ChargerState in
            let connection: PhaseConnection = Int.random(in: 0...5, using: &rng) == 0 ? .threePhase : .single(Phase.allCases[Int.random(in: 0...2, using: &rng)])
            let ratedCharge = [3.7, 7.4, 11, 22][Int.random(in: 0...3, using: &rng)]
            let ratedDischarge = Bool.random(using: &rng) ? ratedCharge : 0
            let ev: EVState? = Int.random(in: 0...4, using: &rng) == 0 ? nil : EVState(
                socPercent: Double.random(in: 0...100, using: &rng),
                batteryTempC: Double.random(in: -10...55, using: &rng),
                capacityKWh: Double.random(in: 20...100, using: &rng),
                requestedKW: Double.random(in: 0...25, using: &rng),
                departure: Bool.random(using: &rng) ? Fixture.now + Double.random(in: 60...36_000, using: &rng) : nil,
                energyNeededKWh: Double.random(in: 0...40, using: &rng),
                dischargeAllowed: Int.random(in: 0...3, using: &rng) != 0)
            return ChargerState(
                id: "c\(i)", connection: connection, ratedChargeKW: ratedCharge, ratedDischargeKW: ratedDischarge,
                ratedKVA: ratedCharge, online: Int.random(in: 0...9, using: &rng) != 0,
                measuredKW: Double.random(in: -ratedDischarge...ratedCharge, using: &rng), ev: ev)
        }
        let meter = Fixture.meter(
            kw: PerPhase { _ in Double.random(in: -20...45, using: &rng) },
            kvar: PerPhase { _ in Double.random(in: -5...10, using: &rng) },
            voltsPU: PerPhase { _ in Double.random(in: 0.9...1.09, using: &rng) })
        var envelope: Envelope?
        if Bool.random(using: &rng) {
            let low = Double.random(in: -60...20, using: &rng)
            envelope = Envelope(
                agentID: "t", sequence: 1, validUntil: Fixture.now + Double.random(in: -30...300, using: &rng),
                transformerKW: low...(low + Double.random(in: 0...80, using: &rng)))
        }
        var state = CycleState()
        if Bool.random(using: &rng) {
            state.thermal = HotSpotModel(parameters: .onanDistribution).steadyState(
                loadPU: Double.random(in: 0.2...1.3, using: &rng), ambientC: 30)
        }
        return Case(policy: policy, inputs: CycleInputs(meter: meter, ambientC: 30, chargers: chargers, envelope: envelope), state: state)
    }

    @Test("setpoints respect every limit, are finite and deterministic", arguments: 0..<4)
    func limitsHold(shard: Int) throws {
        var rng = SeededGenerator(seed: 0xC0FFEE + UInt64(shard))
        for _ in 0..<750 {
            let c = Self.randomCase(&rng)
            let outcome = ControlCycle(policy: c.policy).run(c.state, inputs: c.inputs, now: Fixture.now)
            let again = ControlCycle(policy: c.policy).run(c.state, inputs: c.inputs, now: Fixture.now)
            #expect(outcome.setpoints == again.setpoints)
            #expect(outcome.writes == again.writes)
            try check(outcome, c)
        }
    }

    func check(_ outcome: CycleOutcome, _ c: Case) throws {
        let envelope = c.inputs.envelope.flatMap { $0.isFresh(at: Fixture.now) ? $0 : nil }
        for (charger, setpoint) in zip(c.inputs.chargers, outcome.setpoints) {
            let p = setpoint.activePowerKW
            #expect(p.isFinite && setpoint.reactivePowerKvar.isFinite)
            guard charger.online, let ev = charger.ev else {
                #expect(p == 0, "charger without EV or offline must be at 0")
                continue
            }
            #expect(p <= charger.ratedChargeKW + 1e-9)
            #expect(p >= -charger.ratedDischargeKW - 1e-9)
            // Apparent power within the nameplate.
            #expect(p * p + setpoint.reactivePowerKvar * setpoint.reactivePowerKvar <= charger.ratedKVA * charger.ratedKVA + 1e-6)
            if p < 0 {
                #expect(c.policy.ev.dischargeEnabled && ev.dischargeAllowed)
                #expect(ev.socPercent > c.policy.ev.minimumSoCPercent, "discharge below minimum SoC")
                #expect(ev.batteryTempC <= c.policy.ev.maxDischargeBatteryTempC, "discharge with a hot battery")
                #expect(outcome.mode == .regulating)
                if let fleet = envelope?.transformerKW { #expect(fleet.lowerBound < 0, "a bound of 0 must never become discharge") }
            }
            if p > 0, let fleet = envelope?.transformerKW { #expect(fleet.upperBound > 0, "a bound of 0 must never become charging") }
            if ev.socPercent >= 100 { #expect(p <= 0) }
        }
        guard outcome.mode == .regulating else { return }
        let total = outcome.setpoints.reduce(0) { $0 + $1.activePowerKW }
        let relaxed = outcome.has("LIMIT_UNREACHABLE")
        // Thermal cap: the transformer's |S| after the plan stays within what the hot-spot allows.
        if let allowed = outcome.figures.allowedKVA, !relaxed, let meter = c.inputs.meter, allowed > 0 {
            let base = meter.activePowerKW.sum - c.inputs.chargers.reduce(0) { $0 + ($1.online ? $1.measuredKW : 0) }
            let q = meter.reactivePowerKvar.sum
            let s = ((base + total) * (base + total) + q * q).squareRoot()
            #expect(s <= max(allowed, abs(q)) + 1e-3, "thermal cap broken: |S| \(s) > \(allowed)")
        }
        if let fleet = envelope?.transformerKW, !relaxed, !outcome.has("ENVELOPE_CONFLICT") {
            #expect(total >= fleet.lowerBound - 1e-3 && total <= fleet.upperBound + 1e-3)
        }
    }

    // The per-cycle QP alone never raises the neutral current above charging at the requests
    // (BalancingPropertyTests). The cycle as a whole may: the horizon plan can need an EV's energy now to keep the
    // peak lower later, so that property is no longer the cycle's.
}
