import EdgeZstd
@testable import Telemetry
import TelemetryTesting

/// Deterministic test inputs: seeded, no clock, so a failure reproduces.
typealias Seeded = SplitMix64

enum TestStreams {
    static let allUnits = ["x_v", "x_a", "x_kw", "x_kvar", "x_hz", "x_c", "x_pct"]

    /// A batch with hostile but legal contents: random walks, big jumps, negatives, extremes, gaps and empty channels.
    static func hostile(seed: UInt64, rows: Int = 97, channels: Int = 12) throws -> TelemetryBatch {
        var random = Seeded(seed: seed)
        let specs = try (0..<channels).map { try ChannelSpec(name: "ch\($0)_\(allUnits[$0 % allUnits.count].dropFirst(2))") }
        let limit = Quantum.maxQuanta - 1
        let columns: [[Int64?]] = (0..<channels).map { channel in
            var value = Int64(random.below(200_000)) - 100_000
            let gapChance = [0.0, 0.02, 0.5, 1.0][channel % 4]  // channel 3, 7, 11: all missing
            return (0..<rows).map { _ in
                switch random.below(20) {
                case 0: value = random.chance(0.5) ? limit : -limit  // the extremes
                case 1: value = Int64(bitPattern: random.next()) % limit  // a big jump anywhere
                default: value = max(-limit, min(limit, value + Int64(random.below(21)) - 10))
                }
                return random.chance(gapChance) ? nil : value
            }
        }
        return try TelemetryBatch(
            agentID: "tx-\(seed)", sequence: seed &* 7919, startTimeMs: 1_763_750_000_000 - Int64(seed),
            timing: .regular(intervalMs: 1000), channels: specs, columns: columns, rowCount: rows)
    }

    /// Wraps `body` in a frame with its CRC (or `crc` when given), compressed with plain zstd: version 2 with `shape`
    /// (channels, rows) in the header, or version 1 (`shape` ignored: it is in a version-1 body).
    static func frame(
        body: [UInt8], shape: (channels: Int, rows: Int) = (0, 0), crc: UInt32? = nil, version: UInt8 = TelemetryFormat.version
    ) throws -> [UInt8] {
        var counts = ByteWriter()
        if version >= 2 {
            counts.varint(UInt64(shape.channels))
            counts.varint(UInt64(shape.rows))
        }
        var writer = ByteWriter()
        writer.byte(version)
        writer.varint(0)
        writer.bytes(counts.bytes)
        writer.uint32LE(crc ?? CRC32.checksum(counts.bytes + body))
        writer.bytes(try Zstd.compress(body))
        return writer.bytes
    }
}
