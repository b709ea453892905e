/// Why a telemetry frame, batch, channel or dictionary was refused.
///
/// `description` is a short fixed label (`frame.truncated`, `frame.bomb`, …), safe as a metric label;
/// `message` is the human sentence naming the field, the offset or the limit.
public struct TelemetryFrameError: Error, CustomStringConvertible, Sendable {
    private enum Code: String, Sendable {
        // Decoding a frame.
        case tooLarge = "frame.too_large"
        case truncated = "frame.truncated"
        case badVersion = "frame.bad_version"
        case bomb = "frame.bomb"
        case corrupt = "frame.corrupt"
        case trailing = "frame.trailing"
        case checksum = "frame.checksum"
        case dictionary = "frame.dictionary"
        case varintOverflow = "frame.varint_overflow"
        case tooManyChannels = "frame.too_many_channels"
        case tooManyRows = "frame.too_many_rows"
        case badTag = "frame.bad_tag"
        case valueRange = "frame.value_range"
        case badField = "frame.bad_field"
        // Building or encoding a batch.
        case badChannel = "channel.bad_name"
        case unknownUnit = "channel.unknown_unit"
        case batchInvalid = "batch.invalid"
        case batchLimit = "batch.limit"
        case compress = "batch.compress"
        case dictionaryInvalid = "dictionary.invalid"
    }

    private let code: Code
    /// What is wrong, where, and what is allowed.
    public let message: String
    /// Source location that raised the error (for logs, not for matching).
    public let sourceFile: String
    public let sourceLine: Int

    private init(_ code: Code, _ message: String, file: String, line: Int) {
        self.code = code
        self.message = message
        self.sourceFile = file
        self.sourceLine = line
    }

    /// Short, fixed and low-cardinality: safe as a metric label.
    public var label: String { code.rawValue }
    public var description: String { code.rawValue }

    static func tooLarge(_ count: Int, limit: Int, file: String = #fileID, line: Int = #line) -> Self {
        Self(.tooLarge, "frame is \(count) bytes, above the limit of \(limit)", file: file, line: line)
    }

    static func truncated(_ what: String, offset: Int, file: String = #fileID, line: Int = #line) -> Self {
        Self(.truncated, "frame ends inside \(what) at offset \(offset)", file: file, line: line)
    }

    static func tooManyCells(rows: UInt64, channels: UInt64, limit: Int, file: String = #fileID, line: Int = #line) -> Self {
        let cells = rows.multipliedReportingOverflow(by: channels)
        let count = cells.overflow ? "more than 2^64" : "\(cells.partialValue)"
        return Self(.tooLarge, "frame declares \(rows) rows × \(channels) channels = \(count) cells, above the limit of \(limit)",
                    file: file, line: line)
    }

    static func badVersion(_ version: UInt8, file: String = #fileID, line: Int = #line) -> Self {
        let readable = TelemetryFormat.readableVersions
        return Self(.badVersion, "version byte \(version) is not supported (this decoder reads \(readable.lowerBound)…\(readable.upperBound))",
                    file: file, line: line)
    }

    static func bomb(limit: Int, file: String = #fileID, line: Int = #line) -> Self {
        Self(.bomb, "body decompresses to more than the limit of \(limit) bytes", file: file, line: line)
    }

    static func corrupt(_ reason: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(.corrupt, reason, file: file, line: line)
    }

    static func trailing(_ count: Int, after what: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(.trailing, "\(count) bytes follow the end of the \(what)", file: file, line: line)
    }

    static func trailing(_ reason: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(.trailing, reason, file: file, line: line)
    }

    static func checksum(expected: UInt32, actual: UInt32, file: String = #fileID, line: Int = #line) -> Self {
        Self(.checksum, "body CRC-32 is \(hex(actual)), the header says \(hex(expected))", file: file, line: line)
    }

    static func dictionary(_ reason: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(.dictionary, reason, file: file, line: line)
    }

    static func varintOverflow(_ what: String, offset: Int, file: String = #fileID, line: Int = #line) -> Self {
        Self(.varintOverflow, "varint for \(what) at offset \(offset) does not fit in 64 bits", file: file, line: line)
    }

    static func tooManyChannels(_ count: UInt64, limit: Int, file: String = #fileID, line: Int = #line) -> Self {
        Self(.tooManyChannels, "frame declares \(count) channels, the limit is \(limit)", file: file, line: line)
    }

    static func tooManyRows(_ count: UInt64, limit: Int, file: String = #fileID, line: Int = #line) -> Self {
        Self(.tooManyRows, "frame declares \(count) rows, the limit is \(limit)", file: file, line: line)
    }

    static func badTag(_ tag: UInt8, channel: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(.badTag, "column tag 0x\(String(tag, radix: 16)) of channel \(channel) is not a known encoding",
             file: file, line: line)
    }

    static func valueRange(_ channel: String, row: Int, file: String = #fileID, line: Int = #line) -> Self {
        Self(.valueRange, "channel \(channel) value \(row) decodes outside ±2^53 quanta", file: file, line: line)
    }

    static func badField(_ reason: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(.badField, reason, file: file, line: line)
    }

    static func badChannel(_ name: String, _ reason: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(.badChannel, "channel \"\(name)\": \(reason)", file: file, line: line)
    }

    static func unknownUnit(_ name: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(.unknownUnit, "channel \"\(name)\" does not end in a known unit (\(TelemetryUnit.suffixList))",
             file: file, line: line)
    }

    static func batchInvalid(_ reason: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(.batchInvalid, reason, file: file, line: line)
    }

    static func batchLimit(_ reason: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(.batchLimit, reason, file: file, line: line)
    }

    static func compress(_ reason: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(.compress, reason, file: file, line: line)
    }

    static func dictionaryInvalid(_ reason: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(.dictionaryInvalid, reason, file: file, line: line)
    }

    private static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
    }
}
