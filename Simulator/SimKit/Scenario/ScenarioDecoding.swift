internal import FoundationEssentials

/// Any string as a coding key, to list every key a JSON object holds.
struct ScenarioKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// `chargers[2].sessions[0].arrival`: the JSON path an operator searches for in the file.
func jsonPath(_ keys: [any CodingKey]) -> String {
    var text = ""
    for key in keys {
        if let index = key.intValue { text += "[\(index)]" } else { text += text.isEmpty ? key.stringValue : ".\(key.stringValue)" }
    }
    return text
}

extension Decoder {
    /// A typo must not pass silently as "use the default": refuse any key the type does not define.
    /// `extra` names keys that another reader of the same object takes.
    func refuseUnknownKeys<K: CodingKey & CaseIterable>(_ keys: K.Type, alsoAllowing extra: [String] = []) throws {
        let container = try container(keyedBy: ScenarioKey.self)
        let known = K.allCases.map(\.stringValue) + extra
        for key in container.allKeys where !known.contains(key.stringValue) {
            throw ScenarioError.unknownKey(jsonPath(codingPath + [key]), allowed: known)
        }
    }
}

extension KeyedDecodingContainer {
    /// The JSON path of `key` in this container.
    func path(_ key: Key) -> String { jsonPath(codingPath + [key]) }

    /// A required finite number inside `range`.
    func number(_ key: Key, in range: ClosedRange<Double>, unit: String = "") throws -> Double {
        try checked(decode(Double.self, forKey: key), key, range, unit)
    }

    /// An optional finite number inside `range`, or `fallback` when absent.
    func number(_ key: Key, in range: ClosedRange<Double>, unit: String = "", default fallback: Double) throws -> Double {
        guard let value = try decodeIfPresent(Double.self, forKey: key) else { return fallback }
        return try checked(value, key, range, unit)
    }

    /// An optional finite number inside `range`, nil when absent.
    func optionalNumber(_ key: Key, in range: ClosedRange<Double>, unit: String = "") throws -> Double? {
        guard let value = try decodeIfPresent(Double.self, forKey: key) else { return nil }
        return try checked(value, key, range, unit)
    }

    private func checked(_ value: Double, _ key: Key, _ range: ClosedRange<Double>, _ unit: String) throws -> Double {
        guard value.isFinite, range.contains(value) else {
            throw ScenarioError.outOfRange(path(key), value: value, range: range, unit: unit)
        }
        return value
    }
}

extension ScenarioError {
    /// Turns the decoder's error into one that names the field.
    static func from(_ error: DecodingError) -> ScenarioError {
        switch error {
        case .typeMismatch(let type, let context):
            if context.codingPath.isEmpty { return .malformedJSON("the top level must be an object") }
            return .wrongType(jsonPath(context.codingPath), expected: typeName(type))
        case .valueNotFound(let type, let context):
            return .wrongType(jsonPath(context.codingPath), expected: typeName(type) + ", not null")
        case .keyNotFound(let key, let context):
            return .missingField(jsonPath(context.codingPath + [key]))
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty { return .malformedJSON(context.debugDescription) }
            return .wrongType(jsonPath(context.codingPath), expected: "valid: \(context.debugDescription)")
        @unknown default:
            return .malformedJSON("\(error)")
        }
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is Double.Type, is Int.Type, is UInt64.Type: "a number"
        case is String.Type: "a string"
        case is Bool.Type: "true or false"
        default: type is any Collection.Type ? "an array" : "an object"
        }
    }
}
