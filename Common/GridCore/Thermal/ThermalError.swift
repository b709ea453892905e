/// An error from the thermal model: a parameter outside its allowed range.
///
/// `description` is a short label safe as a metric label; `message` names the field and the allowed range.
public struct ThermalError: Error, CustomStringConvertible, Sendable, Hashable {
    private enum Code: String, Sendable, Hashable {
        case parameterNotFinite = "thermal_parameter_not_finite"
        case parameterOutOfRange = "thermal_parameter_out_of_range"
    }

    private let code: Code
    /// The IEC 60076-7 JSON key of the offending parameter (e.g. `tau_o_min`).
    public let field: String
    /// A human message naming the field, its value and the allowed range.
    public let message: String
    /// Where the error was raised (for logs, not for comparison).
    public let file: String
    public let line: Int

    private init(_ code: Code, field: String, message: String, file: String, line: Int) {
        self.code = code
        self.field = field
        self.message = message
        self.file = file
        self.line = line
    }

    public var description: String { code.rawValue }

    public static func == (l: ThermalError, r: ThermalError) -> Bool { l.code == r.code && l.field == r.field }
    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
        hasher.combine(field)
    }

    /// A parameter is NaN or infinite.
    static func notFinite(field: String, file: String = #fileID, line: Int = #line) -> ThermalError {
        ThermalError(.parameterNotFinite, field: field, message: "\(field) must be a finite number", file: file, line: line)
    }

    /// A parameter lies outside its allowed closed range.
    static func outOfRange(
        field: String, value: Double, range: ClosedRange<Double>, unit: String,
        file: String = #fileID, line: Int = #line
    ) -> ThermalError {
        let upper = range.upperBound.isFinite ? "\(range.upperBound)" : ""
        let message = "\(field) = \(value) is outside the allowed range \(range.lowerBound)…\(upper)\(unit.isEmpty ? "" : " " + unit)"
        return ThermalError(.parameterOutOfRange, field: field, message: message, file: file, line: line)
    }
}
