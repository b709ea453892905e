import Benchmark
import GridCore

/// One full control cycle for one transformer with 50 chargers (issue 2 target: median ≤ 50 µs in release).
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .instructions, .mallocCountTotal, .throughput],
        warmupIterations: 100,
        maxDuration: .seconds(3),
        maxIterations: 100_000
    )

    Benchmark("control cycle, 50 chargers") { benchmark in
        let fixture = Transformer50()
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(fixture.cycle.run(fixture.state, inputs: fixture.inputs, now: fixture.now))
        }
    }

    Benchmark("phase balancing QP, 50 chargers") { benchmark in
        let fixture = Transformer50()
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(PhaseBalancer.solve(fixture.balancingProblem))
        }
    }
}

/// A 250 kVA transformer with uneven household load and 50 chargers, most on phase A.
struct Transformer50 {
    let now = Timestamp(secondsSinceEpoch: 1_763_750_000)
    let cycle: ControlCycle
    let inputs: CycleInputs
    let state: CycleState

    init() {
        var policy = ControlPolicy()
        policy.transformer.ratedKVA = 250
        cycle = ControlCycle(policy: policy)
        let load = PerPhase(a: 60.0, b: 35.0, c: 25.0)
        let volts = PerPhase(a: 224.0, b: 229.0, c: 231.0)
        let meter = MeterReading(
            time: now, voltageV: volts, currentA: PerPhase { load[$0] * 1000 / volts[$0] },
            activePowerKW: load, reactivePowerKvar: PerPhase(repeating: 4), frequencyHz: 60.01)
        var chargers: [ChargerState] = []
        for i in 0..<50 {
            let phase: Phase = i % 2 == 0 ? .a : (i % 3 == 0 ? .b : .c)
            let connection: PhaseConnection = i % 10 == 9 ? .threePhase : .single(phase)
            let ev = EVState(
                socPercent: Double(20 + i), batteryTempC: 25, capacityKWh: 60, requestedKW: Double(i % 8),
                departure: Timestamp(secondsSinceEpoch: 1_763_760_000), energyNeededKWh: Double(i % 20))
            chargers.append(ChargerState(
                id: "evse-\(i)", connection: connection, ratedChargeKW: 7.4,
                ratedDischargeKW: i % 4 == 0 ? 0 : 7.4, ratedKVA: 7.4, measuredKW: 3, ev: ev))
        }
        inputs = CycleInputs(meter: meter, ambientC: 25, chargers: chargers)
        var state = CycleState()
        state.lastRunAt = Timestamp(secondsSinceEpoch: now.secondsSinceEpoch - 1)
        // Warm state: one cycle already run, as in the field.
        self.state = cycle.run(state, inputs: inputs, now: Timestamp(secondsSinceEpoch: now.secondsSinceEpoch - 1)).state
    }

    var balancingProblem: BalancingProblem {
        let amps = inputs.meter!.voltagePhasors.map { v in (1000 / v.magnitude) * Phasor(magnitude: 1, angleDegrees: v.angleDegrees) }
        return BalancingProblem(
            chargers: inputs.chargers.map {
                BalancingCharger(id: $0.id, connection: $0.connection, minKW: -$0.ratedDischargeKW, maxKW: $0.ratedChargeKW,
                                 requestKW: $0.ev?.requestedKW ?? 0, weight: 1)
            },
            baseCurrentA: inputs.meter!.currentPhasors, ampsPerKW: amps, neutralWeight: 0.5,
            phaseLimitsKW: nil, totalLimitsKW: -100...120)
    }
}
