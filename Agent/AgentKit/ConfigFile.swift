public import FoundationEssentials
import StrictJSON

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

    /// `path: line L, column C: reason`, or `path: reason`.
    public var description: String {
        guard let line else { return "\(path): \(reason)" }
        return "\(path): line \(line)\(column.map { ", column \($0)" } ?? ""): \(reason)"
    }
}

/// Reads and decodes the JSON files the agent is given (configuration, policy, snapshot, clock, status), all the same
/// strict way (`StrictJSON`, the project's one strict reader), with errors that name the file, the line and the field.
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

    /// Parses strictly, then decodes; also returns the parsed document, so that the checks that follow can point at
    /// the line of the field they refuse.
    static func decodeWithLayout<T: Decodable>(
        _ type: T.Type, from data: Data, path: String, decoder: JSONDecoder = JSONDecoder()
    ) throws(ConfigFileError) -> (value: T, layout: ConfigLayout) {
        let layout = try parse(data, path: path)
        do {
            return (try decoder.decode(T.self, from: Data(layout.bytes[layout.root.byteRange])), layout)
        } catch let error as DecodingError {
            throw refusal(path: path, field: fieldPath(of: error), reason: describe(error), layout: layout)
        } catch {
            throw ConfigFileError(path: path, reason: "cannot be decoded: \(error)")
        }
    }

    /// The strict parse alone. Hand-edited files may start with a byte-order mark (editors on some systems write one):
    /// it is skipped, and columns on the first line count from after it, as an editor shows them.
    static func parse(_ data: Data, path: String) throws(ConfigFileError) -> ConfigLayout {
        var bytes = [UInt8](data)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        guard bytes.contains(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }) else {
            throw ConfigFileError(path: path, reason: "not valid JSON: the file is empty: expected a JSON value")
        }
        do {
            return ConfigLayout(bytes: bytes, root: try StrictJSON.parse(bytes))
        } catch {
            throw ConfigFileError(path: path, line: error.line, column: error.column, reason: "not valid JSON: \(error.reason)")
        }
    }

    /// A value refused after decoding (a range check), at the line of `field` when the file has it.
    static func refusal(path: String, field: String, reason: String, layout: ConfigLayout) -> ConfigFileError {
        let place = layout.position(of: field)
        return ConfigFileError(path: path, line: place.line, column: place.column, reason: reason)
    }

    /// A schema error of the strict reader (a `null`, an unknown key), at its field's place.
    static func refusal(path: String, _ error: StrictJSONError, layout: ConfigLayout) -> ConfigFileError {
        let place = layout.position(of: error.field)
        // The column only when the path leads to the line the reader named (an unknown key is not in a decoded path).
        let column: Int? = place.line == error.line ? place.column : nil
        let reason = error.field.isEmpty ? error.reason : "\(error.field): \(error.reason)"
        return ConfigFileError(path: path, line: error.line, column: column, reason: reason)
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

/// A strictly parsed file and the way back from a field's path (`chargers[3].transport.tcp.port`) to its place.
struct ConfigLayout: Sendable {
    let bytes: [UInt8]
    let root: JSONNode

    /// Line and column of the value at `path`, else of its nearest enclosing value that the file has (a defaulted key
    /// points at its object).
    func position(of path: String) -> (line: Int, column: Int) {
        var node = root
        for step in Self.steps(path) {
            switch (node.value, step) {
            case (.object(let members), .key(let key)):
                guard let member = members.first(where: { $0.key == key }) else { return place(of: node) }
                node = member.node
            case (.array(let elements), .index(let index)) where elements.indices.contains(index):
                node = elements[index]
            default:
                return place(of: node)
            }
        }
        return place(of: node)
    }

    private func place(of node: JSONNode) -> (line: Int, column: Int) {
        var column = 1
        var offset = node.byteRange.lowerBound
        while offset > 0, bytes[offset - 1] != 0x0A {
            offset -= 1
            if bytes[offset] & 0xC0 != 0x80 { column += 1 }
        }
        return (node.line, column)
    }

    private enum Step { case key(String), index(Int) }

    /// "a.b[2].c" → a, b, 2, c.
    private static func steps(_ path: String) -> [Step] {
        var steps: [Step] = []
        for part in path.split(separator: ".", omittingEmptySubsequences: true) {
            var rest = Substring(part)
            if let open = rest.firstIndex(of: "[") {
                if open > rest.startIndex { steps.append(.key(String(rest[..<open]))) }
                rest = rest[open...]
                while rest.first == "[", let close = rest.firstIndex(of: "]") {
                    if let index = Int(rest[rest.index(after: rest.startIndex)..<close]) { steps.append(.index(index)) }
                    rest = rest[rest.index(after: close)...]
                }
            } else {
                steps.append(.key(String(rest)))
            }
        }
        return steps
    }
}
