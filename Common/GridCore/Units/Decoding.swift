/// Any string as a coding key, to list every key a JSON object holds.
struct AnyCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

extension Decoder {
    /// A typo in a policy or snapshot must not pass silently as "use the default":
    /// refuse any key the type does not define, naming it and the keys it accepts.
    public func rejectUnknownKeys<K: CodingKey & CaseIterable>(_ keys: K.Type) throws {
        let container = try container(keyedBy: AnyCodingKey.self)
        let known = Set(K.allCases.map(\.stringValue))
        for key in container.allKeys where !known.contains(key.stringValue) {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: container,
                debugDescription: "unknown key \"\(key.stringValue)\"; allowed: \(known.sorted().joined(separator: ", "))"
            )
        }
    }
}

extension KeyedDecodingContainer {
    /// Decodes `key` when present, else the default.
    public func value<T: Decodable>(_ key: Key, default fallback: T) throws -> T {
        try decodeIfPresent(T.self, forKey: key) ?? fallback
    }
}
