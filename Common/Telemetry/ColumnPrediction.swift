/// A column's deltas predicted from the deltas of up to three earlier columns with the same presence.
///
/// Meter channels move together (P ≈ V·I·pf per phase, totals are sums of phases), so a kW delta is mostly a
/// scaled A delta. Each term is (reference column, scale in 1/1024): prediction = (scale × Δref + 512) >> 10,
/// integers only, so encoder and decoder agree bit for bit. Residual = Δ − Σ predictions.
struct ColumnPrediction: Equatable, Sendable {
    struct Term: Equatable, Sendable {
        var reference: Int
        var scale: Int64
    }

    static let maxTerms = 3
    static let scaleBits: Int64 = 10
    static let maxScale: Int64 = 1 << 20

    var terms: [Term]

    /// `(scale × delta + 512) >> 10`, or nil on overflow.
    @inline(__always) static func predict(_ delta: Int64, scale: Int64) -> Int64? {
        let (product, overflow) = delta.multipliedReportingOverflow(by: scale)
        guard !overflow else { return nil }
        let (rounded, overflow2) = product.addingReportingOverflow(1 << (scaleBits - 1))
        return overflow2 ? nil : rounded >> scaleBits
    }

    /// Reads the term count (a byte) and the terms, each (varint reference, zigzag scale), checking that every
    /// reference is an earlier column with presence `mask` and every scale within ±2^20.
    static func read(
        from reader: inout ByteReader, mask: [Bool], earlierMasks: [[Bool]], channel: String
    ) throws(TelemetryFrameError) -> Self {
        let count = Int(try reader.byte("prediction terms of \(channel)"))
        guard (1...maxTerms).contains(count) else {
            throw .badField("channel \(channel) has \(count) prediction terms (allowed 1…\(maxTerms))")
        }
        guard !earlierMasks.isEmpty else { throw .badField("channel \(channel) is the first column but predicts from another") }
        var terms: [Term] = []
        for _ in 0..<count {
            let reference = try reader.count("prediction reference of \(channel)", limit: earlierMasks.count - 1)
            let scale = try reader.signed("prediction scale of \(channel)")
            guard earlierMasks[reference] == mask, scale.magnitude <= UInt64(maxScale) else {
                throw .badField("channel \(channel) predicts from column \(reference) with another presence or scale \(scale)")
            }
            terms.append(Term(reference: reference, scale: scale))
        }
        return Self(terms: terms)
    }

    func write(into writer: inout ByteWriter) {
        writer.byte(UInt8(terms.count))
        for term in terms {
            writer.varint(UInt64(term.reference))
            writer.signed(term.scale)
        }
    }
}
