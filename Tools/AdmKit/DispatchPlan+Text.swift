import GridCore
public import MeshPlanner

extension DispatchPlan {
    /// The plan for a person: the goal and how far it is met, one row per transformer, then conflicts and left-outs.
    public static func text(_ plan: NeighborhoodPlan) -> String {
        var out = "plan at \(plan.time.rfc3339), horizon \(number(plan.horizonMinutes, 0)) min, pass: \(plan.pass.rawValue)"
        if let shape = plan.envelopeShape { out += ", envelopes: \(shape.rawValue)" }
        out += "\n"
        if let goal = plan.goal {
            out += "goal \(goal.goal) (\(goal.kind.rawValue)): EV fleet target \(number(goal.targetKW)) kW, planned \(number(goal.plannedKW)) kW"
            out += goal.met ? ", met\n" : ", shortfall \(number(goal.shortfallKW)) kW (\(goal.reason?.rawValue ?? "unknown"))\n"
            if !goal.binding.isEmpty {
                out += "  held at their limit: " + goal.binding.map { "\($0.limit.rawValue) \($0.transformers)" }.joined(separator: ", ") + "\n"
            }
        }
        if let cap = plan.importCap {
            out += "import cap \(cap.goal): limit \(number(cap.limitKW)) kW, import \(number(cap.importKW)) kW"
            out += cap.binding ? ", binding" : ", not binding"
            out += cap.met ? "\n" : ", over by \(number(cap.shortfallKW)) kW (\(cap.reason?.rawValue ?? "unknown"))\n"
        }
        if plan.goal == nil && plan.importCap == nil { out += "no goal in force: no envelopes, every agent runs on its own policy\n" }
        out += "objective Σ P²/h = \(number(plan.objectiveKW, 3)) kW, λ = \(number(plan.multiplier, 4))\n"
        out += table(plan)
        for conflict in plan.conflicts {
            out += "conflict: \(conflict.goal) yields to \(conflict.yieldsTo) (\(conflict.resolution.rawValue)): \(conflict.detail)\n"
        }
        for t in plan.leftOut {
            out += "left out: \(t.id) (\(t.reason.rawValue)): \(t.detail)\n"
        }
        var totals = "totals: household \(number(plan.totals.householdKW)) kW"
        if let ev = plan.totals.evPlannedKW { totals += ", EVs \(number(ev)) kW" }
        if let range = plan.totals.evRangeKW { totals += " (range \(number(range.lowerKW))…\(number(range.upperKW)))" }
        if let imported = plan.totals.importKW { totals += ", import \(number(imported)) kW" }
        if plan.totals.leftOutImportKW != 0 { totals += " (left out: \(number(plan.totals.leftOutImportKW)) kW)" }
        return out + totals + "\n"
    }

    private static func table(_ plan: NeighborhoodPlan) -> String {
        let header = ["transformer", "mode", "P kW", "A kW", "B kW", "C kW", "range kW", "headroom kW", "used", "hot-spot °C", "limit"]
        var rows = [header]
        for t in plan.transformers {
            let phases = t.phaseKW.map { [number($0.a), number($0.b), number($0.c)] } ?? ["-", "-", "-"]
            rows.append([
                t.id, t.mode?.rawValue ?? "-", t.plannedKW.map { number($0) } ?? "-",
            ] + phases + [
                t.rangeKW.map { "\(number($0.lowerKW))…\(number($0.upperKW))" } ?? "-",
                number(t.headroomKW), t.headroomUsedPercent.map { number($0, 0) + "%" } ?? "-",
                "\(number(t.forecastHotSpotC)) / \(number(t.hotSpotAimC))",
                t.limit.map { l in l == .evFleet ? "ev_fleet (\(t.evLimit?.rawValue ?? "?"))" : l.rawValue } ?? "-",
            ])
        }
        var widths = [Int](repeating: 0, count: header.count)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        return rows.map { row in
            row.enumerated().map { i, cell in
                let pad = String(repeating: " ", count: widths[i] - cell.count)
                return i == 0 || i == 1 || i == header.count - 1 ? cell + pad : pad + cell
            }.joined(separator: "  ").replacing(/\s+$/, with: "")
        }.joined(separator: "\n") + "\n"
    }

    /// A fixed number of decimals, without Foundation's formatter.
    static func number(_ value: Double, _ decimals: Int = 1) -> String {
        guard value.isFinite else { return "\(value)" }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        guard scaled < 1e15 else { return "\(value)" }
        let whole = Int(scaled) / Int(scale)
        let fraction = Int(scaled) % Int(scale)
        var text = String(whole)
        if decimals > 0 {
            let digits = String(fraction)
            text += "." + String(repeating: "0", count: decimals - digits.count) + digits
        }
        return value < 0 && scaled != 0 ? "-" + text : text
    }
}
