import AggregatorKit
import AggregatorTesting
import FoundationEssentials
import Telemetry

/// A fresh directory under the system temp dir, removed when `body` returns or throws.
func withTemporaryDirectory<T>(_ body: (String) async throws -> T) async throws -> T {
    let url = FileManager.default.temporaryDirectory.appending(path: "agg-store-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: url) }
    return try await body(url.path)
}

/// Both stores, so every behaviour is checked on each.
enum StoreKind: String, CaseIterable, Sendable, CustomStringConvertible {
    case sqlite, memory

    var description: String { rawValue }

    func make(in directory: String) throws -> any TelemetryStore {
        switch self {
        case .sqlite: try SQLiteTelemetryStore(path: "\(directory)/telemetry.sqlite")
        case .memory: InMemoryTelemetryStore()
        }
    }
}

enum Batches {
    static let channels = ["phase_a_v", "phase_a_a", "total_kw", "freq_hz"]
    static let t0: Int64 = 1_763_749_980_000  // a whole minute

    /// Deterministic values with gaps: every 7th cell of channel 1 is missing; the sequence shifts the values.
    static func make(agent: String = "tx-1", sequence: UInt64, startMs: Int64? = nil, rows: Int = 90) throws -> TelemetryBatch {
        let specs = try channels.map { try ChannelSpec(name: $0) }
        let salt = Int64(sequence)
        let columns: [[Int64?]] = specs.indices.map { channel in
            (0..<rows).map { row in
                if channel == 1 && row % 7 == 3 { return nil }
                let base: [Int64] = [2305, 1234, -512, 50_000]
                return base[channel] + Int64((row * 37 + channel * 11) % 23) - 11 + salt
            }
        }
        return try TelemetryBatch(
            agentID: agent, sequence: sequence, startTimeMs: startMs ?? t0 + Int64(sequence - 1) * Int64(rows) * 1_000,
            timing: .regular(intervalMs: 1_000), channels: specs, columns: columns, rowCount: rows)
    }

    /// The test encoder lets frames past the default cell cap through, so the aggregator's own refusal is tested.
    static func frame(_ batch: TelemetryBatch) throws -> [UInt8] {
        try TelemetryEncoder(compressionLevel: 3, limits: TelemetryLimits(maxCells: 1 << 20)).encode(batch)
    }

    /// Every non-empty cell of a batch.
    static func cells(of batch: TelemetryBatch) -> Set<Cell> {
        var cells = Set<Cell>()
        for (spec, column) in zip(batch.channels, batch.columns) {
            for (row, value) in column.enumerated() {
                if let value { cells.insert(Cell(channel: spec.name, timeMs: batch.timeMs(ofRow: row), quanta: value)) }
            }
        }
        return cells
    }

    /// Every raw cell of a series.
    static func cells(of series: SampleSeries) -> Set<Cell> {
        var cells = Set<Cell>()
        for row in series.rows {
            for (spec, cell) in zip(series.channels, row.cells) {
                if case .raw(let quanta)? = cell { cells.insert(Cell(channel: spec.name, timeMs: row.timeMs, quanta: quanta)) }
            }
        }
        return cells
    }
}

struct Cell: Hashable {
    var channel: String
    var timeMs: Int64
    var quanta: Int64
}

extension TelemetryStore {
    /// What `ingest` did, without the acknowledgement.
    func ingestResult(batch: TelemetryBatch, frameBytes: Int, receivedAtMs: Int64) async throws(TelemetryStoreError) -> IngestResult {
        try await ingest(batch: batch, frameBytes: frameBytes, receivedAtMs: receivedAtMs).result
    }

    /// Everything of `agent` in a wide window, at `resolution`.
    func all(_ agent: String = "tx-1", _ resolution: SampleResolution? = .raw) async throws -> SampleSeries {
        try await samples(SampleQuery(
            agentID: agent, fromMs: Batches.t0 - 86_400_000, toMs: Batches.t0 + 86_400_000, resolution: resolution,
            rowLimit: SampleQuery.hardRowLimit))
    }
}
