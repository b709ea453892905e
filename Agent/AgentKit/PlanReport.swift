public import GridCore
public import FoundationEssentials

/// What `plan` prints: each charger's setpoint and why, and the before/after figures.
public struct PlanReport: Sendable, Encodable {
    public struct Row: Sendable, Encodable {
        public var charger: String
        public var phase: String
        public var requestKW: Double
        public var setpointKW: Double
        public var setpointKvar: Double
        public var write: Bool
        public var reasons: [String]

        enum CodingKeys: String, CodingKey {
            case charger, phase, requestKW = "request_kw", setpointKW = "p_kw", setpointKvar = "q_kvar", write, reasons
        }
    }

    public var mode: CycleOutcome.Mode
    public var chargers: [Row]
    public var figures: CycleFigures
    public var decisions: [Decision]

    public init(snapshot: PlanSnapshot, outcome: CycleOutcome) {
        mode = outcome.mode
        figures = outcome.figures
        decisions = outcome.decisions
        let written = Set(outcome.writes.map(\.chargerID))
        chargers = zip(snapshot.inputs.chargers, outcome.setpoints).map { charger, setpoint in
            Row(
                charger: charger.id, phase: charger.connection.description,
                requestKW: charger.ev?.requestedKW ?? 0,
                setpointKW: setpoint.activePowerKW, setpointKvar: setpoint.reactivePowerKvar,
                write: written.contains(charger.id),
                reasons: outcome.decisions.filter { $0.chargerID == charger.id }.map { "\($0.code): \($0.message)" }
            )
        }
    }

    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        // A snapshot may carry a NaN (a value the device did not give): spelled out, never a failed print.
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    public func text() -> String {
        var lines = ["mode: \(mode.rawValue)", ""]
        lines.append(pad("charger", 12) + pad("phase", 6) + pad("request kW", 11, right: true) + pad("P kW", 9, right: true)
            + pad("Q kvar", 9, right: true) + "  write  why")
        for row in chargers {
            lines.append(pad(row.charger, 12) + pad(row.phase, 6) + pad(fixed(row.requestKW), 11, right: true)
                + pad(fixed(row.setpointKW), 9, right: true) + pad(fixed(row.setpointKvar), 9, right: true)
                + (row.write ? "  yes    " : "  no     ") + (row.reasons.first ?? "-"))
            for reason in row.reasons.dropFirst() { lines.append(String(repeating: " ", count: 63) + reason) }
        }
        lines.append("")
        let f = figures
        lines.append("neutral current   before \(fixed(f.neutralCurrentBeforeA)) A   after \(fixed(f.neutralCurrentAfterA)) A")
        lines.append("voltage unbalance before \(fixed(f.unbalanceBeforePercent)) %   after \(fixed(f.unbalanceAfterPercent)) % (predicted)")
        lines.append("transformer       load \(fixed(f.loadKVA)) kVA   allowed \(fixed(f.allowedKVA)) kVA   hot-spot \(fixed(f.hotSpotC)) °C   forecast \(fixed(f.forecastHotSpotC)) °C")
        lines.append("EV fleet total    \(fixed(f.evTotalKW)) kW")
        let general = decisions.filter { $0.chargerID == nil }
        if !general.isEmpty {
            lines.append("")
            lines.append("decisions:")
            for decision in general { lines.append("  \(decision)") }
        }
        return lines.joined(separator: "\n")
    }
}

private func fixed(_ value: Double?) -> String {
    guard let value, value.isFinite else { return "-" }
    let scaled = (value * 100).rounded() / 100
    var text = "\(scaled)"
    if let dot = text.firstIndex(of: "."), text.distance(from: dot, to: text.endIndex) == 2 { text += "0" }
    return text == "-0.00" ? "0.00" : text
}

private func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
    let gap = String(repeating: " ", count: max(0, width - text.count))
    return right ? gap + text + " " : text + gap
}
