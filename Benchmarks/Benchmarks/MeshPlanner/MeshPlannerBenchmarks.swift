import Benchmark
import GridCore
import MeshPlanner
import MeshPlannerTesting

/// One planning pass (target: 1,000 transformers × 50 chargers, median ≤ 100 ms in release), and how it grows from
/// 10 to 10,000 transformers. The snapshot is made once per benchmark, outside the measurement.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .peakMemoryResident],
        warmupIterations: 2,
        maxDuration: .seconds(10),
        maxIterations: 200
    )
    let now = Timestamp(rfc3339: "2027-01-15T18:00:00Z")!
    for transformers in [10, 100, 1_000, 10_000] {
        Benchmark("planning pass, \(transformers) transformers × 50 chargers") { benchmark in
            let snapshot = SyntheticNeighborhood.snapshot(
                SyntheticNeighborhood.Shape(transformers: transformers, chargersPerTransformer: 50...50), seed: 42, now: now)
            // About 2 kW of discharge per transformer: met by most, so every step of the pass runs.
            let goal = NeighborhoodGoal(
                id: "evening-peak", start: now + -600, end: now + 3600, action: .discharge(kilowatts: 2 * Double(transformers)))
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                blackHole(MeshPlanner.plan(snapshot, goals: [goal], now: now))
            }
        }
    }
}
