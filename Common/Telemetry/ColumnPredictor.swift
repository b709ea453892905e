/// How a version-2 column turns its present values into residuals: the low two bits of the column tag.
///
/// 0 raw: the values. 1 delta: the first value in the header, then deltas. 2 delta of delta: the first value and
/// the first delta in the header, then deltas of deltas. 3 regression: the first value and the terms
/// (`ColumnPrediction`) in the header, then residuals of the deltas.
enum ColumnPredictor: Equatable, Sendable {
    case raw
    case delta
    case deltaOfDelta
    case regression(ColumnPrediction)

    var tagBits: UInt8 {
        switch self {
        case .raw: 0
        case .delta: 1
        case .deltaOfDelta: 2
        case .regression: 3
        }
    }

    /// Values carried in the header rather than as residuals.
    var seedCount: Int {
        switch self {
        case .raw: 0
        case .delta, .regression: 1
        case .deltaOfDelta: 2
        }
    }
}

/// The encoder's choice of predictor and residual coder for one column, on the exact coded size.
///
/// Each candidate is priced by what it writes: header bytes plus the residual bits under its cheapest
/// `ResidualCoder`. Regression terms are chosen by forward selection with least-squares refits, then single-term
/// swaps, among the earlier columns with the same presence whose deltas correlate best with this one's.
struct ColumnChoice {
    var predictor: ColumnPredictor
    /// Header values before the residuals (first value, first delta), as written.
    var seeds: [Int64]
    var residuals: [UInt64]
    var coder: ResidualCoder
    var bits: Int

    /// Earlier columns considered for regression: the last `window` with the same presence, screened down to
    /// the `screened` whose deltas correlate best (bounds the search on wide frames).
    static let window = 32
    static let screened = 8
    /// Residuals must stay within ±2^62 so their zigzag fits the escape's 6-bit length.
    static let maxResidual: UInt64 = 1 << 62

    static func choose(values: [Int64], deltas: [Int64], candidates: [ColumnShape.Indexed]) -> Self {
        var best = plain(.raw, seeds: [], residuals: values)
        if values.count >= 1 { best = cheaper(best, plain(.delta, seeds: [values[0]], residuals: deltas)) }
        if values.count >= 2 {
            let second = zip(deltas.dropFirst(), deltas).map { $0 - $1 }
            best = cheaper(best, plain(.deltaOfDelta, seeds: [values[0], deltas[0]], residuals: second))
        }
        if deltas.count >= 2, let regression = regression(first: values[0], deltas: deltas, candidates: candidates) {
            best = cheaper(best, regression)
        }
        return best
    }

    private static func cheaper(_ a: Self, _ b: Self) -> Self { b.bits < a.bits ? b : a }

    private static func plain(_ predictor: ColumnPredictor, seeds: [Int64], residuals: [Int64]) -> Self {
        let zigzagged = residuals.map(zigzag)
        let (coder, bits) = ResidualCoder.cheapest(zigzagged)
        let header = seeds.reduce(0) { $0 + varintSize(zigzag($1)) }
        return Self(predictor: predictor, seeds: seeds, residuals: zigzagged, coder: coder, bits: bits + 8 * header)
    }

    private static func regression(first: Int64, deltas: [Int64], candidates: [ColumnShape.Indexed]) -> Self? {
        let pool = screen(deltas, candidates: candidates.suffix(window))
        // Terms are positions in `pool` while searching.
        func price(_ terms: [Int]) -> Self? {
            fit(first: first, deltas: deltas, references: terms.map { pool[$0].index }, xs: terms.map { pool[$0].shape.deltas })
        }
        var chosen: (choice: Self, terms: [Int])?
        while (chosen?.terms.count ?? 0) < min(ColumnPrediction.maxTerms, pool.count) {
            let current = chosen?.terms ?? []
            var step: (choice: Self, terms: [Int])?
            for candidate in pool.indices where !current.contains(candidate) {
                if let trial = price(current + [candidate]), trial.bits < step?.choice.bits ?? Int.max {
                    step = (trial, current + [candidate])
                }
            }
            guard let step, step.choice.bits < chosen?.choice.bits ?? Int.max else { break }
            chosen = step
        }
        // Forward selection can lock in a near miss (a phase current before the phase's kW): try swaps.
        guard var best = chosen else { return nil }
        var improved = best.terms.count > 1
        var passes = 0
        while improved, passes < 3 {
            improved = false
            passes += 1
            for position in best.terms.indices {
                for candidate in pool.indices where !best.terms.contains(candidate) {
                    var terms = best.terms
                    terms[position] = candidate
                    if let trial = price(terms), trial.bits < best.choice.bits {
                        best = (trial, terms)
                        improved = true
                    }
                }
            }
        }
        return best.choice
    }

    /// The `screened` candidates whose deltas have the largest squared correlation with `deltas`.
    private static func screen(_ deltas: [Int64], candidates: ArraySlice<ColumnShape.Indexed>) -> [ColumnShape.Indexed] {
        var scored: [(candidate: ColumnShape.Indexed, score: Double)] = []
        for candidate in candidates {
            var xy = 0.0, xx = 0.0
            for (x, y) in zip(candidate.shape.deltas, deltas) {
                xy += Double(x) * Double(y)
                xx += Double(x) * Double(x)
            }
            if xx > 0 { scored.append((candidate, xy * xy / xx)) }
        }
        return scored.sorted { $0.score > $1.score }.prefix(screened).map(\.candidate)
    }

    /// Least-squares scales of `deltas` on `xs` (the references' deltas), rounded to 1/1024, and the priced
    /// result; nil when the fit is singular, a scale is 0 or out of range, or a residual overflows.
    private static func fit(first: Int64, deltas: [Int64], references: [Int], xs: [[Int64]]) -> Self? {
        guard let scales = LeastSquares.solve(deltas, on: xs) else { return nil }
        var terms: [ColumnPrediction.Term] = []
        for (reference, coefficient) in zip(references, scales) {
            let scale = (coefficient * Double(1 << ColumnPrediction.scaleBits)).rounded()
            guard scale.isFinite, abs(scale) <= Double(ColumnPrediction.maxScale), scale != 0 else { return nil }
            terms.append(ColumnPrediction.Term(reference: reference, scale: Int64(scale)))
        }
        var residuals = deltas
        for (term, x) in zip(terms, xs) {
            for row in residuals.indices {
                guard let prediction = ColumnPrediction.predict(x[row], scale: term.scale) else { return nil }
                let (difference, overflow) = residuals[row].subtractingReportingOverflow(prediction)
                guard !overflow else { return nil }
                residuals[row] = difference
            }
        }
        guard residuals.allSatisfy({ $0.magnitude < maxResidual }) else { return nil }
        let prediction = ColumnPrediction(terms: terms)
        let zigzagged = residuals.map(zigzag)
        let (coder, bits) = ResidualCoder.cheapest(zigzagged)
        var header = ByteWriter()
        header.signed(first)
        prediction.write(into: &header)
        return Self(predictor: .regression(prediction), seeds: [first], residuals: zigzagged, coder: coder,
                    bits: bits + 8 * header.bytes.count)
    }
}

extension ColumnShape {
    /// A shape with its column index in the frame.
    struct Indexed {
        var index: Int
        var shape: ColumnShape
    }
}

/// Ordinary least squares for up to a few regressors, by the normal equations and Gaussian elimination.
enum LeastSquares {
    /// Coefficients b minimising |y − Σ b_i x_i|², or nil when the regressors are (nearly) dependent.
    static func solve(_ y: [Int64], on xs: [[Int64]]) -> [Double]? {
        let n = xs.count
        var matrix = [[Double]](repeating: [Double](repeating: 0, count: n + 1), count: n)
        for i in 0..<n {
            for j in i..<n {
                var sum = 0.0
                for (a, b) in zip(xs[i], xs[j]) { sum += Double(a) * Double(b) }
                matrix[i][j] = sum
                matrix[j][i] = sum
            }
            var sum = 0.0
            for (a, b) in zip(xs[i], y) { sum += Double(a) * Double(b) }
            matrix[i][n] = sum
        }
        for column in 0..<n {
            let pivot = (column..<n).max { abs(matrix[$0][column]) < abs(matrix[$1][column]) }!
            guard abs(matrix[pivot][column]) > 1e-9 * max(1, abs(matrix[column][column])) else { return nil }
            matrix.swapAt(column, pivot)
            for row in 0..<n where row != column {
                let factor = matrix[row][column] / matrix[column][column]
                for k in column...n { matrix[row][k] -= factor * matrix[column][k] }
            }
        }
        let solution = (0..<n).map { matrix[$0][n] / matrix[$0][$0] }
        return solution.allSatisfy(\.isFinite) ? solution : nil
    }
}
