/// The columns of a version-2 body: every column's header bytes in channel order, then one bit stream holding
/// every column's residuals in the same order, zero-padded to a byte.
///
/// Column header: tag = presence << 4 | coder << 2 | predictor (`ColumnPresence`, `ResidualCoder`,
/// `ColumnPredictor`); the presence payload; the predictor's seeds (zigzag varints) and terms; the coder's
/// parameters. A column with no value is the tag 0x10 alone.
enum ColumnCodec {
    static func encode(_ columns: [[Int64?]], into writer: inout ByteWriter) {
        var bits = BitWriter()
        var shapes: [ColumnShape.Indexed] = []
        for (index, column) in columns.enumerated() {
            let shape = ColumnShape(column)
            let (presence, payload) = ColumnPresence.encode(shape.mask)
            guard presence != .none else {
                writer.byte(presence.rawValue << 4)
                shapes.append(.init(index: index, shape: shape))
                continue
            }
            let candidates = shapes.filter { $0.shape.mask == shape.mask }
            let choice = ColumnChoice.choose(values: column.compactMap { $0 }, deltas: shape.deltas, candidates: candidates)
            writer.byte(presence.rawValue << 4 | choice.coder.tagBits << 2 | choice.predictor.tagBits)
            writer.bytes(payload)
            choice.seeds.forEach { writer.signed($0) }
            if case .regression(let prediction) = choice.predictor { prediction.write(into: &writer) }
            choice.coder.writeHeader(into: &writer)
            choice.coder.write(choice.residuals, into: &bits)
            shapes.append(.init(index: index, shape: shape))
        }
        writer.bytes(bits.finish())
    }

    /// One column's header, read before the bit stream.
    private struct Header {
        var mask: [Bool]
        var count: Int
        var predictor: ColumnPredictor
        var seeds: [Int64]
        var coder: ResidualCoder
    }

    static func decode(
        from reader: inout ByteReader, rows: Int, channels: [ChannelSpec]
    ) throws(TelemetryFrameError) -> [[Int64?]] {
        var headers: [Header?] = []
        var masks: [[Bool]] = []
        for channel in channels {
            let header = try readHeader(from: &reader, rows: rows, channel: channel.name, earlierMasks: masks)
            headers.append(header)
            masks.append(header?.mask ?? [Bool](repeating: false, count: rows))
        }
        let streamStart = reader.offset
        var bits = BitReader(try reader.bytes(reader.remaining, "residual bit stream"), reportedBase: streamStart)
        var columns: [[Int64?]] = []
        var shapes: [ColumnShape] = []
        for (channel, header) in zip(channels, headers) {
            var column = [Int64?](repeating: nil, count: rows)
            if let header {
                let residuals = try header.coder.read(header.count - header.seeds.count, from: &bits, channel: channel.name)
                var values = header.seeds
                values.reserveCapacity(header.count)
                for residual in residuals { values.append(unzigzag(residual)) }
                switch header.predictor {
                case .regression(let prediction):
                    try ColumnIntegration.undoPrediction(&values, terms: prediction.terms, earlier: shapes, channel: channel.name)
                default:
                    try ColumnIntegration.undoDifferences(&values, order: Int(header.predictor.tagBits), channel: channel.name)
                }
                column = ColumnIntegration.cells(values, mask: header.mask)
            }
            columns.append(column)
            shapes.append(ColumnShape(column))
        }
        try bits.checkEnd("residual bit stream")
        return columns
    }

    /// The header of one column; nil for a column with no value.
    private static func readHeader(
        from reader: inout ByteReader, rows: Int, channel: String, earlierMasks: [[Bool]]
    ) throws(TelemetryFrameError) -> Header? {
        let tag = try reader.byte("column tag of \(channel)")
        guard let presence = ColumnPresence(rawValue: tag >> 4), tag >> 2 & 0x03 <= 1 else {
            throw .badTag(tag, channel: channel)
        }
        if presence == .none {
            guard tag & 0x0F == 0 else { throw .badTag(tag, channel: channel) }
            return nil
        }
        let mask = try presence.readMask(from: &reader, rows: rows, channel: channel)
        let count = mask.reduce(0) { $0 + ($1 ? 1 : 0) }
        guard count > 0 else { throw .badField("presence of \(channel) marks no row: its tag must say none") }
        var predictor: ColumnPredictor
        switch tag & 0x03 {
        case 0: predictor = .raw
        case 1: predictor = .delta
        case 2: predictor = .deltaOfDelta
        default: predictor = .regression(ColumnPrediction(terms: []))
        }
        guard count >= predictor.seedCount, count >= 3 || predictor.tagBits != 3 else {
            throw .badField("channel \(channel) has \(count) values, too few for predictor \(predictor.tagBits)")
        }
        var seeds: [Int64] = []
        for index in 0..<predictor.seedCount { seeds.append(try reader.signed("seed \(index) of \(channel)")) }
        if case .regression = predictor {
            predictor = .regression(
                try ColumnPrediction.read(from: &reader, mask: mask, earlierMasks: earlierMasks, channel: channel))
        }
        let coder = try ResidualCoder.readHeader(
            tagBits: tag >> 2 & 0x03, count: count - predictor.seedCount, from: &reader, channel: channel)
        return Header(mask: mask, count: count, predictor: predictor, seeds: seeds, coder: coder)
    }
}
