public import Telemetry
import TelemetryTesting
import FoundationEssentials

/// One packed batch's figures.
public struct TelemetryPackBatch: Sendable, Hashable {
    public var sequence: UInt64
    public var rows: Int
    /// Non-empty cells.
    public var values: Int
    /// Every frame byte (header, CRC, zstd frame).
    public var bytes: Int
    public var bytesPerValue: Double { values == 0 ? 0 : Double(bytes) / Double(values) }
}

/// What `v2g-adm telemetry pack` found: the figures, and whether the decoder gave back every quantized value.
public struct TelemetryPackReport: Sendable {
    public var fileName: String
    public var channels: Int
    public var rows: Int
    public var batchSeconds: Int
    public var dictionaryID: UInt32?
    public var batches: [TelemetryPackBatch]
    /// True when decoding every frame gave back exactly the quantized values and gaps packed.
    public var roundTripExact: Bool

    public var values: Int { batches.reduce(0) { $0 + $1.values } }
    public var bytes: Int { batches.reduce(0) { $0 + $1.bytes } }
    public var bytesPerValue: Double { values == 0 ? 0 : Double(bytes) / Double(values) }

    /// The printed report: totals, per-batch spread, round-trip verdict, then one line per batch.
    public var text: String {
        let perBatch = batches.map(\.bytesPerValue).sorted()
        let median = perBatch.isEmpty ? 0 : perBatch[perBatch.count / 2]
        var out = """
            file            \(fileName)
            channels        \(channels)
            rows            \(rows)
            batches         \(batches.count) of \(batchSeconds) s
            dictionary      \(dictionaryID.map { "id \($0)" } ?? "none")
            values          \(values) (non-empty cells of \(rows * channels))
            bytes           \(bytes) (every frame byte)
            bytes per value \(fixed(bytesPerValue))
            per batch       min \(fixed(perBatch.first ?? 0)), median \(fixed(median)), max \(fixed(perBatch.last ?? 0)) bytes per value
            round trip      \(roundTripExact ? "exact: every quantized value and every gap decoded back" : "MISMATCH: the decoder did not give back the quantized values")

            sequence,rows,values,bytes,bytes_per_value

            """
        for batch in batches {
            out += "\(batch.sequence),\(batch.rows),\(batch.values),\(batch.bytes),\(fixed(batch.bytesPerValue))\n"
        }
        return out
    }

    private func fixed(_ x: Double) -> String { CurveBenchCSV.fixed(x, digits: 3) }
}

/// Packs a telemetry table into frames exactly as the agent does, and checks each through the decoder.
public enum TelemetryPack {
    /// Splits `table` into `batchSeconds` windows from its first row, encodes each (sequences from 1) and decodes it back.
    public static func pack(
        _ table: TelemetryTable, fileName: String, batchSeconds: Int = 60, agentID: String = "tx-001",
        dictionaryBytes: (name: String, bytes: [UInt8])? = nil
    ) throws(TelemetryPackError) -> TelemetryPackReport {
        precondition(batchSeconds > 0, "batchSeconds must be positive")
        var dictionary: TelemetryDictionary?
        if let dictionaryBytes {
            guard !dictionaryBytes.bytes.isEmpty else {
                throw .badDictionary(dictionaryBytes.name, "the file is empty, not a zstd dictionary")
            }
            do {
                dictionary = try TelemetryDictionary(bytes: dictionaryBytes.bytes)
            } catch {
                throw .badDictionary(dictionaryBytes.name, "not a usable zstd dictionary: \(error.message)")
            }
        }
        let encoder = TelemetryEncoder(dictionary: dictionary)
        let decoder = TelemetryDecoder(dictionaries: dictionary.map { [$0] } ?? [])
        var report = TelemetryPackReport(
            fileName: fileName, channels: table.channels.count, rows: table.rowCount, batchSeconds: batchSeconds,
            dictionaryID: dictionary?.id, batches: [], roundTripExact: true)
        do {
            for batch in try batches(of: table, batchSeconds: batchSeconds, agentID: agentID) {
                let frame = try encoder.encode(batch)
                let decoded = try decoder.decode(frame)
                if decoded != batch { report.roundTripExact = false }
                report.batches.append(TelemetryPackBatch(
                    sequence: batch.sequence, rows: batch.rowCount, values: batch.valueCount, bytes: frame.count))
            }
        } catch {
            throw .encode(fileName, "\(error.description): \(error.message)")
        }
        return report
    }

    /// The table cut into batches of `batchSeconds` windows; regular timing when the rows are evenly spaced.
    public static func batches(
        of table: TelemetryTable, batchSeconds: Int, agentID: String
    ) throws(TelemetryFrameError) -> [TelemetryBatch] {
        guard let firstMs = table.timesMs.first else { return [] }
        let windowMs = Int64(batchSeconds) * 1000
        var groups: [Range<Int>] = []
        var start = 0
        for row in table.timesMs.indices.dropFirst()
        where (table.timesMs[row] - firstMs) / windowMs != (table.timesMs[start] - firstMs) / windowMs {
            groups.append(start..<row)
            start = row
        }
        groups.append(start..<table.rowCount)
        var batches: [TelemetryBatch] = []
        for (index, rows) in groups.enumerated() {
            let times = table.timesMs[rows]
            let offsets = times.map { $0 - times.first! }
            let interval = offsets.count > 1 ? offsets[1] : 1000
            let regular = offsets.enumerated().allSatisfy { $0.element == Int64($0.offset) * interval }
            batches.append(try TelemetryBatch(
                agentID: agentID, sequence: UInt64(index + 1), startTimeMs: times.first!,
                timing: regular ? .regular(intervalMs: interval) : .explicit(offsetsMs: offsets),
                channels: table.channels, columns: table.columns.map { Array($0[rows]) }, rowCount: rows.count))
        }
        return batches
    }

    /// Trains a dictionary on `table`'s batches; at least a few hundred batches are needed (zstd's advice).
    public static func trainDictionary(
        _ table: TelemetryTable, fileName: String, batchSeconds: Int = 60, capacity: Int = 16_384
    ) throws(TelemetryPackError) -> [UInt8] {
        let windows: [TelemetryBatch]
        do {
            windows = try batches(of: table, batchSeconds: batchSeconds, agentID: "tx-001")
        } catch {
            throw .encode(fileName, "\(error.description): \(error.message)")
        }
        do {
            return try TelemetryDictionary.train(batches: windows, capacity: capacity).bytes
        } catch {
            throw .badDictionary(fileName, """
                cannot train a \(capacity)-byte dictionary on \(windows.count) batches of \(batchSeconds) s \
                (\(table.rowCount) rows): too few samples for zstd; train on a few hours of data
                """)
        }
    }

    /// A regular file's bytes, at most 64 MiB; refused naming the file and why (missing, a directory, a device, …).
    public static func readBytes(path: String) throws(TelemetryPackError) -> [UInt8] {
        try TelemetryFiles.read(path: path)
    }

    /// A file's text (UTF-8), at most 64 MiB.
    public static func readText(path: String) throws(TelemetryPackError) -> String {
        let bytes = try readBytes(path: path)
        guard let text = String(validating: bytes, as: UTF8.self) else { throw .unreadable(path, "not UTF-8 text") }
        return text
    }

    /// Writes `bytes` to `path` atomically; refused naming the file and why (no such directory, permission, …).
    public static func writeBytes(_ bytes: [UInt8], path: String) throws(TelemetryPackError) {
        try TelemetryFiles.write(bytes, path: path)
    }

    /// The synthetic 26-channel feeder as telemetry CSV: `seconds` rows at 1 Hz from t_s = 0.
    public static func syntheticCSV(seconds: Int, seed: UInt64) -> String {
        var feeder = SyntheticFeeder(seed: seed)
        var out = "# v2g-adm telemetry synth --seconds \(seconds) --seed \(seed): 26 channels at 1 Hz, empty = missing\n"
        out += "t_s," + SyntheticFeeder.channelNames.joined(separator: ",") + "\n"
        for second in 0..<seconds {
            let cells = zip(SyntheticFeeder.channels, feeder.nextRow()).map { spec, value in
                value.flatMap { spec.quantum.quantize($0) }.map { spec.quantum.text(ofQuanta: $0) } ?? ""
            }
            out += "\(second)," + cells.joined(separator: ",") + "\n"
        }
        return out
    }
}
