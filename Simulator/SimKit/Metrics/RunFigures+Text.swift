extension RunFigures {
    /// Two runs side by side for a terminal: one row per figure, then (with `evRows`) one row per EV session.
    public static func sideBySide(_ left: RunFigures, _ right: RunFigures, titles: (String, String), evRows: Bool = true) -> String {
        func f(_ value: Double?, _ digits: Int) -> String { value.map { ScenarioReport.fixed($0, digits) } ?? "n/a" }
        func pad(_ text: String, _ width: Int) -> String {
            text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
        }
        func row(_ name: String, _ a: String, _ b: String) -> String {
            name + String(repeating: " ", count: max(1, 40 - name.count)) + pad(a, 12) + pad(b, 12)
        }
        var lines = [row("", titles.0, titles.1)]
        lines.append(row("neutral current, mean (A)", f(left.neutralMeanA, 1), f(right.neutralMeanA, 1)))
        lines.append(row("neutral current, max 1-min mean (A)", f(left.neutralMax1MinA, 1), f(right.neutralMax1MinA, 1)))
        lines.append(row("neutral current, max 10-min mean (A)", f(left.neutralMax10MinA, 1), f(right.neutralMax10MinA, 1)))
        lines.append(row("VUF, 95th pct of 10-min values (%)", f(left.vufP95TenMinutePercent, 2), f(right.vufP95TenMinutePercent, 2)))
        lines.append(row("VUF, max 10-min value (%)", f(left.vufMaxTenMinutePercent, 2), f(right.vufMaxTenMinutePercent, 2)))
        lines.append(row("hot-spot peak (°C)", f(left.hotSpotMaxC, 1), f(right.hotSpotMaxC, 1)))
        lines.append(row("loss of life (h)", f(left.lossOfLifeHours, 3), f(right.lossOfLifeHours, 3)))
        lines.append(row("voltage outside 0.95–1.05 pu (s)", f(left.voltageOutsideBandS, 0), f(right.voltageOutsideBandS, 0)))
        lines.append(row("setpoint lapses", "\(left.setpointLapses)", "\(right.setpointLapses)"))
        lines.append(row("EV energy needed (kWh)", f(left.evsNeededTotalKWh, 1), f(right.evsNeededTotalKWh, 1)))
        lines.append(row("EV energy delivered (kWh)", f(left.evsDeliveredTotalKWh, 1), f(right.evsDeliveredTotalKWh, 1)))
        lines.append(row("EVs that met their target", "\(left.evsMetTarget) of \(left.evs.count)", "\(right.evsMetTarget) of \(right.evs.count)"))
        lines.append(row("EV shortfall, total (kWh)", f(left.evShortfallKWh, 1), f(right.evShortfallKWh, 1)))
        lines.append(row("EV shortfall, worst (kWh)", f(left.evShortfallMaxKWh, 1), f(right.evShortfallMaxKWh, 1)))
        guard evRows else { return lines.joined(separator: "\n") }
        lines.append("per EV: needed → delivered (shortfall, past target, discharged, min SoC)")
        let rightByID = Dictionary(right.evs.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        for ev in left.evs {
            func cell(_ e: RunFigures.EV?) -> String {
                guard let e else { return "n/a" }
                return "\(f(e.deliveredKWh, 1)) (−\(f(e.shortfallKWh, 1)), +\(f(e.chargedPastTargetKWh, 1)), −\(f(e.dischargedKWh, 1)), \(f(e.minSocPercent, 0)) %)"
            }
            lines.append("  \(ev.id) needs \(f(ev.neededKWh, 1)) kWh: \(titles.0) \(cell(ev)); \(titles.1) \(cell(rightByID[ev.id]))")
        }
        return lines.joined(separator: "\n")
    }
}
