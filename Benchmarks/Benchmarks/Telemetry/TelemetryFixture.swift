import Telemetry
import TelemetryTesting

/// Bytes and values of one stream under one coder.
struct StreamSize {
    var bytes = 0
    var values = 0
    var cells = 0
    var bytesPerValue: Double { Double(bytes) / Double(values) }
    var bytesPerCell: Double { Double(bytes) / Double(cells) }

    mutating func add(_ bytes: Int, _ batch: TelemetryBatch) {
        self.bytes += bytes
        values += batch.valueCount
        cells += batch.rowCount * batch.channels.count
    }
}

/// One seeded hour under every coder measured.
struct SeedSizes {
    var seed: UInt64
    var frame = StreamSize()
    var plain = StreamSize()
    var dictionary = StreamSize()
}

/// The streams: the example (seed 1, the first 300 s, as `v2g-adm telemetry pack` frames
/// examples/telemetry/sample-26ch.csv), one hour for each fresh seed (never used while designing the format), as
/// the feeder's 26 channels and as the agent's 31, and a dictionary trained on six hours of seed 2.
final class TelemetryFixture: Sendable {
    static let shared = TelemetryFixture()
    static let freshSeeds: [UInt64] = Array(101...116)

    let example: StreamSize
    let feeder: [SeedSizes]
    let agent: [SeedSizes]
    let dictionary: TelemetryDictionary
    /// Batches for the CPU benchmarks (the first fresh seed).
    let timed: [TelemetryBatch]
    let timedAgent: [TelemetryBatch]
    /// `timed` as frames, for the decode benchmark.
    let timedFrames: [[UInt8]]

    init() {
        var training = SyntheticFeeder(seed: 2)
        // Training on a valid synthetic stream cannot fail for lack of samples: 360 batches is ample.
        dictionary = try! TelemetryDictionary.train(batches: training.batches(count: 360))
        var first = SyntheticFeeder(seed: 1)
        var example = StreamSize()
        for batch in first.batches(count: 5, agentID: "tx-001", startTimeMs: 0) {
            example.add(try! TelemetryEncoder().encode(batch).count, batch)
        }
        self.example = example
        var feeder: [SeedSizes] = []
        var agent: [SeedSizes] = []
        var timed: [TelemetryBatch] = []
        var timedAgent: [TelemetryBatch] = []
        for seed in Self.freshSeeds {
            var rows = SyntheticFeeder(seed: seed)
            var agentRows = SyntheticFeeder(seed: seed)
            let batches = rows.batches(count: 60)
            let agentBatches = agentRows.agentBatches(count: 60)
            feeder.append(Self.measure(seed, batches, dictionary))
            agent.append(Self.measure(seed, agentBatches, nil))
            if timed.isEmpty { (timed, timedAgent) = (batches, agentBatches) }
        }
        (self.feeder, self.agent, self.timed, self.timedAgent) = (feeder, agent, timed, timedAgent)
        timedFrames = timed.map { try! TelemetryEncoder().encode($0) }
    }

    static func measure(_ seed: UInt64, _ batches: [TelemetryBatch], _ dictionary: TelemetryDictionary?) -> SeedSizes {
        var sizes = SeedSizes(seed: seed)
        let withDictionary = dictionary.map { TelemetryEncoder(dictionary: $0) }
        for batch in batches {
            // The feeder's batches are valid and small: encoding cannot fail.
            sizes.frame.add(try! TelemetryEncoder().encode(batch).count, batch)
            sizes.plain.add(try! PlainColumnarCoder.size(of: batch), batch)
            if let withDictionary { sizes.dictionary.add(try! withDictionary.encode(batch).count, batch) }
        }
        return sizes
    }

    /// 3600 rows × 72 channels (the agent's row for 17 chargers) of feeder-like values: the default cell cap.
    static func capBatch() throws -> TelemetryBatch {
        let names = TransformerChannels.agentRow(chargerCount: 17)
        let specs = try names.map { try ChannelSpec(name: $0) }
        var rows = SyntheticFeeder(seed: 7)
        var columns = [[Int64?]](repeating: [], count: specs.count)
        for _ in 0..<3_600 {
            let row = rows.nextAgentRow()
            for channel in specs.indices {
                let value = row[channel < row.count ? channel : 19 + (channel - 19) % 12]
                columns[channel].append(value.flatMap { specs[channel].quantum.quantize($0) })
            }
        }
        return try TelemetryBatch(
            agentID: "tx-cap", sequence: 1, startTimeMs: 1_763_750_000_000, timing: .regular(intervalMs: 1000),
            channels: specs, columns: columns, rowCount: 3_600)
    }

    func printFigures() {
        func spread(_ figures: [Double]) -> String {
            "min \(fixed(figures.min()!)), median \(fixed(figures.median)), max \(fixed(figures.max()!))"
        }
        var text = """
            telemetry, synthetic 1 Hz feeder, 60 s batches, bytes per non-empty value (every frame byte):
              example stream (seed 1, 300 s)           \(fixed(example.bytesPerValue)) (\(fixed(example.bytesPerCell)) per cell)
              \(Self.freshSeeds.count) fresh seeds × 1 h, 26 channels:
                frame                                  \(spread(feeder.map(\.frame.bytesPerValue)))
                frame, per cell                        \(spread(feeder.map(\.frame.bytesPerCell)))
                plain columnar coder (numbers only)    \(spread(feeder.map(\.plain.bytesPerValue)))
                plain columnar coder, per cell         \(spread(feeder.map(\.plain.bytesPerCell)))
                frame, \(dictionary.bytes.count)-byte trained dictionary   \(spread(feeder.map(\.dictionary.bytesPerValue)))
              the same seeds as the agent's 31-channel row:
                frame                                  \(spread(agent.map(\.frame.bytesPerValue)))
                plain columnar coder (numbers only)    \(spread(agent.map(\.plain.bytesPerValue)))
            seed,frame,plain,frame_per_cell,plain_per_cell,dictionary,agent_frame,agent_plain

            """
        for (rows, agentRows) in zip(feeder, agent) {
            text += "\(rows.seed),\(fixed(rows.frame.bytesPerValue)),\(fixed(rows.plain.bytesPerValue)),"
            text += "\(fixed(rows.frame.bytesPerCell)),\(fixed(rows.plain.bytesPerCell)),"
            text += "\(fixed(rows.dictionary.bytesPerValue)),\(fixed(agentRows.frame.bytesPerValue)),"
            text += "\(fixed(agentRows.plain.bytesPerValue))\n"
        }
        print(text)
    }
}

extension Array where Element == Double {
    /// The middle value (the mean of the two middle ones for an even count).
    var median: Double {
        let sorted = self.sorted()
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }
}

func fixed(_ x: Double) -> String {
    let thousandths = Int((x * 1000).rounded())
    let fraction = String(thousandths % 1000)
    return "\(thousandths / 1000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)"
}
