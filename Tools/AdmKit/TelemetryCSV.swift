public import Telemetry

/// A telemetry CSV read into quantized columns: `t_s` first, then channels named with their unit suffix.
public struct TelemetryTable: Sendable {
    /// Row times in milliseconds (t_s × 1000, exact), strictly increasing.
    public var timesMs: [Int64]
    public var channels: [ChannelSpec]
    /// `columns[channel][row]` in quanta of the channel's unit; nil for an empty cell.
    public var columns: [[Int64?]]

    public var rowCount: Int { timesMs.count }
}

/// Reads `t_s,phase_a_v,…` CSV. Blank lines and lines starting with `#` are skipped; an empty cell is a missing sample.
public enum TelemetryCSV {
    /// Parses `text`, read from `fileName`; throws naming the file, line and column.
    public static func parse(_ text: String, fileName: String) throws(TelemetryPackError) -> TelemetryTable {
        var table = TelemetryTable(timesMs: [], channels: [], columns: [])
        var previousTime = ""
        var sawHeader = false
        for (index, rawLine) in CurveBenchCSV.lines(of: text).enumerated() {
            let lineNumber = index + 1
            let line = CurveBenchCSV.trimmed(rawLine)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(CurveBenchCSV.trimmed)
            guard sawHeader else {
                table.channels = try header(fields, fileName: fileName, line: lineNumber)
                table.columns = Array(repeating: [], count: table.channels.count)
                sawHeader = true
                continue
            }
            guard fields.count == table.channels.count + 1 else {
                throw .badRow(fileName, line: lineNumber, column: min(fields.count, table.channels.count + 1) + 1,
                              fields: fields.count, expected: table.channels.count + 1)
            }
            guard let timeMs = Quantum(decimals: 3).quantize(decimal: fields[0]) else {
                throw .badNumber(fileName, line: lineNumber, column: 1, field: "t_s", text: fields[0],
                                 allowed: "a plain decimal number of seconds")
            }
            if let last = table.timesMs.last, timeMs <= last {
                throw .timeNotIncreasing(fileName, line: lineNumber, text: fields[0], previous: previousTime)
            }
            table.timesMs.append(timeMs)
            previousTime = fields[0]
            for (channel, spec) in table.channels.enumerated() {
                let cell = fields[channel + 1]
                guard !cell.isEmpty else {
                    table.columns[channel].append(nil)
                    continue
                }
                guard let quanta = spec.quantum.quantize(decimal: cell) else {
                    throw .badNumber(fileName, line: lineNumber, column: channel + 2, field: spec.name, text: cell,
                                     allowed: "empty or a plain decimal number within ±2^53 quanta of \(spec.quantum)")
                }
                table.columns[channel].append(quanta)
            }
        }
        guard sawHeader else { throw .noRows(fileName) }
        guard !table.timesMs.isEmpty else { throw .noRows(fileName) }
        return table
    }

    static func header(_ fields: [String], fileName: String, line: Int) throws(TelemetryPackError) -> [ChannelSpec] {
        guard fields.first == "t_s" else {
            throw .badHeader(fileName, line: line, column: 1, "the first column must be t_s, got \"\(fields.first ?? "")\"")
        }
        guard fields.count > 1 else { throw .badHeader(fileName, line: line, "no channel columns after t_s") }
        var channels: [ChannelSpec] = []
        for (index, name) in fields.enumerated().dropFirst() {
            guard !channels.contains(where: { $0.name == name }) else {
                throw .badChannel(fileName, line: line, column: index + 1, "channel \"\(name)\" appears twice")
            }
            do {
                channels.append(try ChannelSpec(name: name))
            } catch {
                throw .badChannel(fileName, line: line, column: index + 1, error.message)
            }
        }
        return channels
    }
}
