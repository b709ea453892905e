import GridCore

extension NeighborhoodFigures {
    /// One row per transformer and one for the neighborhood, then the net power drawn from the feeder.
    public var text: String {
        func f(_ value: Double?, _ digits: Int) -> String { value.map { ScenarioReport.fixed($0, digits) } ?? "n/a" }
        let columns: [(title: String, width: Int)] = [
            ("", 14), ("neutral mean/1-min/10-min (A)", 31), ("VUF p95 (%)", 12), ("hot-spot (°C)", 14), ("LoL (h)", 9),
            ("out of band (s)", 16), ("lapses", 7), ("EV need→got (kWh)", 19), ("EVs met", 9),
        ]
        func row(_ cells: [String]) -> String {
            zip(cells, columns).enumerated().map { index, pair in
                let (cell, column) = pair
                let pad = String(repeating: " ", count: max(0, column.width - cell.count))
                return index == 0 ? cell + pad : pad + cell
            }.joined()
        }
        func cells(_ name: String, _ m: RunFigures) -> [String] {
            [name, "\(f(m.neutralMeanA, 1))/\(f(m.neutralMax1MinA, 1))/\(f(m.neutralMax10MinA, 1))", f(m.vufP95TenMinutePercent, 2),
             f(m.hotSpotMaxC, 1), f(m.lossOfLifeHours, 3), f(m.voltageOutsideBandS, 0), "\(m.setpointLapses)",
             "\(f(m.evsNeededTotalKWh, 1))→\(f(m.evsDeliveredTotalKWh, 1))", "\(m.evsMetTarget) of \(m.evs.count)"]
        }
        var lines = [row(columns.map(\.title))]
        for transformer in transformers { lines.append(row(cells(transformer.id, transformer.figures))) }
        lines.append(row(cells("neighborhood", neighborhood)))
        lines.append("(neighborhood: the worst transformer for neutral, VUF, hot-spot and band; sums for the rest)")
        let net = netImportKW
        lines.append("net import from the feeder: \(f(importedKWh, 1)) kWh in, \(f(exportedKWh, 1)) kWh out; "
            + "\(f(intervalS, 0)) s means from \(f(net.min(), 1)) to \(f(net.max(), 1)) kW over \(net.count) windows")
        return lines.joined(separator: "\n")
    }
}

extension NeighborhoodReport {
    /// Each transformer's report, then the neighborhood's figures and the ambient changes made while running.
    public var text: String {
        var lines: [String] = []
        for transformer in transformers {
            lines.append("== transformer \(transformer.id) (agent \(transformer.agentID))")
            lines.append(transformer.report.text)
        }
        lines.append("== neighborhood \(neighborhood): \(ScenarioReport.fixed(endTime - startTime, 0)) s simulated")
        lines.append(figures.text)
        for change in ambientChanges {
            let what = change.adjustment?.description ?? "ambient back to the scenario's"
            lines.append("control file: \(change.transformerID) \(what) from \(ScenarioReport.fixed(change.at - startTime, 0)) s")
        }
        return lines.joined(separator: "\n")
    }
}
