public import GridCore

/// What the meter delivers at the samples a row covers.
public enum MeterCondition: String, Sendable, Hashable, CaseIterable {
    /// A reading the data-quality checks accept (its current channels move as a real meter's do).
    case live
    /// The meter repeats its previous reading's values with a fresh timestamp.
    case frozen
    /// No reading that cycle.
    case missing
}

/// One input row: from `timeS` until the next row, the grid is at these values and the meter in this condition.
public struct ProtectionBenchRow: Sendable, Hashable {
    public var timeS: Double
    public var voltagePU: PerPhase<Double>
    public var frequencyHz: Double
    public var meter: MeterCondition
    /// 1-based line of the input file.
    public var line: Int

    public init(timeS: Double, voltagePU: PerPhase<Double>, frequencyHz: Double, meter: MeterCondition = .live, line: Int = 0) {
        self.timeS = timeS
        self.voltagePU = voltagePU
        self.frequencyHz = frequencyHz
        self.meter = meter
        self.line = line
    }
}

/// The bench's CSV: `t_s,va_pu,vb_pu,vc_pu,f_hz[,meter]` in, `t_s,verdict,codes` out.
/// Blank lines and lines starting with `#` are skipped; the first other line is the header.
public enum ProtectionBenchCSV {
    public static let header = "t_s,va_pu,vb_pu,vc_pu,f_hz"
    public static let headerWithMeter = header + ",meter"
    /// Wide enough for any disturbance test, narrow enough to catch a unit mix-up (volts for pu, rad/s for Hz).
    public static let voltageRangePU: ClosedRange<Double> = 0...2
    public static let frequencyRangeHz: ClosedRange<Double> = 40...70

    /// Parses `text`, read from `fileName`; throws one line naming the file, the line and what is wrong.
    public static func parse(_ text: String, fileName: String) throws(ProtectionBenchError) -> [ProtectionBenchRow] {
        var rows: [ProtectionBenchRow] = []
        var columns: Int?
        for (index, rawLine) in CurveBenchCSV.lines(of: text).enumerated() {
            let lineNumber = index + 1
            let line = CurveBenchCSV.trimmed(rawLine)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(CurveBenchCSV.trimmed)
            guard let expected = columns else {
                let written = fields.joined(separator: ",")
                guard written == header || written == headerWithMeter else {
                    throw .badHeader(fileName, line: lineNumber, expected: headerWithMeter, got: line)
                }
                columns = fields.count
                continue
            }
            // The meter column may be left out or empty on a row: live.
            guard fields.count == expected || (expected == 6 && fields.count == 5) else {
                throw .badRow(fileName, line: lineNumber, expected: expected, found: fields.count)
            }
            func value(_ column: Int, _ name: String, _ range: ClosedRange<Double>, _ unit: String) throws(ProtectionBenchError) -> Double {
                let text = fields[column]
                let lower = text.lowercased()
                // Double("nan"), Double("inf") and hex floats parse; only plain finite numbers are data here.
                guard let number = Double(text), number.isFinite, !lower.contains("x") else {
                    throw .badValue(fileName, line: lineNumber, "\(name) \"\(text)\" is not a finite number")
                }
                guard range.contains(number) else {
                    throw .badValue(fileName, line: lineNumber,
                        "\(name) = \(text) is outside \(range.lowerBound)–\(range.upperBound)\(unit)")
                }
                return number
            }
            let time = try value(0, "t_s", -1e12...1e12, " s")
            if let previous = rows.last, !(time > previous.timeS) {
                throw .timeNotIncreasing(fileName, line: lineNumber, value: time, previous: previous.timeS)
            }
            let volts = PerPhase(
                a: try value(1, "va_pu", voltageRangePU, " pu"), b: try value(2, "vb_pu", voltageRangePU, " pu"),
                c: try value(3, "vc_pu", voltageRangePU, " pu"))
            let hz = try value(4, "f_hz", frequencyRangeHz, " Hz")
            var meter = MeterCondition.live
            if fields.count == 6, !fields[5].isEmpty {
                guard let word = MeterCondition(rawValue: fields[5]) else {
                    throw .badValue(fileName, line: lineNumber,
                        "meter \"\(fields[5])\" is not one of \(MeterCondition.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                meter = word
            }
            rows.append(ProtectionBenchRow(timeS: time, voltagePU: volts, frequencyHz: hz, meter: meter, line: lineNumber))
        }
        guard !rows.isEmpty else { throw .noSamples(fileName) }
        return rows
    }

    /// The output CSV: header, then one `t_s,verdict,codes` row per sample.
    public static func format(_ outputs: [ProtectionBenchOutput]) -> String {
        var out = "t_s,verdict,codes\n"
        for output in outputs {
            out += "\(seconds(output.timeS)),\(output.verdict.rawValue),\(output.codes.map(\.rawValue).joined(separator: ";"))\n"
        }
        return out
    }

    /// Sample times to the microsecond, without trailing zeros ("10", "10.1", "0.000125").
    static func seconds(_ t: Double) -> String {
        var text = CurveBenchCSV.fixed(t, digits: 6)
        guard text.contains(".") else { return text }
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }
}
