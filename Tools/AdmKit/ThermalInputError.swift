import GridCore

/// An error in a thermal input file: the CSV load profile or the transformer JSON.
///
/// `description` is a short label safe as a metric label; `message` names the file, line, column and allowed range.
public struct ThermalInputError: Error, CustomStringConvertible, Sendable {
    private enum Code: String, Sendable {
        case unreadableFile = "thermal_input_unreadable"
        case badHeader = "thermal_input_bad_header"
        case badRow = "thermal_input_bad_row"
        case notNumeric = "thermal_input_not_numeric"
        case outOfRange = "thermal_input_out_of_range"
        case minuteNotIncreasing = "thermal_input_minute_not_increasing"
        case noData = "thermal_input_no_data"
        case badJSON = "thermal_input_bad_json"
        case unknownKey = "thermal_input_unknown_key"
        case badParameter = "thermal_input_bad_parameter"
    }

    private let code: Code
    /// A human message naming the file, line, column and the allowed range.
    public let message: String
    /// The 1-based line of the input, where there is one.
    public let lineNumber: Int?
    /// Where the error was raised (for logs).
    public let sourceFile: String
    public let sourceLine: Int

    private init(_ code: Code, _ message: String, lineNumber: Int? = nil, file: String, line: Int) {
        self.code = code
        self.message = message
        self.lineNumber = lineNumber
        self.sourceFile = file
        self.sourceLine = line
    }

    public var description: String { code.rawValue }

    /// The file could not be read.
    public static func unreadableFile(_ name: String, reason: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(.unreadableFile, "\(name): cannot read the file (\(reason))", file: file, line: line)
    }

    static func badHeader(_ name: String, lineNumber: Int, found: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(.badHeader, "\(name) line \(lineNumber): header must be '\(ThermalProfile.header)', found '\(found)'",
             lineNumber: lineNumber, file: file, line: line)
    }

    static func badRow(_ name: String, lineNumber: Int, columns: Int, file: String = #fileID, line: Int = #line) -> Self {
        Self(.badRow, "\(name) line \(lineNumber): expected 3 columns (\(ThermalProfile.header)), found \(columns)",
             lineNumber: lineNumber, file: file, line: line)
    }

    static func notNumeric(
        _ name: String, lineNumber: Int, column: ThermalProfile.Column, text: String,
        file: String = #fileID, line: Int = #line
    ) -> Self {
        Self(.notNumeric, "\(name) line \(lineNumber) column \(column.number) (\(column.rawValue)): '\(text)' is not a number",
             lineNumber: lineNumber, file: file, line: line)
    }

    static func outOfRange(
        _ name: String, lineNumber: Int, column: ThermalProfile.Column, value: Double,
        file: String = #fileID, line: Int = #line
    ) -> Self {
        let shown = value.isNaN ? "NaN" : "\(value)"
        let message = "\(name) line \(lineNumber) column \(column.number) (\(column.rawValue)): \(shown) is outside "
            + "the allowed range \(column.allowedRangeText)"
        return Self(.outOfRange, message, lineNumber: lineNumber, file: file, line: line)
    }

    static func minuteNotIncreasing(
        _ name: String, lineNumber: Int, minute: Double, previous: Double, file: String = #fileID, line: Int = #line
    ) -> Self {
        let message = "\(name) line \(lineNumber) column 1 (minute): \(minute) is not after the previous row's "
            + "minute \(previous); minutes must strictly increase"
        return Self(.minuteNotIncreasing, message, lineNumber: lineNumber, file: file, line: line)
    }

    static func noData(_ name: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(.noData, "\(name): no data rows after the header '\(ThermalProfile.header)'", file: file, line: line)
    }

    static func badJSON(_ name: String, reason: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(.badJSON, "\(name): \(reason)", file: file, line: line)
    }

    static func unknownKey(_ name: String, key: String, file: String = #fileID, line: Int = #line) -> Self {
        let known = ThermalParameters.CodingKeys.allCases.map(\.rawValue).joined(separator: ", ")
        return Self(.unknownKey, "\(name): unknown key '\(key)'; allowed keys: \(known)", file: file, line: line)
    }

    static func badParameter(_ name: String, reason: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(.badParameter, "\(name): \(reason)", file: file, line: line)
    }
}
