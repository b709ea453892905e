public import FoundationEssentials

/// A JSON file that could not be used, with the path and the field or line that is wrong.
public struct ConfigFileError: Error, Sendable, CustomStringConvertible {
    public let path: String
    public let reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "\(path): \(reason)" }
}

/// Reads and decodes operator-facing JSON files with errors that name the file and the field.
public enum ConfigFile {
    /// Hard cap: a snapshot or policy is a few kB; anything huge is a mistake or an attack.
    public static let maxBytes = 4 << 20

    public static func read(_ path: String) throws(ConfigFileError) -> Data {
        Data(try FileBytes.read(path, maxBytes: maxBytes))
    }

    public static func decode<T: Decodable>(_ type: T.Type, from data: Data, path: String) throws(ConfigFileError) -> T {
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch let error as DecodingError {
            if case .dataCorrupted(let context) = error, context.codingPath.isEmpty, let where_ = JSONSyntax.locate([UInt8](data)) {
                throw ConfigFileError(path: path, reason: "not valid JSON at \(where_)")
            }
            throw ConfigFileError(path: path, reason: describe(error))
        } catch {
            throw ConfigFileError(path: path, reason: "\(error)")
        }
    }

    public static func load<T: Decodable>(_ type: T.Type, path: String) throws(ConfigFileError) -> T {
        try decode(type, from: read(path), path: path)
    }

    /// "chargers[2].ev.soc_pct: expected Double, found a string" rather than Swift's debug dump.
    public static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            var text = ""
            for key in keys {
                if let index = key.intValue { text += "[\(index)]" } else { text += text.isEmpty ? key.stringValue : ".\(key.stringValue)" }
            }
            return text.isEmpty ? "(top level)" : text
        }
        switch error {
        case .typeMismatch(let type, let context):
            return "\(path(context.codingPath)): expected \(type). \(context.debugDescription)"
        case .valueNotFound(let type, let context):
            return "\(path(context.codingPath)): missing \(type) value"
        case .keyNotFound(let key, let context):
            return "\(path(context.codingPath + [key])): required key is missing"
        case .dataCorrupted(let context):
            let underlying = context.underlyingError.map { " (\($0))" } ?? ""
            return "\(path(context.codingPath)): \(context.debugDescription)\(underlying)"
        @unknown default:
            return "\(error)"
        }
    }
}
