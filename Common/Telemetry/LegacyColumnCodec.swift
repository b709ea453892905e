/// Columns of a version-1 body, decoded for agents that still send it (the encoder writes version 2).
///
/// Tag = presence << 4 | order. Order, over the present values only: 0 raw, 1 delta, 2 delta-of-delta, 3 deltas
/// predicted from earlier columns (`ColumnPrediction`); then one zigzag varint per present value.
enum LegacyColumnCodec {
    static let predictedOrder: UInt8 = 3

    static func decode(
        from reader: inout ByteReader, rows: Int, channels: [ChannelSpec]
    ) throws(TelemetryFrameError) -> [[Int64?]] {
        var columns: [[Int64?]] = []
        var shapes: [ColumnShape] = []
        for channel in channels {
            let column = try decode(from: &reader, rows: rows, channel: channel.name, earlier: shapes)
            columns.append(column)
            shapes.append(ColumnShape(column))
        }
        return columns
    }

    static func decode(
        from reader: inout ByteReader, rows: Int, channel: String, earlier: [ColumnShape]
    ) throws(TelemetryFrameError) -> [Int64?] {
        let tag = try reader.byte("column tag of \(channel)")
        let order = tag & 0x0F
        guard let presence = ColumnPresence(rawValue: tag >> 4), order <= predictedOrder,
              presence != .none || order == 0 else { throw .badTag(tag, channel: channel) }
        let mask = try presence.readMask(from: &reader, rows: rows, channel: channel)
        let count = mask.reduce(0) { $0 + ($1 ? 1 : 0) }
        // Each value takes at least one byte: refuse counts the body cannot hold before allocating for them.
        guard count <= reader.remaining else { throw .truncated("values of \(channel)", offset: reader.offset) }
        let prediction = order == predictedOrder
            ? try ColumnPrediction.read(from: &reader, mask: mask, earlierMasks: earlier.map(\.mask), channel: channel) : nil
        var values: [Int64] = []
        values.reserveCapacity(count)
        for _ in 0..<count { values.append(try reader.signed("value of \(channel)")) }
        if let prediction {
            try ColumnIntegration.undoPrediction(&values, terms: prediction.terms, earlier: earlier, channel: channel)
        } else {
            try ColumnIntegration.undoDifferences(&values, order: Int(order), channel: channel)
        }
        return ColumnIntegration.cells(values, mask: mask)
    }
}
