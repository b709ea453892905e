/// Which rows of a column hold a value: the high nibble of a column tag, then its payload (both format versions).
///
/// 0 all present; 1 none present; 2 bitmap, ⌈R/8⌉ bytes, row r is bit r % 8 of byte r / 8, padding bits 0;
/// 3 runs, varints alternating present/missing from present, only the first may be 0, summing to R.
enum ColumnPresence: UInt8 {
    case all = 0, none = 1, bitmap = 2, runs = 3

    /// The cheaper form for `mask` (runs on a tie) and its payload.
    static func encode(_ mask: [Bool]) -> (Self, [UInt8]) {
        let present = mask.reduce(0) { $0 + ($1 ? 1 : 0) }
        if present == 0 { return (.none, []) }  // also a batch of no rows
        if present == mask.count { return (.all, []) }
        var runs = ByteWriter()
        for run in Self.runs(mask) { runs.varint(run) }
        var bitmap = [UInt8](repeating: 0, count: (mask.count + 7) / 8)
        for (row, isPresent) in mask.enumerated() where isPresent { bitmap[row / 8] |= 1 << UInt8(row % 8) }
        return runs.bytes.count <= bitmap.count ? (.runs, runs.bytes) : (.bitmap, bitmap)
    }

    /// Reads this form's payload for `rows` rows: the mask.
    func readMask(from reader: inout ByteReader, rows: Int, channel: String) throws(TelemetryFrameError) -> [Bool] {
        switch self {
        case .all:
            return [Bool](repeating: true, count: rows)
        case .none:
            return [Bool](repeating: false, count: rows)
        case .bitmap:
            let raw = try reader.bytes((rows + 7) / 8, "presence bitmap of \(channel)")
            if rows % 8 != 0, let last = raw.last, last >> UInt8(rows % 8) != 0 {
                throw .badField("presence bitmap of \(channel) sets bits past row \(rows)")
            }
            return (0..<rows).map { raw[raw.startIndex + $0 / 8] >> UInt8($0 % 8) & 1 == 1 }
        case .runs:
            var mask: [Bool] = []
            mask.reserveCapacity(rows)
            var isPresent = true
            while mask.count < rows {
                let run = try reader.count("presence run of \(channel)", limit: rows - mask.count)
                guard run > 0 || mask.isEmpty else { throw .badField("presence of \(channel) has an empty run inside") }
                mask += repeatElement(isPresent, count: run)
                isPresent.toggle()
            }
            return mask
        }
    }

    /// Run lengths of present/missing rows, starting with a (possibly empty) present run.
    static func runs(_ mask: [Bool]) -> [UInt64] {
        var runs: [UInt64] = []
        var current = true
        var length: UInt64 = 0
        for isPresent in mask {
            if isPresent == current {
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
}

/// What later columns may be predicted from: a column's presence and the deltas of its present values.
struct ColumnShape {
    var mask: [Bool]
    var deltas: [Int64]

    init(_ column: [Int64?]) {
        mask = column.map { $0 != nil }
        let present = column.compactMap { $0 }
        deltas = zip(present.dropFirst(), present).map { $0 - $1 }
    }
}

/// Undoing a column's differencing and prediction, with every sum checked (both format versions).
enum ColumnIntegration {
    /// `values` holds the first `order` entries as seeds, then differences of that order: made whole in place.
    static func undoDifferences(_ values: inout [Int64], order: Int, channel: String) throws(TelemetryFrameError) {
        for round in stride(from: order, through: 1, by: -1) where values.count > round {
            for index in round..<values.count {
                let (sum, overflow) = values[index].addingReportingOverflow(values[index - 1])
                guard !overflow else { throw .valueRange(channel, row: index) }
                values[index] = sum
            }
        }
        try checkRange(values, channel: channel)
    }

    /// `values` holds the first value, then residuals r = Δ − Σ ((scale × Δref + 512) >> 10): made whole in place.
    static func undoPrediction(
        _ values: inout [Int64], terms: [ColumnPrediction.Term], earlier: [ColumnShape], channel: String
    ) throws(TelemetryFrameError) {
        for index in values.indices.dropFirst() {
            var delta = values[index]
            for term in terms {
                guard let prediction = ColumnPrediction.predict(earlier[term.reference].deltas[index - 1], scale: term.scale)
                else { throw .valueRange(channel, row: index) }
                let (sum, overflow) = delta.addingReportingOverflow(prediction)
                guard !overflow else { throw .valueRange(channel, row: index) }
                delta = sum
            }
            let (next, overflow) = values[index - 1].addingReportingOverflow(delta)
            guard !overflow, next.magnitude < UInt64(Quantum.maxQuanta) else { throw .valueRange(channel, row: index) }
            values[index] = next
        }
        try checkRange(values, channel: channel)
    }

    static func checkRange(_ values: [Int64], channel: String) throws(TelemetryFrameError) {
        for (index, value) in values.enumerated() where value.magnitude >= UInt64(Quantum.maxQuanta) {
            throw .valueRange(channel, row: index)
        }
    }

    /// The column's cells: `values` in the rows `mask` marks present.
    static func cells(_ values: [Int64], mask: [Bool]) -> [Int64?] {
        var next = values.makeIterator()
        return mask.map { $0 ? next.next() : nil }
    }
}
