import GridCore

extension ScenarioReport {
    /// The report for a terminal: one line per metric, then one per EV session.
    public var text: String {
        let m = metrics
        var lines = ["scenario \(scenario): \(Self.fixed(endTime - startTime, 0)) s simulated"]
        lines.append("neutral current: average \(Self.fixed(m.neutralCurrentAverageA, 1)) A, peak \(Self.fixed(m.neutralCurrentPeakA, 1)) A")
        let share = m.vufIntervalsWithinLimitPercent.map { Self.fixed($0, 1) + " %" } ?? "n/a"
        lines.append("VUF: average \(Self.fixed(m.vufAveragePercent, 2)) %, max \(Self.fixed(m.vufMaxPercent, 2)) %; "
            + "\(m.vufIntervalsWithinLimit) of \(m.vufIntervals) 10-min intervals ≤ \(Self.fixed(ScenarioMetrics.vufLimitPercent, 0)) % (\(share))")
        lines.append("hot-spot peak \(Self.fixed(m.hotSpotPeakC, 1)) °C, top-oil peak \(Self.fixed(m.topOilPeakC, 1)) °C, load peak K \(Self.fixed(m.loadPeakPU, 2))")
        let band = ScenarioMetrics.voltageBandPU
        let phases = Phase.allCases.map { phase in
            "\(phase) \(Self.fixed(m.secondsOutsideBand[phase], 0)) s (\(m.bandExcursions[phase]) excursions)"
        }
        lines.append("outside \(Self.fixed(band.lowerBound, 2))–\(Self.fixed(band.upperBound, 2)) pu: " + phases.joined(separator: ", "))
        lines.append("EVs: \(targets.ended) left, \(targets.met) met their target; \(sessions.count - targets.ended) still plugged in")
        for session in sessions {
            let outcome = session.metTarget.map { $0 ? "met" : "missed" } ?? "plugged in"
            lines.append("  \(session.sessionID): +\(Self.fixed(session.chargedKWh, 1)) kWh charged, "
                + "−\(Self.fixed(session.dischargedKWh, 1)) kWh discharged, SoC \(Self.fixed(session.arrivalSocPercent, 1)) → "
                + "\(Self.fixed(session.finalSocPercent, 1)) % (target \(Self.fixed(session.targetSocPercent, 1)) %): \(outcome)")
        }
        lines.append("setpoints: \(appliedSetpoints) applied, \(refusedSetpoints) refused, \(m.lapses.count) lapsed")
        let f = figures
        func opt(_ value: Double?, _ digits: Int) -> String { value.map { Self.fixed($0, digits) } ?? "n/a" }
        lines.append("figures over the run: neutral mean \(Self.fixed(f.neutralMeanA, 1)) A, max 1-min \(opt(f.neutralMax1MinA, 1)) A, "
            + "max 10-min \(opt(f.neutralMax10MinA, 1)) A; VUF p95 of 10-min \(opt(f.vufP95TenMinutePercent, 2)) %, "
            + "max 10-min \(opt(f.vufMaxTenMinutePercent, 2)) %; loss of life \(Self.fixed(f.lossOfLifeHours, 3)) h; "
            + "EVs \(f.evsMetTarget) of \(f.evs.count) met target, shortfall \(Self.fixed(f.evShortfallKWh, 1)) kWh "
            + "(worst \(Self.fixed(f.evShortfallMaxKWh, 1)) kWh)")
        return lines.joined(separator: "\n")
    }

    /// `value` with `digits` decimals (no Foundation formatting on this side); "n/a" when not finite.
    static func fixed(_ value: Double, _ digits: Int) -> String {
        guard value.isFinite else { return "n/a" }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        guard scaled < 9e15 else { return "\(value)" }
        let units = Int64(scaled)
        let whole = units / Int64(scale), fraction = units % Int64(scale)
        let sign = value < 0 && units != 0 ? "-" : ""
        guard digits > 0 else { return "\(sign)\(whole)" }
        let text = String(fraction)
        return "\(sign)\(whole)." + String(repeating: "0", count: digits - text.count) + text
    }
}
