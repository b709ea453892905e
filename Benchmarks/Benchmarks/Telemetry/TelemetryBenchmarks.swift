import Benchmark
import Telemetry

/// Telemetry frames on the synthetic 26-channel 1 Hz feeder, 60 s batches (design brief §5).
///
/// The key result is bytes per non-empty value counting every frame byte (target ≤ 0.75, aim 0.6), reported as
/// the custom metric "millibytes per value" and printed once; the encode/decode benchmarks give CPU per batch.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .throughput],
        warmupIterations: 10,
        maxDuration: .seconds(3),
        maxIterations: 10_000
    )
    let size = Benchmark.Configuration(
        metrics: [.custom("millibytes per value", useScalingFactor: false)], warmupIterations: 0, maxIterations: 1)

    Benchmark("telemetry size, 60 s batch, no dictionary", configuration: size) { benchmark in
        let fixture = TelemetryFixture.shared
        let figure = fixture.size(TelemetryEncoder())
        fixture.printFigures()
        benchmark.measurement(.custom("millibytes per value", useScalingFactor: false), Int((figure * 1000).rounded()))
    }

    Benchmark("telemetry size, 60 s batch, trained dictionary", configuration: size) { benchmark in
        let fixture = TelemetryFixture.shared
        let figure = fixture.size(TelemetryEncoder(dictionary: fixture.dictionary))
        benchmark.measurement(.custom("millibytes per value", useScalingFactor: false), Int((figure * 1000).rounded()))
    }

    Benchmark("telemetry encode, 60 s batch of 26 channels") { benchmark in
        let fixture = TelemetryFixture.shared
        let encoder = TelemetryEncoder()
        benchmark.startMeasurement()
        for index in benchmark.scaledIterations {
            blackHole(try encoder.encode(fixture.batches[index % fixture.batches.count]))
        }
    }

    Benchmark("telemetry encode, 60 s batch, trained dictionary") { benchmark in
        let fixture = TelemetryFixture.shared
        let encoder = TelemetryEncoder(dictionary: fixture.dictionary)
        benchmark.startMeasurement()
        for index in benchmark.scaledIterations {
            blackHole(try encoder.encode(fixture.batches[index % fixture.batches.count]))
        }
    }

    Benchmark("telemetry decode, 60 s batch of 26 channels") { benchmark in
        let fixture = TelemetryFixture.shared
        let frames = try fixture.batches.map { try TelemetryEncoder().encode($0) }
        let decoder = TelemetryDecoder()
        benchmark.startMeasurement()
        for index in benchmark.scaledIterations {
            blackHole(try decoder.decode(frames[index % frames.count]))
        }
    }
}

/// One hour of held-out batches (seed 1) and a dictionary trained on four other hours (seed 2).
final class TelemetryFixture: Sendable {
    static let shared = TelemetryFixture()

    let batches: [TelemetryBatch]
    let dictionary: TelemetryDictionary

    init() {
        var training = SyntheticFeeder(seed: 2)
        var held = SyntheticFeeder(seed: 1)
        batches = held.batches(count: 60)
        // Training on a valid synthetic stream cannot fail for lack of samples: 240 batches is ample.
        dictionary = try! TelemetryDictionary.train(batches: training.batches(count: 240))
    }

    /// Bytes per non-empty value over all held-out batches, every frame byte counted.
    func size(_ encoder: TelemetryEncoder) -> Double {
        let bytes = batches.reduce(0) { $0 + (try! encoder.encode($1)).count }
        return Double(bytes) / Double(values)
    }

    var values: Int { batches.reduce(0) { $0 + $1.valueCount } }
    var cells: Int { batches.reduce(0) { $0 + $1.rowCount * $1.channels.count } }

    /// The same rows as one JSON object per row (decimal text at meter resolution): the naive baseline.
    var jsonBytesPerValue: Double {
        var bytes = 0
        for batch in batches {
            var text = "{\"agent\":\"\(batch.agentID)\",\"seq\":\(batch.sequence),\"rows\":["
            for row in 0..<batch.rowCount {
                text += row == 0 ? "{" : ",{"
                text += "\"t_ms\":\(batch.timeMs(ofRow: row))"
                for (channel, column) in zip(batch.channels, batch.columns) {
                    if let quanta = column[row] { text += ",\"\(channel.name)\":\(channel.quantum.text(ofQuanta: quanta))" }
                }
                text += "}"
            }
            bytes += (text + "]}").utf8.count
        }
        return Double(bytes) / Double(values)
    }

    func printFigures() {
        let plain = size(TelemetryEncoder())
        let trained = size(TelemetryEncoder(dictionary: dictionary))
        print("""
            telemetry, synthetic 26-channel 1 Hz feeder, \(batches.count) held-out batches of 60 s, \
            \(values) values in \(cells) cells:
              JSON rows (reference)           \(fixed(jsonBytesPerValue)) bytes/value
              frame, no dictionary            \(fixed(plain)) bytes/value (\(fixed(plain * Double(values) / Double(cells))) per cell)
              frame, \(dictionary.bytes.count)-byte trained dictionary \(fixed(trained)) bytes/value
            """)
    }

    private func fixed(_ x: Double) -> String {
        let thousandths = Int((x * 1000).rounded())
        let fraction = String(thousandths % 1000)
        return "\(thousandths / 1000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)"
    }
}
