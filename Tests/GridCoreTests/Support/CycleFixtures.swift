import GridCore

/// A 100 kVA, 230 V, 60 Hz transformer at time 1_000_000 s with a balanced 30 kW load.
enum Fixture {
    static let now = Timestamp(secondsSinceEpoch: 1_000_000)

    static func meter(
        kw: PerPhase<Double> = .init(repeating: 10), kvar: PerPhase<Double> = .init(repeating: 1),
        voltsPU: PerPhase<Double> = .init(repeating: 1.0), hz: Double = 60, time: Timestamp = now
    ) -> MeterReading {
        let volts = voltsPU.map { $0 * 230 }
        return MeterReading(
            time: time, voltageV: volts,
            currentA: PerPhase { Phasor(real: kw[$0] * 1000, imaginary: kvar[$0] * 1000).magnitude / volts[$0] },
            activePowerKW: kw, reactivePowerKvar: kvar, frequencyHz: hz)
    }

    static func charger(
        _ id: String, _ phase: PhaseConnection, requestKW: Double = 7, soc: Double = 60, batteryC: Double = 25,
        ratedCharge: Double = 7.4, ratedDischarge: Double = 7.4, measuredKW: Double = 0, online: Bool = true
    ) -> ChargerState {
        ChargerState(
            id: id, connection: phase, ratedChargeKW: ratedCharge, ratedDischargeKW: ratedDischarge,
            ratedKVA: max(ratedCharge, ratedDischarge), online: online, measuredKW: measuredKW,
            ev: EVState(socPercent: soc, batteryTempC: batteryC, capacityKWh: 60, requestedKW: requestKW))
    }

    /// A policy without ramp limits, so that a single cycle shows the plan itself.
    static var unramped: ControlPolicy {
        var policy = ControlPolicy()
        policy.write.rampKWPerS = 1_000
        return policy
    }

    static func run(_ policy: ControlPolicy, _ inputs: CycleInputs, state: CycleState = CycleState()) -> CycleOutcome {
        ControlCycle(policy: policy).run(state, inputs: inputs, now: now)
    }

    static func run(_ inputs: CycleInputs, state: CycleState = CycleState()) -> CycleOutcome {
        run(unramped, inputs, state: state)
    }
}

extension CycleOutcome {
    func kw(_ id: String) -> Double { setpoints.first { $0.chargerID == id }!.activePowerKW }
    func kvar(_ id: String) -> Double { setpoints.first { $0.chargerID == id }!.reactivePowerKvar }
    func has(_ code: String) -> Bool { decisions.contains { $0.code == code } }
}
