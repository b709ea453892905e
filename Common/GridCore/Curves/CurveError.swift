/// Why a curve setting was rejected: the field (snake_case, as in curve JSON), its value and the allowed range.
public struct CurveError: Error, CustomStringConvertible, Sendable, Hashable {
    private enum Code: String, Sendable, Hashable {
        case outOfRange = "curve_out_of_range"
        case notFinite = "curve_not_finite"
    }

    private let code: Code
    /// The offending field, named as in curve JSON (e.g. `v1_pu`).
    public let field: String
    /// A human sentence naming the field, the value, the allowed range and where the range comes from.
    public let message: String
    /// Where in this package the error was raised.
    public let sourceFile: String
    public let sourceLine: Int

    private init(_ code: Code, field: String, message: String, file: String, line: Int) {
        self.code = code
        self.field = field
        self.message = message
        self.sourceFile = file
        self.sourceLine = line
    }

    /// Short and low-cardinality: safe as a metric label.
    public var description: String { code.rawValue }

    static func outOfRange(
        field: String, value: Double, range: ClosedRange<Double>, source: String,
        file: String = #fileID, line: Int = #line
    ) -> CurveError {
        CurveError(.outOfRange, field: field,
                   message: "\(field) = \(value.settingText) is outside the allowed range \(range.lowerBound.settingText)…\(range.upperBound.settingText) (\(source))",
                   file: file, line: line)
    }

    static func notFinite(field: String, value: Double, file: String = #fileID, line: Int = #line) -> CurveError {
        CurveError(.notFinite, field: field, message: "\(field) = \(value) is not a finite number", file: file, line: line)
    }
}

/// Range checks shared by every curve's `validate()`.
enum CurveCheck {
    /// Edges are compared with this slack so that a value typed as the edge (e.g. VRef − 0.03 = 0.97) is accepted
    /// despite binary rounding; anything 1e-6 pu or more outside is still rejected.
    static let edgeSlack = 1e-9

    static func require(
        _ field: String, _ value: Double, in range: ClosedRange<Double>, source: String,
        file: String = #fileID, line: Int = #line
    ) throws(CurveError) {
        guard value.isFinite else { throw .notFinite(field: field, value: value, file: file, line: line) }
        guard value >= range.lowerBound - edgeSlack, value <= range.upperBound + edgeSlack else {
            throw .outOfRange(field: field, value: value, range: range, source: source, file: file, line: line)
        }
    }

    /// `range` built from other fields may be empty (lower > upper) when those fields are themselves odd;
    /// report it as out of range rather than trapping on `...`.
    static func range(_ lower: Double, _ upper: Double) -> ClosedRange<Double> {
        lower <= upper ? lower...upper : upper...upper
    }
}
