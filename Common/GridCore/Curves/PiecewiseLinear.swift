/// A piecewise-linear function through points sorted by x, flat beyond the first and last point.
struct PiecewiseLinear: Sendable, Hashable {
    var xs: [Double]
    var ys: [Double]

    init(_ points: (x: Double, y: Double)...) {
        xs = points.map(\.x)
        ys = points.map(\.y)
    }

    /// NaN in, NaN out: callers (OpenLoopResponse) hold their last output on NaN.
    func value(at x: Double) -> Double {
        guard !x.isNaN, let firstX = xs.first, let lastY = ys.last else { return .nan }
        if x <= firstX { return ys[0] }
        for i in 1..<xs.count where x <= xs[i] {
            let width = xs[i] - xs[i - 1]
            // A zero-width segment (Cat A: V2 = V3) is a step; take its right-hand value.
            guard width > 0 else { return ys[i] }
            return ys[i - 1] + (ys[i] - ys[i - 1]) * (x - xs[i - 1]) / width
        }
        return lastY
    }

    /// Smallest and largest value over `interval`: at its ends or at a corner inside it; nil if any is NaN.
    func extremes(over interval: ClosedRange<Double>) -> ClosedRange<Double>? {
        var low = min(value(at: interval.lowerBound), value(at: interval.upperBound))
        var high = max(value(at: interval.lowerBound), value(at: interval.upperBound))
        for (x, y) in zip(xs, ys) where interval.contains(x) {
            if y.isNaN { return nil }
            low = min(low, y)
            high = max(high, y)
        }
        return low <= high ? low...high : nil
    }
}
