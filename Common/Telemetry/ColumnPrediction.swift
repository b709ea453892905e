/// Order 3 of a column: its deltas predicted from the deltas of up to three earlier columns with the same presence.
///
/// Meter channels move together (P ≈ V·I·pf per phase, totals are sums of phases), so a kW delta is mostly a
/// scaled A delta. Each term is (reference column, scale in 1/1024): prediction = (scale × Δref + 512) >> 10,
/// integers only, so encoder and decoder agree bit for bit. Residual = Δ − Σ predictions.
struct ColumnPrediction: Equatable {
    static let maxTerms = 3
    static let scaleBits: Int64 = 10
    static let maxScale: Int64 = 1 << 20

    var terms: [(reference: Int, scale: Int64)]

    static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.terms.map(\.reference) == rhs.terms.map(\.reference) && lhs.terms.map(\.scale) == rhs.terms.map(\.scale)
    }

    /// `(scale × delta + 512) >> 10`, or nil on overflow.
    @inline(__always) static func predict(_ delta: Int64, scale: Int64) -> Int64? {
        let (product, overflow) = delta.multipliedReportingOverflow(by: scale)
        guard !overflow else { return nil }
        let (rounded, overflow2) = product.addingReportingOverflow(1 << (scaleBits - 1))
        return overflow2 ? nil : rounded >> scaleBits
    }

    /// Greedy search: add the (reference, scale) that cuts the residual bits most, while it pays for itself.
    /// `candidates` are (column index, deltas) of earlier columns with this column's presence.
    static func search(deltas: [Int64], candidates: [(index: Int, deltas: [Int64])]) -> (Self, [Int64])? {
        var residual = deltas
        var cost = bits(residual)
        var terms: [(reference: Int, scale: Int64)] = []
        while terms.count < maxTerms {
            var best: (reference: Int, scale: Int64, residual: [Int64], cost: Int)?
            for candidate in candidates where !terms.contains(where: { $0.reference == candidate.index }) {
                guard let scale = fittedScale(residual, on: candidate.deltas),
                      let next = subtract(from: residual, candidate.deltas, scale: scale) else { continue }
                let nextCost = bits(next)
                if nextCost < best?.cost ?? Int.max { best = (candidate.index, scale, next, nextCost) }
            }
            // A term costs a few header bytes: keep it only if it saves more than that.
            guard let best, best.cost + 32 < cost else { break }
            terms.append((best.reference, best.scale))
            residual = best.residual
            cost = best.cost
        }
        return terms.isEmpty ? nil : (Self(terms: terms), residual)
    }

    /// Least-squares scale of `x` onto `y`, in 1/1024, or nil when zero, tiny or unbounded.
    static func fittedScale(_ y: [Int64], on x: [Int64]) -> Int64? {
        var xy = 0.0, xx = 0.0
        for (a, b) in zip(x, y) {
            xy += Double(a) * Double(b)
            xx += Double(a) * Double(a)
        }
        guard xx > 0 else { return nil }
        let scale = (xy / xx * Double(1 << scaleBits)).rounded()
        guard scale.isFinite, abs(scale) <= Double(maxScale), scale != 0 else { return nil }
        return Int64(scale)
    }

    static func subtract(from y: [Int64], _ x: [Int64], scale: Int64) -> [Int64]? {
        var out = y
        for index in out.indices {
            guard let prediction = predict(x[index], scale: scale) else { return nil }
            let (difference, overflow) = out[index].subtractingReportingOverflow(prediction)
            guard !overflow else { return nil }
            out[index] = difference
        }
        return out
    }

    /// The cost proxy used for every choice: significant bits of the zigzagged values.
    static func bits(_ values: [Int64]) -> Int {
        values.reduce(0) { $0 + (64 - zigzag($1).leadingZeroBitCount) }
    }

    /// Reads the seed and `count - 1` residuals, adds back the predictions and integrates, checking every sum.
    func integrate(
        reader: inout ByteReader, count: Int, earlier: [ColumnCodec.Shape], channel: String
    ) throws(TelemetryFrameError) -> [Int64] {
        guard count > 0 else { return [] }
        var values = [try reader.signed("value of \(channel)")]
        values.reserveCapacity(count)
        for index in 1..<count {
            var delta = try reader.signed("value of \(channel)")
            for term in terms {
                guard let prediction = Self.predict(earlier[term.reference].deltas[index - 1], scale: term.scale) else {
                    throw .valueRange(channel, row: index)
                }
                let (sum, overflow) = delta.addingReportingOverflow(prediction)
                guard !overflow else { throw .valueRange(channel, row: index) }
                delta = sum
            }
            let (next, overflow) = values[index - 1].addingReportingOverflow(delta)
            guard !overflow, next.magnitude < UInt64(Quantum.maxQuanta) else { throw .valueRange(channel, row: index) }
            values.append(next)
        }
        guard values[0].magnitude < UInt64(Quantum.maxQuanta) else { throw .valueRange(channel, row: 0) }
        return values
    }
}
