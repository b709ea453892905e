import Benchmark
import GridCore

/// One full control cycle for one transformer with 50 chargers (target: median ≤ 50 µs in release), and the horizon plan.
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

    // The horizon plan: made every few minutes (and on arrivals), within one cycle.
    Benchmark("horizon plan, 12 EVs, 10-min steps to 15 h", configuration: .init(maxDuration: .seconds(10), maxIterations: 200)) { benchmark in
        let problem = HorizonFixture.problem(evs: 12, stepS: 600)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { blackHole(HorizonPlanner.plan(problem)) }
    }

    Benchmark("horizon plan, 50 EVs, 10-min steps to 15 h", configuration: .init(maxDuration: .seconds(20), maxIterations: 100)) { benchmark in
        let problem = HorizonFixture.problem(evs: 50, stepS: 600)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { blackHole(HorizonPlanner.plan(problem)) }
    }

    Benchmark("horizon plan, 50 EVs, 5-min steps to 15 h", configuration: .init(maxDuration: .seconds(20), maxIterations: 100)) { benchmark in
        let problem = HorizonFixture.problem(evs: 50, stepS: 300)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { blackHole(HorizonPlanner.plan(problem)) }
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

/// An evening like examples/scenarios/evening-unbalanced.json, scaled: EVs mostly on phase A (a third of them V2G,
/// one in ten three-phase), departures 5–15 h away, an evening peak of non-EV load on A, caps at the rating.
enum HorizonFixture {
    static func problem(evs count: Int, stepS: Double) -> HorizonProblem {
        let start = Timestamp(secondsSinceEpoch: 1_752_598_800)
        let scale = max(1, Double(count) / 12)
        var evs: [PlannedEV] = []
        for i in 0..<count {
            let phase: PhaseConnection = i % 10 == 9 ? .threePhase : (i % 12 < 7 ? .single(.a) : (i % 12 < 10 ? .single(.b) : .single(.c)))
            let rate = i % 3 == 2 ? 3.7 : 7.4
            let hours = 5 + Double((i * 7) % 11)
            let v2g = i % 3 == 0
            evs.append(PlannedEV(
                id: "evse-\(i)", connection: phase, maxChargeKW: rate, maxDischargeKW: v2g ? 7.4 : 0,
                departure: start + hours * 3600, neededKWh: 0.5 * rate * hours * Double(3 + i % 5) / 7,
                floorKWh: v2g ? -10 : 0))
        }
        let base = (0..<200).map { t -> PerPhase<Double> in
            let h = 17 + Double(t) * stepS / 3600
            let a = h < 19 ? 11 + 2 * (h - 17) : (h < 21 ? 15 - (h - 19) : (h < 23 ? 13 - 3 * (h - 21) : 7))
            return PerPhase(a: a * scale, b: 0.7 * a * scale, c: 0.5 * a * scale)
        }
        return HorizonProblem(
            start: start, stepS: stepS, evs: evs, baseKW: base, baseKvar: base.map { $0.map { $0 * 0.33 } },
            nominalPhaseVoltageV: 230, phaseLimitA: 145 * scale, neutralLimitA: 145 * scale, transformerLimitKVA: 100 * scale)
    }
}
