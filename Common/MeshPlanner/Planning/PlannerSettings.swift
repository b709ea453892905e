/// How the planner looks ahead and what it trusts. Every field has a default (docs/neighborhood.md, "Settings").
public struct PlannerSettings: Sendable, Hashable, Codable {
    /// The plan holds its powers this long: EV energy and the thermal forecast are checked over it, in minutes.
    /// A transformer whose policy looks further ahead (`thermal.horizon_min`) is forecast over its own horizon.
    public var horizonMinutes: Double = 15
    /// A state report older than this (or this far in the future) leaves its transformer out, in seconds.
    public var maxReportAgeS: Double = 10
    /// The default phase balance limit, as a fraction of one phase's rating (rated_kva / 3).
    public var defaultBalanceFraction: Double = 0.2

    public init(horizonMinutes: Double = 15, maxReportAgeS: Double = 10, defaultBalanceFraction: Double = 0.2) {
        self.horizonMinutes = horizonMinutes
        self.maxReportAgeS = maxReportAgeS
        self.defaultBalanceFraction = defaultBalanceFraction
    }

    /// The allowed ranges: a horizon of 1 min to 2 h (as the agent's thermal horizon), an age of 1 s to 1 h.
    public static let horizonRange = 1.0...120.0
    public static let reportAgeRange = 1.0...3_600.0

    /// The settings clamped into their allowed ranges (a NaN takes the default), so the planner never divides by 0.
    var clamped: PlannerSettings {
        func clamp(_ v: Double, _ r: ClosedRange<Double>, _ d: Double) -> Double { v.isFinite ? min(max(v, r.lowerBound), r.upperBound) : d }
        return PlannerSettings(
            horizonMinutes: clamp(horizonMinutes, Self.horizonRange, 15),
            maxReportAgeS: clamp(maxReportAgeS, Self.reportAgeRange, 10),
            defaultBalanceFraction: clamp(defaultBalanceFraction, 0...1, 0.2))
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case horizonMinutes = "horizon_min", maxReportAgeS = "max_report_age_s", defaultBalanceFraction = "default_balance_fraction"
    }
}
