import Prometheus

/// The live state reports' series (docs/aggregator.md, "Metrics"): how many were taken or refused, and how old the
/// aggregator's view of each transformer is.
extension AggregatorMetrics {
    /// Seconds; the agents report every 2 s, so the view is normally under 5 s old.
    static let stateAgeBuckets: [Double] = [0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 30, 60]

    /// Counts a report put on the board.
    public func stateAccepted() {
        registry.makeCounter(descriptor: Self.state("reports_accepted", "total", "State reports put on the fleet board.")).increment()
    }

    /// Counts a report refused, by label (`state.invalid`, `state.unplannable`, `state.superseded`, `body.too_large`, …).
    public func stateRefused(_ reason: String) {
        registry.makeCounter(
            descriptor: Self.state("reports_refused", "total", "State reports refused or dropped, by reason."), labels: [("reason", reason)]
        ).increment()
    }

    /// Records a report's age on arrival: received − the agent's report time (transfer and clock offset; 0 if negative).
    public func stateAgeOnArrival(seconds: Double) {
        registry.makeValueHistogram(
            descriptor: Self.state("report_age_on_arrival", "seconds", "Age of each state report on arrival: received − report time."),
            buckets: Self.stateAgeBuckets
        ).record(max(0, seconds))
    }

    /// Sets the age of the oldest report on the fleet board (0 with none).
    public func stateOldestAge(seconds: Double) {
        registry.makeGauge(
            descriptor: Self.state("oldest_report_age", "seconds", "Age of the oldest report on the fleet board at scrape time (0 with none).")
        ).set(max(0, seconds))
    }

    /// `v2g_state_<metric>_<unit>`.
    private static func state(_ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "v2g", subsystem: "state", metricName: metric, unitName: unit, helpText: help)
    }
}
