internal import FoundationEssentials
public import GridCore

extension ScenarioMetrics: Encodable {
    private enum Keys: String, CodingKey {
        case elapsedS = "elapsed_s", neutral = "neutral_current_a", vuf = "vuf_pct", hotSpotPeakC = "hot_spot_peak_c"
        case topOilPeakC = "top_oil_peak_c", loadPeakPU = "load_peak_pu", voltageBand = "voltage_band"
        case average, peak, max, peakAtS = "peak_at_s", maxAtS = "max_at_s", limit = "limit_pct", intervals, intervalsWithinLimit = "intervals_within_limit"
        case shareWithinLimit = "intervals_within_limit_pct", lowPU = "low_pu", highPU = "high_pu"
        case secondsOutside = "seconds_outside", excursions
    }

    /// The metrics as JSON (keys in docs/simulator.md, "Modbus side"); a peak with no step yet is null.
    public func encode(to encoder: any Encoder) throws {
        func finite(_ value: Double) -> Double? { value.isFinite ? value : nil }
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(elapsedS, forKey: .elapsedS)
        var neutral = c.nestedContainer(keyedBy: Keys.self, forKey: .neutral)
        try neutral.encode(neutralCurrentAverageA, forKey: .average)
        try neutral.encode(neutralCurrentPeakA, forKey: .peak)
        try neutral.encode(neutralCurrentPeakAtS, forKey: .peakAtS)
        var vuf = c.nestedContainer(keyedBy: Keys.self, forKey: .vuf)
        try vuf.encode(vufAveragePercent, forKey: .average)
        try vuf.encode(vufMaxPercent, forKey: .max)
        try vuf.encode(vufMaxAtS, forKey: .maxAtS)
        try vuf.encode(Self.vufLimitPercent, forKey: .limit)
        try vuf.encode(vufIntervals, forKey: .intervals)
        try vuf.encode(vufIntervalsWithinLimit, forKey: .intervalsWithinLimit)
        try vuf.encode(vufIntervalsWithinLimitPercent, forKey: .shareWithinLimit)
        try c.encode(finite(hotSpotPeakC), forKey: .hotSpotPeakC)
        try c.encode(finite(topOilPeakC), forKey: .topOilPeakC)
        try c.encode(loadPeakPU, forKey: .loadPeakPU)
        var band = c.nestedContainer(keyedBy: Keys.self, forKey: .voltageBand)
        try band.encode(Self.voltageBandPU.lowerBound, forKey: .lowPU)
        try band.encode(Self.voltageBandPU.upperBound, forKey: .highPU)
        try band.encode(secondsOutsideBand, forKey: .secondsOutside)
        try band.encode(bandExcursions, forKey: .excursions)
    }
}

/// What `v2g-sim` reports at the end of a run: the scenario's metrics, every EV session, and the setpoints applied.
public struct ScenarioReport: Sendable, ReportFile {
    public var scenario: String
    public var startTime: Timestamp
    /// Simulated time when the run ended (the scenario's end, or earlier when stopped).
    public var endTime: Timestamp
    public var metrics: ScenarioMetrics
    /// Every session: those that ended (`met_target` set) and those still plugged in (`met_target` null).
    public var sessions: [SessionOutcome]
    public var appliedSetpoints: Int
    public var refusedSetpoints: Int
    /// The figures over the whole run (the same as `v2g-sim rehearse` prints).
    public var figures: RunFigures

    public init(simulation: FeederSimulation, appliedSetpoints: Int = 0, refusedSetpoints: Int = 0) {
        scenario = simulation.scenario.name ?? "unnamed"
        startTime = simulation.scenario.startTime
        endTime = simulation.time
        metrics = simulation.metrics
        sessions = simulation.sessions
        self.appliedSetpoints = appliedSetpoints
        self.refusedSetpoints = refusedSetpoints
        figures = RunFigures(simulation: simulation)
    }

    /// Sessions that ended, and those of them that met their target.
    public var targets: (ended: Int, met: Int) {
        let ended = sessions.filter { $0.metTarget != nil }
        return (ended.count, ended.filter { $0.metTarget == true }.count)
    }

    private enum Keys: String, CodingKey {
        case scenario, startTime = "start_time", endTime = "end_time", metrics, sessions, targets, setpoints, figures
        case ended, met, applied, refused, lapses, charger, atS = "at_s", revertKW = "revert_kw"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(scenario, forKey: .scenario)
        try c.encode(startTime, forKey: .startTime)
        try c.encode(endTime, forKey: .endTime)
        try c.encode(metrics, forKey: .metrics)
        try c.encode(sessions, forKey: .sessions)
        var targets = c.nestedContainer(keyedBy: Keys.self, forKey: .targets)
        try targets.encode(self.targets.ended, forKey: .ended)
        try targets.encode(self.targets.met, forKey: .met)
        var setpoints = c.nestedContainer(keyedBy: Keys.self, forKey: .setpoints)
        try setpoints.encode(appliedSetpoints, forKey: .applied)
        try setpoints.encode(refusedSetpoints, forKey: .refused)
        var lapses = setpoints.nestedUnkeyedContainer(forKey: .lapses)
        for lapse in metrics.lapses {
            var entry = lapses.nestedContainer(keyedBy: Keys.self)
            try entry.encode(lapse.chargerID, forKey: .charger)
            try entry.encode(lapse.at - startTime, forKey: .atS)
            // null: back to charging at the EV's request (no reversion value was written).
            try entry.encode(lapse.revertTo?.activeKW, forKey: .revertKW)
        }
        try c.encode(figures, forKey: .figures)
    }
}
