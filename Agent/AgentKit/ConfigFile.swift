public import FoundationEssentials

/// A JSON file that could not be used: the path, where in it (when known), and why.
public struct ConfigFileError: Error, Sendable, CustomStringConvertible {
    public let path: String
    /// 1-based line and column of the offending text; nil when the whole file is at fault (missing, unreadable).
    public let line: Int?
    public let column: Int?
    public let reason: String

    public init(path: String, line: Int? = nil, column: Int? = nil, reason: String) {
        self.path = path
        self.line = line
        self.column = column
        self.reason = reason
    }

    init(path: String, at position: JSONSyntax.Position?, reason: String) {
        self.init(path: path, line: position?.line, column: position?.column, reason: reason)
    }

    /// `path: line L, column C: reason`, or `path: reason`.
    public var description: String {
        guard let line else { return "\(path): \(reason)" }
        return "\(path): line \(line)\(column.map { ", column \($0)" } ?? ""): \(reason)"
    }
}

/// Reads and decodes the JSON files the agent is given (configuration, policy, snapshot, clock, status), all the same
/// strict way (`JSONSyntax`), with errors that name the file, the line and the field.
public enum ConfigFile {
    /// Hard cap: a snapshot or policy is a few kB; anything huge is a mistake or an attack.
    public static let maxBytes = 4 << 20

    public static func read(_ path: String) throws(ConfigFileError) -> Data {
        Data(try FileBytes.read(path, maxBytes: maxBytes))
    }

    public static func decode<T: Decodable>(_ type: T.Type, from data: Data, path: String) throws(ConfigFileError) -> T {
        try decodeWithLayout(type, from: data, path: path).value
    }

    public static func load<T: Decodable>(_ type: T.Type, path: String) throws(ConfigFileError) -> T {
        try decode(type, from: read(path), path: path)
    }

    /// Checks the syntax strictly, then decodes; also returns where each value stands, for the checks that follow.
    static func decodeWithLayout<T: Decodable>(
        _ type: T.Type, from data: Data, path: String, decoder: JSONDecoder = JSONDecoder()
    ) throws(ConfigFileError) -> (value: T, layout: JSONSyntax.Layout) {
        let layout: JSONSyntax.Layout
        do {
            layout = try JSONSyntax.check([UInt8](data))
        } catch {
            throw ConfigFileError(path: path, at: error.position, reason: "not valid JSON: \(error.message)")
        }
        do {
            return (try decoder.decode(T.self, from: data), layout)
        } catch let error as DecodingError {
            throw ConfigFileError(path: path, at: layout.position(of: fieldPath(of: error)), reason: describe(error))
        } catch {
            throw ConfigFileError(path: path, reason: "cannot be decoded: \(error)")
        }
    }

    /// A value refused after decoding (a range check), at the line of `field` when the file has it.
    static func refusal(path: String, field: String, reason: String, layout: JSONSyntax.Layout) -> ConfigFileError {
        ConfigFileError(path: path, at: layout.position(of: field), reason: reason)
    }

    /// "chargers[2].ev.soc_pct: expected a number, found a string" rather than Swift's debug dump.
    public static func describe(_ error: DecodingError) -> String {
        let field = fieldPath(of: error)
        let place = field.isEmpty ? "(top level)" : field
        switch error {
        case .typeMismatch(let type, let context):
            return "\(place): expected \(kind(of: type))\(found(in: context))"
        case .valueNotFound(let type, _):
            return "\(place): expected \(kind(of: type)), found null"
        case .keyNotFound:
            return "\(place): required key is missing"
        case .dataCorrupted(let context):
            // The underlying error, when there is one, is Foundation's dump of the same fact: left out.
            return "\(place): \(context.debugDescription)"
        @unknown default:
            return "\(place): cannot be decoded"
        }
    }

    /// The JSON path an error is about (`chargers[2].ev.soc_pct`); empty for the top level.
    static func fieldPath(of error: DecodingError) -> String {
        var keys: [any CodingKey]
        switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context): keys = context.codingPath
        case .keyNotFound(let key, let context): keys = context.codingPath + [key]
        @unknown default: keys = []
        }
        var text = ""
        for key in keys {
            if let index = key.intValue { text += "[\(index)]" } else { text += text.isEmpty ? key.stringValue : ".\(key.stringValue)" }
        }
        return text
    }

    /// A Swift type in the words of JSON.
    private static func kind(of type: Any.Type) -> String {
        let name = "\(type)"
        if ["Double", "Float", "Int", "Int64", "Int32", "UInt64", "UInt32", "UInt16", "UInt8", "Int16", "Int8", "UInt"].contains(name) {
            return name.hasPrefix("Double") || name.hasPrefix("Float") ? "a number" : "a whole number"
        }
        if name == "String" { return "a string" }
        if name == "Bool" { return "true or false" }
        if name.hasPrefix("Dictionary") || name.contains("Keyed") { return "an object" }
        if name.hasPrefix("Array") || name.contains("Unkeyed") { return "an array" }
        return name
    }

    /// ", found a string" from the decoder's "Expected to decode Double but found a string instead."
    private static func found(in context: DecodingError.Context) -> String {
        guard let range = context.debugDescription.firstRange(of: "but found ") else { return "" }
        let rest = context.debugDescription[range.upperBound...]
        return ", found " + String(rest.hasSuffix(" instead.") ? rest.dropLast(" instead.".count) : rest)
    }
}
