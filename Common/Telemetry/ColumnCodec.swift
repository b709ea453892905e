/// One channel's column in the body: a tag byte, its presence, then its present values as zigzag varints.
///
/// Tag = presence << 4 | order. Presence: 0 all present, 1 none, 2 bitmap (LSB first), 3 runs (varints,
/// alternating present/missing, starting with present). Order, over the present values only: 0 raw, 1 delta,
/// 2 delta-of-delta, 3 delta predicted from earlier columns (`ColumnPrediction`). The encoder picks the order
/// with the fewest significant bits (ties to the lower order).
enum ColumnCodec {
    enum Presence: UInt8 { case all = 0, none = 1, bitmap = 2, runs = 3 }

    /// Plain orders 0…2; tag order 3 means predicted (docs/telemetry.md). The encoder once tried a plain order 3
    /// too, which the decoder then read as a prediction header.
    static let maxOrder: UInt8 = 2
    static let predictedOrder: UInt8 = 3

    /// What later columns may be predicted from: a column's presence and the deltas of its present values.
    struct Shape {
        var mask: [Bool]
        var deltas: [Int64]

        init(_ column: [Int64?]) {
            mask = column.map { $0 != nil }
            let present = column.compactMap { $0 }
            deltas = zip(present.dropFirst(), present).map { $0 - $1 }
        }
    }

    /// Encodes every column in order, each free to predict from the ones before it.
    static func encode(_ columns: [[Int64?]], into writer: inout ByteWriter) {
        var shapes: [Shape] = []
        for column in columns {
            let shape = Shape(column)
            encode(column, shape: shape, earlier: shapes, into: &writer)
            shapes.append(shape)
        }
    }

    static func decode(
        from reader: inout ByteReader, rows: Int, channels: [ChannelSpec]
    ) throws(TelemetryFrameError) -> [[Int64?]] {
        var columns: [[Int64?]] = []
        var shapes: [Shape] = []
        for channel in channels {
            let column = try decode(from: &reader, rows: rows, channel: channel.name, earlier: shapes)
            columns.append(column)
            shapes.append(Shape(column))
        }
        return columns
    }

    static func encode(_ column: [Int64?], shape: Shape, earlier: [Shape], into writer: inout ByteWriter) {
        let present = column.compactMap { $0 }
        let presence: Presence
        var runs: [UInt64] = []
        if present.count == column.count {
            presence = .all
        } else if present.isEmpty {
            presence = .none
        } else {
            runs = presenceRuns(column)
            let runBytes = runs.reduce(0) { $0 + varintSize($1) }
            presence = runBytes <= (column.count + 7) / 8 ? .runs : .bitmap
        }
        var (order, residuals) = present.isEmpty ? (0, []) : cheapestResiduals(present)
        var prediction: ColumnPrediction?
        if present.count > 2 {
            let candidates = earlier.enumerated().filter { $0.element.mask == shape.mask }.map { ($0.offset, $0.element.deltas) }
            if let (found, predicted) = ColumnPrediction.search(deltas: shape.deltas, candidates: candidates) {
                let all = [zigzag(present[0])] + predicted.map(zigzag)
                let header = 8 + found.terms.count * 32
                if ColumnPrediction.bits(predicted) + header < residuals.reduce(0) { $0 + (64 - $1.leadingZeroBitCount) } {
                    (order, residuals, prediction) = (predictedOrder, all, found)
                }
            }
        }
        writer.byte(presence.rawValue << 4 | order)
        switch presence {
        case .all, .none: break
        case .runs: runs.forEach { writer.varint($0) }
        case .bitmap: writer.bytes(bitmap(column))
        }
        if let prediction {
            writer.byte(UInt8(prediction.terms.count))
            for term in prediction.terms {
                writer.varint(UInt64(term.reference))
                writer.signed(term.scale)
            }
        }
        residuals.forEach { writer.varint($0) }
    }

    static func decode(
        from reader: inout ByteReader, rows: Int, channel: String, earlier: [Shape]
    ) throws(TelemetryFrameError) -> [Int64?] {
        let tag = try reader.byte("column tag of \(channel)")
        guard let presence = Presence(rawValue: tag >> 4), tag & 0x0F <= maxOrder || tag & 0x0F == predictedOrder,
              presence != .none || tag & 0x0F == 0 else { throw .badTag(tag, channel: channel) }
        var mask: [Bool] = []
        switch presence {
        case .all: mask = [Bool](repeating: true, count: rows)
        case .none: return [Int64?](repeating: nil, count: rows)
        case .bitmap:
            let raw = try reader.bytes((rows + 7) / 8, "presence bitmap of \(channel)")
            mask = (0..<rows).map { raw[raw.startIndex + $0 / 8] >> UInt8($0 % 8) & 1 == 1 }
            if rows % 8 != 0, let last = raw.last, last >> UInt8(rows % 8) != 0 {
                throw .badField("presence bitmap of \(channel) sets bits past row \(rows)")
            }
        case .runs:
            mask.reserveCapacity(rows)
            var isPresent = true
            while mask.count < rows {
                let run = try reader.count("presence run of \(channel)", limit: rows - mask.count)
                guard run > 0 || mask.isEmpty else { throw .badField("presence of \(channel) has an empty run inside") }
                mask += repeatElement(isPresent, count: run)
                isPresent.toggle()
            }
        }
        let count = mask.reduce(0) { $0 + ($1 ? 1 : 0) }
        // Each value takes at least one byte: refuse counts the body cannot hold before allocating for them.
        guard count <= reader.remaining else { throw .truncated("values of \(channel)", offset: reader.offset) }
        let values: [Int64]
        if tag & 0x0F == predictedOrder {
            let prediction = try readPrediction(from: &reader, mask: mask, earlier: earlier, channel: channel)
            values = try prediction.integrate(reader: &reader, count: count, earlier: earlier, channel: channel)
        } else {
            values = try integrate(reader: &reader, count: count, order: tag & 0x0F, channel: channel)
        }
        var next = values.makeIterator()
        return mask.map { $0 ? next.next() : nil }
    }

    static func readPrediction(
        from reader: inout ByteReader, mask: [Bool], earlier: [Shape], channel: String
    ) throws(TelemetryFrameError) -> ColumnPrediction {
        let count = Int(try reader.byte("prediction terms of \(channel)"))
        guard (1...ColumnPrediction.maxTerms).contains(count) else {
            throw .badField("channel \(channel) has \(count) prediction terms (allowed 1…\(ColumnPrediction.maxTerms))")
        }
        guard !earlier.isEmpty else { throw .badField("channel \(channel) is the first column but predicts from another") }
        var terms: [(reference: Int, scale: Int64)] = []
        for _ in 0..<count {
            let reference = try reader.count("prediction reference of \(channel)", limit: earlier.count - 1)
            let scale = try reader.signed("prediction scale of \(channel)")
            guard earlier[reference].mask == mask, abs(scale) <= ColumnPrediction.maxScale else {
                throw .badField("channel \(channel) predicts from column \(reference) with another presence or scale \(scale)")
            }
            terms.append((reference, scale))
        }
        return ColumnPrediction(terms: terms)
    }

    /// Run lengths of present/missing cells, starting with a (possibly empty) present run.
    static func presenceRuns(_ column: [Int64?]) -> [UInt64] {
        var runs: [UInt64] = []
        var current = true
        var length: UInt64 = 0
        for cell in column {
            if (cell != nil) == current {
                length += 1
            } else {
                runs.append(length)
                current.toggle()
                length = 1
            }
        }
        runs.append(length)
        return runs
    }

    static func bitmap(_ column: [Int64?]) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: (column.count + 7) / 8)
        for (row, cell) in column.enumerated() where cell != nil { bytes[row / 8] |= 1 << UInt8(row % 8) }
        return bytes
    }

    /// Zigzagged residuals of the order (0…2) with the fewest significant bits. Values are within ±2^53, so
    /// deltas stay within ±2^54 and deltas of deltas within ±2^55: no overflow.
    static func cheapestResiduals(_ values: [Int64]) -> (UInt8, [UInt64]) {
        var best: (order: UInt8, residuals: [UInt64], bits: Int)?
        var current = values
        for order in 0...maxOrder {
            if order > 0 {
                // Difference in place from the back; the first `order` entries stay as the seeds.
                for index in stride(from: current.count - 1, through: Int(order), by: -1) {
                    current[index] -= current[index - 1]
                }
            }
            let residuals = current.map(zigzag)
            let bits = residuals.reduce(0) { $0 + (64 - $1.leadingZeroBitCount) }
            if best == nil || bits < best!.bits { best = (order, residuals, bits) }
        }
        return (best!.order, best!.residuals)
    }

    /// Reads `count` residuals and undoes `order` rounds of differencing, checking every sum.
    static func integrate(
        reader: inout ByteReader, count: Int, order: UInt8, channel: String
    ) throws(TelemetryFrameError) -> [Int64] {
        var values: [Int64] = []
        values.reserveCapacity(count)
        for _ in 0..<count { values.append(try reader.signed("value of \(channel)")) }
        for round in stride(from: Int(order), through: 1, by: -1) where values.count > round {
            for index in round..<values.count {
                let (sum, overflow) = values[index].addingReportingOverflow(values[index - 1])
                guard !overflow else { throw .valueRange(channel, row: index) }
                values[index] = sum
            }
        }
        for (index, value) in values.enumerated() where value.magnitude >= UInt64(Quantum.maxQuanta) {
            throw .valueRange(channel, row: index)
        }
        return values
    }
}
