/// One bench input sample: the time and the measured quantity (v_pu or f_hz), with where it came from.
public struct CurveBenchSample: Sendable, Hashable {
    /// Time as written in the input, echoed unchanged in the output.
    public var timeText: String
    public var timeS: Double
    public var value: Double
    /// 1-based line of the input file.
    public var line: Int

    public init(timeText: String, timeS: Double, value: Double, line: Int) {
        self.timeText = timeText
        self.timeS = timeS
        self.value = value
        self.line = line
    }
}

/// The bench's CSV: `t_s,v_pu` (or `t_s,f_hz`) in, `t_s,q_pu` (or `t_s,p_pu`) out.
/// Blank lines and lines starting with `#` are skipped; the first other line is the header.
public enum CurveBenchCSV {
    /// Allowed input ranges: v_pu 0–2, f_hz 40–70 (wide enough for any test, narrow enough to catch unit mix-ups).
    public static let voltageRangePU: ClosedRange<Double> = 0...2
    public static let frequencyRangeHz: ClosedRange<Double> = 40...70

    /// Parses `text`, read from `fileName`, for `function`; throws naming the file, line, column and allowed range.
    public static func parse(_ text: String, fileName: String, function: CurveFunction) throws(CurveBenchError) -> [CurveBenchSample] {
        let valueName = function.inputColumn
        let valueRange = function == .frequencyDroop ? frequencyRangeHz : voltageRangePU
        let header = "t_s,\(valueName)"
        var samples: [CurveBenchSample] = []
        var sawHeader = false
        for (index, rawLine) in lines(of: text).enumerated() {
            let lineNumber = index + 1
            let line = trimmed(rawLine)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(trimmed)
            guard sawHeader else {
                guard fields.joined(separator: ",") == header else {
                    throw .badHeader(fileName, line: lineNumber, expected: header, got: line)
                }
                sawHeader = true
                continue
            }
            guard fields.count == 2 else {
                throw .badRow(fileName, line: lineNumber, column: fields.count < 2 ? 2 : 3, fields: fields.count)
            }
            let time = try number(fields[0], field: "t_s", allowed: "finite seconds", fileName, lineNumber, column: 1)
            if let previous = samples.last, !(time > previous.timeS) {
                throw .timeNotIncreasing(fileName, line: lineNumber, value: time, previous: previous.timeS)
            }
            let allowed = "\(valueRange.lowerBound)…\(valueRange.upperBound)"
            let value = try number(fields[1], field: valueName, allowed: allowed, fileName, lineNumber, column: 2)
            guard valueRange.contains(value) else {
                throw .outOfRange(fileName, line: lineNumber, column: 2, field: valueName, value: value, range: valueRange)
            }
            samples.append(CurveBenchSample(timeText: fields[0], timeS: time, value: value, line: lineNumber))
        }
        guard !samples.isEmpty else { throw .noSamples(fileName) }
        return samples
    }

    /// The output CSV: header, then one `t_s,value` row per input sample, values to 6 decimals.
    public static func format(_ rows: [(timeText: String, value: Double)], function: CurveFunction) -> String {
        var out = "t_s,\(function.outputColumn)\n"
        for row in rows {
            out += "\(row.timeText),\(fixed(row.value))\n"
        }
        return out
    }

    /// `x` with exactly `digits` decimals, no exponent, no "-0" (FoundationEssentials has no String(format:)).
    public static func fixed(_ x: Double, digits: Int = 6) -> String {
        guard x.isFinite else { return "\(x)" }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = (abs(x) * scale).rounded()
        guard scaled < 9e15 else { return "\(x)" }
        let units = Int64(scaled)
        let whole = units / Int64(scale)
        let fraction = String(units % Int64(scale))
        let sign = x < 0 && units != 0 ? "-" : ""
        guard digits > 0 else { return "\(sign)\(whole)" }
        return "\(sign)\(whole).\(String(repeating: "0", count: digits - fraction.count))\(fraction)"
    }

    static func number(_ text: String, field: String, allowed: String,
                       _ fileName: String, _ line: Int, column: Int) throws(CurveBenchError) -> Double {
        // Double("nan"), Double("inf") and hex floats parse; only plain finite numbers are data here.
        guard let value = Double(text), value.isFinite, !text.lowercased().hasPrefix("0x"),
              !text.lowercased().hasPrefix("-0x"), !text.lowercased().hasPrefix("+0x") else {
            throw .badNumber(fileName, line: line, column: column, field: field, text: text, allowed: allowed)
        }
        return value
    }

    /// Lines split on LF or CRLF ("\r\n" is a single Character in Swift, so both must be named).
    static func lines(of text: String) -> [Substring] {
        text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
    }

    static func trimmed(_ s: Substring) -> String {
        let isBlank: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" }
        guard let first = s.firstIndex(where: { !isBlank($0) }), let last = s.lastIndex(where: { !isBlank($0) }) else {
            return ""
        }
        return String(s[first...last])
    }
}
