/// A protection setting that IEEE 1547-2018 or this design does not allow.
/// `description` is short and safe as a metric label; `message` names the field, the value and the allowed range.
public struct ProtectionSettingsError: Error, CustomStringConvertible, CustomDebugStringConvertible {
    private enum Code: String {
        case outOfRange
        case fixedSetting
        case misordered
        case unsupportedNominal
        case tripsAtNominal
    }

    private let code: Code
    /// The setting at fault, named as in the policy: "trip.ov1.pickup", "data_quality.stale_after_cycles".
    public let field: String
    /// What is wrong, for a human: the field, its value and the allowed range.
    public let message: String
    public let file: String
    public let line: Int

    private init(_ code: Code, field: String, message: String, file: String, line: Int) {
        self.code = code
        self.field = field
        self.message = message
        self.file = file
        self.line = line
    }

    public var description: String { "ProtectionSettingsError.\(code.rawValue)" }
    public var debugDescription: String { "\(description): \(message) (\(file):\(line))" }

    /// True when the value lies outside its adjustable range (or is not a finite number).
    public var isOutOfRange: Bool { code == .outOfRange }
    /// True when a setting the standard fixes was changed.
    public var isFixedSetting: Bool { code == .fixedSetting }
    /// True when two settings are in the wrong order (e.g. UV2 above UV1).
    public var isMisordered: Bool { code == .misordered }
    /// True when a pickup would trip at nominal voltage or frequency (e.g. a 60 Hz trip block on a 50 Hz system).
    public var tripsAtNominal: Bool { code == .tripsAtNominal }

    static func outOfRange(
        field: String, value: Double, range: ClosedRange<Double>, unit: String, source: String,
        file: String = #fileID, line: Int = #line
    ) -> ProtectionSettingsError {
        let shown = "\(ProtectionFormat.number(range.lowerBound))–\(ProtectionFormat.number(range.upperBound)) \(unit)"
        return ProtectionSettingsError(
            .outOfRange, field: field,
            message: "\(field) = \(ProtectionFormat.number(value)) \(unit) is outside the allowed range \(shown) (\(source))",
            file: file, line: line
        )
    }

    static func fixedSetting(
        field: String, value: Double, fixed: Double, unit: String, source: String,
        file: String = #fileID, line: Int = #line
    ) -> ProtectionSettingsError {
        ProtectionSettingsError(
            .fixedSetting, field: field,
            message: "\(field) = \(ProtectionFormat.number(value)) \(unit) must be \(ProtectionFormat.number(fixed)) \(unit): fixed by \(source)",
            file: file, line: line
        )
    }

    static func misordered(field: String, _ rule: String, file: String = #fileID, line: Int = #line) -> ProtectionSettingsError {
        ProtectionSettingsError(.misordered, field: field, message: "\(field): \(rule)", file: file, line: line)
    }

    static func tripsAtNominal(
        field: String, value: Double, nominal: Double, unit: String, function: TripFunction,
        file: String = #fileID, line: Int = #line
    ) -> ProtectionSettingsError {
        let side = function.picksUpAbove ? "below" : "above"
        return ProtectionSettingsError(
            .tripsAtNominal, field: field,
            message: "\(field) = \(ProtectionFormat.number(value)) \(unit) is \(side) the nominal \(ProtectionFormat.number(nominal)) "
                + "\(unit): \(function) would trip at nominal and cease to energize every cycle"
                + (function.watchesVoltage ? "" : " (settings written for another system frequency?)"),
            file: file, line: line
        )
    }

    static func unsupportedNominal(field: String, hz: Double, file: String = #fileID, line: Int = #line) -> ProtectionSettingsError {
        ProtectionSettingsError(
            .unsupportedNominal, field: field,
            message: "\(field) = \(ProtectionFormat.number(hz)) Hz: the nominal frequency must be 50 or 60 Hz",
            file: file, line: line
        )
    }
}

/// Number formatting for protection messages, without Foundation.
enum ProtectionFormat {
    /// `value` rounded to `places` decimals ("1.132", "59.5", "nan", "inf").
    static func number(_ value: Double, places: Int = 3) -> String {
        guard value.isFinite else { return "\(value)" }
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        let rounded = (value * scale).rounded() / scale
        return rounded == rounded.rounded() && abs(rounded) < 1e15 ? "\(Int(rounded))" : "\(rounded)"
    }

    /// "t=1700000000.1s", rounded to the millisecond.
    static func time(_ t: Timestamp) -> String { "t=\(number(t.secondsSinceEpoch))s" }
}
