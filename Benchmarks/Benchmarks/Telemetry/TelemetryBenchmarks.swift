import Benchmark
import Telemetry
import TelemetryTesting

/// Telemetry frames on the synthetic 1 Hz feeder, 60 s batches: bytes per value, and CPU per batch.
///
/// Sizes count every frame byte over non-empty values and are reported as the custom metric "millibytes per
/// value": the example stream, the spread over fresh seeds the codec was not tuned on (with the plain columnar
/// coder on the same batches), the agent's own 31-channel row, and a trained dictionary. The table is printed once.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .throughput],
        warmupIterations: 10,
        maxDuration: .seconds(3),
        maxIterations: 10_000
    )
    let metric = BenchmarkMetric.custom("millibytes per value", useScalingFactor: false)
    let size = Benchmark.Configuration(metrics: [metric], warmupIterations: 0, maxIterations: 1)
    func record(_ benchmark: Benchmark, _ bytesPerValue: Double) {
        benchmark.measurement(metric, Int((bytesPerValue * 1000).rounded()))
    }

    Benchmark("telemetry size, example stream (seed 1, 300 s)", configuration: size) { benchmark in
        let fixture = TelemetryFixture.shared
        fixture.printFigures()
        record(benchmark, fixture.example.bytesPerValue)
    }
    Benchmark("telemetry size, fresh seeds, median", configuration: size) { benchmark in
        record(benchmark, TelemetryFixture.shared.feeder.map(\.frame.bytesPerValue).median)
    }
    Benchmark("telemetry size, fresh seeds, worst", configuration: size) { benchmark in
        record(benchmark, TelemetryFixture.shared.feeder.map(\.frame.bytesPerValue).max()!)
    }
    Benchmark("telemetry size, plain coder on the fresh seeds, median", configuration: size) { benchmark in
        record(benchmark, TelemetryFixture.shared.feeder.map(\.plain.bytesPerValue).median)
    }
    Benchmark("telemetry size, agent row, fresh seeds, median", configuration: size) { benchmark in
        record(benchmark, TelemetryFixture.shared.agent.map(\.frame.bytesPerValue).median)
    }
    Benchmark("telemetry size, trained dictionary, fresh seeds, median", configuration: size) { benchmark in
        record(benchmark, TelemetryFixture.shared.feeder.map(\.dictionary.bytesPerValue).median)
    }

    Benchmark("telemetry encode, 60 s batch of 26 channels") { benchmark in
        let batches = TelemetryFixture.shared.timed
        let encoder = TelemetryEncoder()
        benchmark.startMeasurement()
        for index in benchmark.scaledIterations { blackHole(try encoder.encode(batches[index % batches.count])) }
    }
    Benchmark("telemetry encode, 60 s batch of the agent's 31 channels") { benchmark in
        let batches = TelemetryFixture.shared.timedAgent
        let encoder = TelemetryEncoder()
        benchmark.startMeasurement()
        for index in benchmark.scaledIterations { blackHole(try encoder.encode(batches[index % batches.count])) }
    }
    Benchmark("telemetry encode, 60 s batch, trained dictionary") { benchmark in
        let fixture = TelemetryFixture.shared
        let encoder = TelemetryEncoder(dictionary: fixture.dictionary)
        benchmark.startMeasurement()
        for index in benchmark.scaledIterations { blackHole(try encoder.encode(fixture.timed[index % fixture.timed.count])) }
    }
    Benchmark("telemetry decode, 60 s batch of 26 channels") { benchmark in
        let frames = TelemetryFixture.shared.timedFrames
        let decoder = TelemetryDecoder()
        benchmark.startMeasurement()
        for index in benchmark.scaledIterations { blackHole(try decoder.decode(frames[index % frames.count])) }
    }
    // The dearest frame the default cell cap lets through (3600 rows × 72 channels): what one costs the aggregator
    // to decode, and the agent to encode (an hour sealed at once, after a long stop).
    let cap = Benchmark.Configuration(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal], warmupIterations: 1, maxDuration: .seconds(10), maxIterations: 20)
    Benchmark("telemetry decode, frame at the cell cap (3600 rows x 72 channels)", configuration: cap) { benchmark in
        let frame = try TelemetryEncoder().encode(TelemetryFixture.capBatch())
        let decoder = TelemetryDecoder()
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { blackHole(try decoder.decode(frame)) }
    }
    Benchmark("telemetry encode, frame at the cell cap (3600 rows x 72 channels)", configuration: cap) { benchmark in
        let batch = try TelemetryFixture.capBatch()
        let encoder = TelemetryEncoder()
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { blackHole(try encoder.encode(batch)) }
    }
}
