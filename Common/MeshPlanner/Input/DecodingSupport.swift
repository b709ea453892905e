import GridCore

/// A position in a JSON array, for errors that name `transformers[3].id`.
struct IndexKey: CodingKey {
    let intValue: Int?
    var stringValue: String { "Index \(intValue ?? 0)" }
    init(_ index: Int) { intValue = index }
    init?(intValue: Int) { self.intValue = intValue }
    init?(stringValue: String) { nil }
}

extension KeyedDecodingContainer {
    /// A time as epoch seconds (a number) or RFC 3339 text ("2027-01-15T18:00:00Z"): agents send numbers,
    /// operators write text.
    func decodeTime(_ key: Key) throws -> Timestamp {
        if let seconds = try? decode(Double.self, forKey: key) {
            guard seconds.isFinite else { throw corrupted(key, "\(key.stringValue) must be a finite time") }
            return Timestamp(secondsSinceEpoch: seconds)
        }
        let text = try decode(String.self, forKey: key)
        guard let time = Timestamp(rfc3339: text) else {
            throw corrupted(key, "\(key.stringValue) must be RFC 3339 (2027-01-15T18:00:00Z) or epoch seconds, got \"\(text)\"")
        }
        return time
    }

    func decodeTimeIfPresent(_ key: Key) throws -> Timestamp? {
        contains(key) ? try decodeTime(key) : nil
    }

    /// A finite number within `range`; the error names the key, the value and the range.
    func decode(_ key: Key, in range: ClosedRange<Double>, unit: String) throws -> Double {
        try check(key, try decode(Double.self, forKey: key), in: range, unit: unit)
    }

    /// As `decode(_:in:unit:)`, with a default when the key is absent.
    func decode(_ key: Key, in range: ClosedRange<Double>, unit: String, default fallback: Double) throws -> Double {
        try check(key, try decodeIfPresent(Double.self, forKey: key) ?? fallback, in: range, unit: unit)
    }

    func decodeIfPresent(_ key: Key, in range: ClosedRange<Double>, unit: String) throws -> Double? {
        try decodeIfPresent(Double.self, forKey: key).map { try check(key, $0, in: range, unit: unit) }
    }

    func check(_ key: Key, _ value: Double, in range: ClosedRange<Double>, unit: String) throws -> Double {
        guard value.isFinite, range.contains(value) else {
            throw corrupted(key, "\(key.stringValue) = \(value) is outside the allowed range \(range.lowerBound)…\(range.upperBound)\(unit.isEmpty ? "" : " " + unit)")
        }
        return value
    }

    /// A non-empty identifier of at most 128 characters.
    func decodeID(_ key: Key) throws -> String {
        let id = try decode(String.self, forKey: key)
        guard !id.isEmpty, id.count <= 128 else { throw corrupted(key, "\(key.stringValue) must be 1 to 128 characters") }
        return id
    }

    func corrupted(_ key: Key, _ message: String) -> DecodingError {
        DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: message)
    }
}

extension KeyedEncodingContainer {
    mutating func encodeTime(_ time: Timestamp, forKey key: Key) throws {
        try encode(time.rfc3339, forKey: key)
    }

    mutating func encodeTimeIfPresent(_ time: Timestamp?, forKey key: Key) throws {
        if let time { try encodeTime(time, forKey: key) }
    }
}

/// Refuses a repeated id in a list, naming the second one's position: `transformers[4].id`.
func refuseDuplicateIDs(_ ids: [String], list: some CodingKey, idKey: some CodingKey, decoder: any Decoder) throws {
    var seen: Set<String> = []
    for (index, id) in ids.enumerated() where !seen.insert(id).inserted {
        throw DecodingError.dataCorrupted(.init(
            codingPath: decoder.codingPath + [list, IndexKey(index), idKey],
            debugDescription: "id \"\(id)\" appears twice; ids must be unique"))
    }
}
