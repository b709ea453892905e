/// A load profile for a thermal simulation, read from CSV `minute,load_pu,ambient_c`.
///
/// A row's load and ambient hold until the next row; minutes strictly increase; blank lines and `#` comments
/// are skipped.
public struct ThermalProfile: Sendable, Hashable {
    /// One row: from `minute` on, the load factor K = |S|/S_rated and the ambient temperature.
    public struct Row: Sendable, Hashable {
        public var minute: Double
        public var loadPU: Double
        public var ambientC: Double

        public init(minute: Double, loadPU: Double, ambientC: Double) {
            self.minute = minute
            self.loadPU = loadPU
            self.ambientC = ambientC
        }
    }

    /// The CSV columns, in order, with their allowed ranges.
    public enum Column: String, Sendable, CaseIterable {
        case minute
        case loadPU = "load_pu"
        case ambientC = "ambient_c"

        var number: Int { Self.allCases.firstIndex(of: self)! + 1 }

        /// Minutes up to 10⁶ (about two years) keep the minute-by-minute output a sane size.
        var allowedRange: ClosedRange<Double> {
            switch self {
            case .minute: 0...1_000_000
            case .loadPU: 0...5
            case .ambientC: -50...60
            }
        }

        var allowedRangeText: String {
            switch self {
            case .minute: "0…1000000 min"
            case .loadPU: "0…5 pu"
            case .ambientC: "−50…60 °C"
            }
        }
    }

    /// The required header line.
    public static let header = "minute,load_pu,ambient_c"

    /// The rows, in strictly increasing minute order; never empty.
    public let rows: [Row]

    /// Parses CSV text; `fileName` is used in error messages.
    public init(csv text: String, fileName: String) throws(ThermalInputError) {
        var rows: [Row] = []
        var sawHeader = false
        var lineNumber = 0
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            lineNumber += 1
            let line = Self.trimmed(Substring(rawLine))
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map { Self.trimmed($0) }
            guard sawHeader else {
                guard fields == Column.allCases.map(\.rawValue) else {
                    throw .badHeader(fileName, lineNumber: lineNumber, found: line)
                }
                sawHeader = true
                continue
            }
            guard fields.count == 3 else { throw .badRow(fileName, lineNumber: lineNumber, columns: fields.count) }
            var values: [Double] = []
            for (column, text) in zip(Column.allCases, fields) {
                guard let value = Double(text) else {
                    throw .notNumeric(fileName, lineNumber: lineNumber, column: column, text: text)
                }
                guard value.isFinite, column.allowedRange.contains(value) else {
                    throw .outOfRange(fileName, lineNumber: lineNumber, column: column, value: value)
                }
                values.append(value)
            }
            let row = Row(minute: values[0], loadPU: values[1], ambientC: values[2])
            if let previous = rows.last, row.minute <= previous.minute {
                throw .minuteNotIncreasing(fileName, lineNumber: lineNumber, minute: row.minute, previous: previous.minute)
            }
            rows.append(row)
        }
        guard sawHeader else { throw .badHeader(fileName, lineNumber: max(lineNumber, 1), found: "") }
        guard !rows.isEmpty else { throw .noData(fileName) }
        self.rows = rows
    }

    private static func trimmed(_ s: Substring) -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\u{FEFF}" }
        guard let first = s.firstIndex(where: { !isSpace($0) }), let last = s.lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(s[first...last])
    }
}
