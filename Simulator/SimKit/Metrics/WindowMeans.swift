/// Means over consecutive fixed windows from the start of a run (IEC 61000-4-30 aggregates this way: 10-minute
/// values on a fixed grid, not a sliding window). A step that straddles a window's end is split at it, so a paced
/// run whose steps do not divide the window loses nothing; only complete windows count.
struct WindowMeans: Sendable, Hashable {
    let windowS: Double
    /// Whether to keep every window's mean (for percentiles), or only the largest.
    let keepsAll: Bool
    private(set) var means: [Double] = []
    private(set) var largest: Double?
    private(set) var count = 0
    private var index = 0
    private var integral = 0.0
    private var seconds = 0.0

    init(windowS: Double, keepsAll: Bool = false) {
        self.windowS = windowS
        self.keepsAll = keepsAll
    }

    /// Adds `value` held for `dt` seconds, ending `endS` seconds after the start.
    mutating func add(_ value: Double, over dt: Double, endingAt endS: Double) {
        guard dt > 0, dt.isFinite, endS.isFinite else { return }
        var from = endS - dt
        while endS - from > 1e-9 {
            // The window `from` lies in (a hair past a boundary counts as the next window).
            let window = Int(((from + 1e-9) / windowS).rounded(.down))
            if window != index { close(); index = window }
            let boundary = Double(window + 1) * windowS
            let to = min(endS, boundary)
            integral += value * (to - from)
            seconds += to - from
            if to >= boundary - 1e-9 { close(); index = window + 1 }
            from = to
        }
    }

    private mutating func close() {
        if seconds >= windowS - 1e-6 {
            let mean = integral / seconds
            count += 1
            largest = max(largest ?? mean, mean)
            if keepsAll { means.append(mean) }
        }
        integral = 0
        seconds = 0
    }

    /// The `p`-th percentile (0–100) of the complete windows' means, nearest rank; nil before the first window ends.
    func percentile(_ p: Double) -> Double? {
        guard !means.isEmpty else { return nil }
        let sorted = means.sorted()
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }
}
