/// A SunSpec map that cannot be discovered, read or written safely.
/// `label` is short and fixed (safe as a metric label); `description` names the address, model or point.
public struct SunSpecError: Error, CustomStringConvertible, Sendable {
    private enum Code: String, Sendable {
        case noMarker = "sunspec.no_marker"
        case lengthPastEnd = "sunspec.length_past_end"
        case tooManyModels = "sunspec.too_many_models"
        case truncatedRead = "sunspec.truncated_read"
        case modelMissing = "sunspec.model_missing"
        case unknownPoint = "sunspec.unknown_point"
        case invalidScaleFactor = "sunspec.invalid_scale_factor"
        case invalidValue = "sunspec.invalid_value"
        case valueOutOfRange = "sunspec.value_out_of_range"
        case invalidLayout = "sunspec.invalid_layout"
        case readBackMismatch = "sunspec.read_back_mismatch"
    }

    private let code: Code
    /// What is wrong, naming the address, model, point or allowed range.
    public let message: String
    /// Source location that raised the error.
    public let file: String
    /// Source line that raised the error.
    public let line: Int

    private init(_ code: Code, _ message: String, file: String, line: Int) {
        self.code = code
        self.message = message
        self.file = file
        self.line = line
    }

    /// Short, fixed text for metrics and logs.
    public var label: String { code.rawValue }
    public var description: String { "\(label): \(message)" }

    /// True when the device answered with fewer registers than asked for.
    public var isTruncatedRead: Bool { code == .truncatedRead }

    static func noMarker(_ detail: String, file: String = #fileID, line: Int = #line) -> SunSpecError {
        SunSpecError(.noMarker, "no \"SunS\" marker at any base: \(detail)", file: file, line: line)
    }

    static func lengthPastEnd(address: Int, id: UInt16, length: Int, file: String = #fileID, line: Int = #line) -> SunSpecError {
        SunSpecError(.lengthPastEnd, "model \(id) at address \(address) has length \(length), which runs past register 65535",
                     file: file, line: line)
    }

    static func tooManyModels(address: Int, limit: Int, file: String = #fileID, line: Int = #line) -> SunSpecError {
        SunSpecError(.tooManyModels, "more than \(limit) models before address \(address) (missing 0xFFFF end marker?)",
                     file: file, line: line)
    }

    static func truncatedRead(address: Int, expected: Int, got: Int, file: String = #fileID, line: Int = #line) -> SunSpecError {
        SunSpecError(.truncatedRead, "read at address \(address) returned \(got) of \(expected) registers", file: file, line: line)
    }

    static func modelMissing(_ id: UInt16, file: String = #fileID, line: Int = #line) -> SunSpecError {
        SunSpecError(.modelMissing, "the device has no model \(id)", file: file, line: line)
    }

    static func unknownPoint(_ name: String, model: UInt16?, file: String = #fileID, line: Int = #line) -> SunSpecError {
        let place = model.map { "model \($0)" } ?? "any model of the image"
        return SunSpecError(.unknownPoint, "point \(name) is not in \(place)", file: file, line: line)
    }

    static func invalidScaleFactor(_ name: String, raw: UInt16, file: String = #fileID, line: Int = #line) -> SunSpecError {
        SunSpecError(.invalidScaleFactor, "\(name) raw 0x\(String(raw, radix: 16)) is not a scale factor in -10...10",
                     file: file, line: line)
    }

    static func invalidValue(_ name: String, _ value: Double, file: String = #fileID, line: Int = #line) -> SunSpecError {
        SunSpecError(.invalidValue, "\(name) = \(value) is not a finite number", file: file, line: line)
    }

    static func valueOutOfRange(_ name: String, _ value: Double, range: String, file: String = #fileID, line: Int = #line) -> SunSpecError {
        SunSpecError(.valueOutOfRange, "\(name) = \(value) does not fit \(range)", file: file, line: line)
    }

    static func invalidLayout(_ detail: String, file: String = #fileID, line: Int = #line) -> SunSpecError {
        SunSpecError(.invalidLayout, detail, file: file, line: line)
    }

    static func readBackMismatch(address: Int, expected: [UInt16], got: [UInt16], file: String = #fileID, line: Int = #line) -> SunSpecError {
        SunSpecError(.readBackMismatch, "read-back at address \(address) gave \(got), expected \(expected)", file: file, line: line)
    }
}
