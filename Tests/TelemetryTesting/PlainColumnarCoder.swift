internal import EdgeZstd
public import Telemetry

/// The yardstick the frame format is measured against: columnar deltas, varints and zstd, with no prediction.
///
/// Per column in channel order: a byte (0 every row present, 1 gaps: then a bitmap of ⌈R/8⌉ bytes), then the
/// zigzag LEB128 varints of the first present value and of each later present value's delta; the whole batch in
/// one zstd frame at level 19 with its content checksum. Only the numbers: no agent id, sequence, times, channel
/// names or CRC, so its size is a floor for any plain coder of the same batch.
public enum PlainColumnarCoder {
    /// Compressed bytes for `batch`.
    public static func size(of batch: TelemetryBatch) throws -> Int {
        var bytes: [UInt8] = []
        for column in batch.columns {
            if column.allSatisfy({ $0 != nil }) {
                bytes.append(0)
            } else {
                bytes.append(1)
                var bitmap = [UInt8](repeating: 0, count: (column.count + 7) / 8)
                for (row, cell) in column.enumerated() where cell != nil { bitmap[row / 8] |= 1 << UInt8(row % 8) }
                bytes += bitmap
            }
            var previous: Int64 = 0
            for value in column.compactMap({ $0 }) {
                let delta = value - previous
                var rest = UInt64(bitPattern: (delta << 1) ^ (delta >> 63))
                while rest >= 0x80 {
                    bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
                    rest >>= 7
                }
                bytes.append(UInt8(rest))
                previous = value
            }
        }
        return try Zstd.compress(bytes, level: 19).count
    }
}
